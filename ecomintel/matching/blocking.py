"""Candidate pairs: which (left, right) rows are worth scoring at all.

Why blocking: scoring every pair is n×m rapidfuzz calls (22k × 2.5k = 55 M for Walmart-Amazon); the true
match of a row is almost always among (a) rows sharing a model number or its stem, or (b) its nearest
neighbours by TF-IDF cosine — character n-grams (robust to `SD-V296`/`SDV296`, typos, word joins) and words
weighted by rarity (a shared rare word like `acoustimass` says more than a shared `black`). Neighbours are
taken in both directions (each left row's top k on the right and each right row's top few on the left),
so a right row that is nobody's first choice still gets its chance.
The cosines computed here are reused as scoring features, so nothing is vectorised twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from ecomintel.matching.prepare import Side

TOP_K = 12       # neighbours kept per left row
TOP_K_RIGHT = 5  # per right row (a competitor export can be 10× our catalogue: keep this side lean)
CHUNK_ROWS = 512  # left rows per dense cosine block: 512 × 22k floats ≈ 45 MB


@dataclass
class Candidates:
    """Candidate pairs as parallel arrays, with the two cosines of each pair."""

    left: np.ndarray   # int row positions
    right: np.ndarray
    cos_char: np.ndarray
    cos_word: np.ndarray


def vectorise(left: Side, right: Side) -> tuple[Any, Any, Any, Any]:
    """TF-IDF matrices (char n-grams and words) for both sides, fitted on the two catalogues together
    (rarity is judged over everything being matched)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [_doc(t, b) for t, b in zip(left.titles, left.brands, strict=True)] + \
        [_doc(t, b) for t, b in zip(right.titles, right.brands, strict=True)]
    n = len(left.titles)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True, min_df=1, dtype=np.float32)
    word = TfidfVectorizer(analyzer="word", token_pattern=r"\S+", sublinear_tf=True, min_df=1, dtype=np.float32)
    c = char.fit_transform(texts)
    w = word.fit_transform(texts)
    return c[:n], c[n:], w[:n], w[n:]


def _doc(title: str, brand: str) -> str:
    return title if not brand or brand in title else f"{brand} {title}"


def candidate_pairs(left: Side, right: Side, top_k: int = TOP_K, right_k: int = TOP_K_RIGHT) -> Candidates:
    """Union of cosine neighbours (each left row's top_k, each right row's right_k) and model-number / stem
    collisions, with the char and word cosine of every pair (taken from the blocks, computed once)."""
    empty = Candidates(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, np.float32),
                       np.zeros(0, np.float32))
    if not any(left.titles) or not any(right.titles):  # nothing to compare (and no vocabulary to fit)
        return empty
    lc, rc, lw, rw = vectorise(left, right)
    n_left, n_right = lc.shape[0], rc.shape[0]
    by_left: dict[int, list[int]] = defaultdict(list)
    for i, j in _code_pairs(left, right):
        by_left[i].append(j)
    rc_t, rw_t = rc.T.tocsc(), rw.T.tocsc()
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    column_best: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    k = min(top_k, n_right)
    for start in range(0, n_left, CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, n_left)
        char = (lc[start:stop] @ rc_t).toarray()
        word = (lw[start:stop] @ rw_t).toarray()
        combined = char + word  # words catch rare tokens, chars catch spelling; ranking only
        rows = np.arange(stop - start)
        top = np.argpartition(-combined, k - 1, axis=1)[:, :k] if k < n_right else \
            np.tile(np.arange(n_right), (stop - start, 1))
        ii, jj = np.repeat(rows, top.shape[1]), top.ravel()
        codes = [(i - start, j) for i in range(start, stop) for j in by_left.get(i, ())]
        if codes:
            ci, cj = np.array(codes, dtype=np.int64).T
            ii, jj = np.concatenate([ii, ci]), np.concatenate([jj, cj])
        found.append((ii + start, jj, char[ii, jj], word[ii, jj]))
        kk = min(right_k, stop - start)  # each right row's best left rows within this block
        col = np.argpartition(-combined, kk - 1, axis=0)[:kk, :] if kk < stop - start else \
            np.tile(rows[:, None], (1, n_right))
        ci, cj = col.ravel(), np.tile(np.arange(n_right), col.shape[0])
        column_best.append((ci + start, cj, char[ci, cj], word[ci, cj]))
    li, ri, cc, ww = (np.concatenate(parts) for parts in zip(*found, strict=True))
    bi, bj, bc, bw = (np.concatenate(parts) for parts in zip(*column_best, strict=True))
    order = np.lexsort((-(bc + bw), bj))  # by right row, best first
    bj_sorted = bj[order]
    first = np.searchsorted(bj_sorted, bj_sorted, side="left")
    keep = order[(np.arange(order.size) - first) < right_k]
    li, ri = np.concatenate([li, bi[keep]]), np.concatenate([ri, bj[keep]])
    cc, ww = np.concatenate([cc, bc[keep]]), np.concatenate([ww, bw[keep]])
    positive = (cc > 0) | (ww > 0) | _is_code_pair(li, ri, by_left)
    li, ri, cc, ww = li[positive], ri[positive], cc[positive], ww[positive]
    if li.size == 0:
        return empty
    _, unique = np.unique(li * n_right + ri, return_index=True)
    return Candidates(li[unique], ri[unique], cc[unique].astype(np.float32), ww[unique].astype(np.float32))


def _is_code_pair(li: np.ndarray, ri: np.ndarray, by_left: dict[int, list[int]]) -> np.ndarray:
    if not by_left:
        return np.zeros(li.size, dtype=bool)
    return np.array([j in by_left.get(i, ()) for i, j in zip(li.tolist(), ri.tolist(), strict=True)], dtype=bool)


def _code_keys(codes: list[str]) -> set[str]:
    """Index keys of a row's codes: each code, and its stem up to the last digit (colour/region letters
    dropped) when that stem is still long enough to be specific."""
    keys: set[str] = set()
    for code in codes:
        keys.add(code)
        stem = code.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        if len(stem) >= 5:
            keys.add("~" + stem)
    return keys


def _code_pairs(left: Side, right: Side, max_bucket: int = 50) -> set[tuple[int, int]]:
    """Pairs sharing a code or code stem (from titles, and from a description when the title has none);
    a key shared by more than `max_bucket` rows is not specific and is skipped."""
    index: dict[str, list[int]] = defaultdict(list)
    for j, (codes, extra) in enumerate(zip(right.codes, right.desc_codes, strict=True)):
        for key in _code_keys(codes or extra):
            index[key].append(j)
    out: set[tuple[int, int]] = set()
    for i, (codes, extra) in enumerate(zip(left.codes, left.desc_codes, strict=True)):
        for key in _code_keys(codes or extra):
            bucket = index.get(key, [])
            if len(bucket) <= max_bucket:
                out.update((i, j) for j in bucket)
    return out
