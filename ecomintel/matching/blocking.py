"""Candidate pairs: which (left, right) rows are worth scoring at all.

Why blocking: scoring every pair is n×m rapidfuzz calls (22k × 2.5k = 55 M for Walmart-Amazon); the true
match of a row is almost always among (a) rows sharing a model number or its stem, or (b) its nearest
neighbours by TF-IDF cosine — character n-grams (robust to `SD-V296`/`SDV296`, typos, word joins) and words
weighted by rarity (a shared rare word like `acoustimass` says more than a shared `black`). Neighbours are
taken in both directions (each left row's top k on the right and each right row's top k on the left), so a
right row that is nobody's first choice still gets its chance.
The cosines computed here are reused as scoring features, so nothing is vectorised twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from ecomintel.matching.prepare import Side

TOP_K = 12
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
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, min_df=1, dtype=np.float32)
    word = TfidfVectorizer(analyzer="word", token_pattern=r"\S+", sublinear_tf=True, min_df=1, dtype=np.float32)
    c = char.fit_transform(texts)
    w = word.fit_transform(texts)
    return c[:n], c[n:], w[:n], w[n:]


def _doc(title: str, brand: str) -> str:
    return title if not brand or brand in title else f"{brand} {title}"


def candidate_pairs(left: Side, right: Side, top_k: int = TOP_K) -> Candidates:
    """Union of cosine neighbours (both directions) and model-number / stem collisions."""
    if not any(left.titles) or not any(right.titles):  # nothing to compare (and no vocabulary to fit)
        empty = np.zeros(0, dtype=np.int64)
        return Candidates(empty, empty, np.zeros(0, np.float32), np.zeros(0, np.float32))
    lc, rc, lw, rw = vectorise(left, right)
    n_left, n_right = lc.shape[0], rc.shape[0]
    pairs: set[tuple[int, int]] = set()
    # combined cosine used for ranking neighbours: words catch rare tokens, chars catch spelling
    best_for_right: list[list[tuple[float, int]]] = [[] for _ in range(n_right)]
    k = min(top_k, n_right)
    for start in range(0, n_left, CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, n_left)
        block = 0.5 * (lc[start:stop] @ rc.T).toarray() + 0.5 * (lw[start:stop] @ rw.T).toarray()
        top = np.argpartition(-block, k - 1, axis=1)[:, :k] if k < n_right else \
            np.tile(np.arange(n_right), (stop - start, 1))
        for i, row in enumerate(top):
            for j in row:
                if block[i, j] > 0:
                    pairs.add((start + i, int(j)))
        # right-side neighbours: keep a running top k per right column
        kk = min(top_k, stop - start)
        col_top = np.argpartition(-block, kk - 1, axis=0)[:kk, :] if kk < stop - start else \
            np.tile(np.arange(stop - start)[:, None], (1, n_right))
        for j in range(n_right):
            for i in col_top[:, j]:
                value = float(block[i, j])
                if value > 0:
                    best_for_right[j].append((value, start + int(i)))
            if len(best_for_right[j]) > top_k:
                best_for_right[j] = sorted(best_for_right[j], reverse=True)[:top_k]
    for j, best in enumerate(best_for_right):
        pairs.update((i, j) for _, i in best)
    pairs.update(_code_pairs(left, right))
    if not pairs:
        empty = np.zeros(0, dtype=np.int64)
        return Candidates(empty, empty, np.zeros(0, np.float32), np.zeros(0, np.float32))
    arr = np.array(sorted(pairs), dtype=np.int64)
    li, ri = arr[:, 0], arr[:, 1]
    cos_char = np.asarray(lc[li].multiply(rc[ri]).sum(axis=1)).ravel()
    cos_word = np.asarray(lw[li].multiply(rw[ri]).sum(axis=1)).ravel()
    return Candidates(li, ri, cos_char.astype(np.float32), cos_word.astype(np.float32))


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
