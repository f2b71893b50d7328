"""Spam patterns that only show across reviews: near-duplicate texts posted on other products or by other
authors, and bursts of reviews from one author.

Why apart from `spam.py`: those flags look at one row at a time (a link, promotional words) and run per
chunk while a file is read; these need all of the tenant's reviews at once (a copy may sit in an earlier
upload), so the pipeline runs them once after a reviews file is stored (`flag_review_patterns`), inside the
same transaction. Like every spam flag they only mark rows (`is_spam`, reasons), never delete them.

Near-duplicates: MinHash over word bigrams of the normalised text with LSH banding, all in numpy (word ids from
one `pd.factorize`, bigram ids by arithmetic, 96 multiply-shift hashes evaluated in blocks, a `reduceat` min
per review), then each candidate pair's exact bigram Jaccard is checked. 32 bands of 3 rows find a pair at
Jaccard 0.6 with probability 0.9996; a lightly edited copy (two words changed in twenty) is at ≥ 0.65.
A pair is spam only across products or authors: the same author editing their own review of the same
product is an edit, not a copy.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import sqlalchemy as sa

    from ecomintel.db.repository import Repository

NEAR_DUP_JACCARD = 0.6
NEAR_DUP_MIN_WORDS = 12  # shorter texts repeat by chance ("love it, fits great"); exact copies are flagged apart
BANDS, ROWS = 24, 3
_WORDS = re.compile(r"\w+")
BURST_MIN = 5  # reviews by one author on one day
PLACEHOLDER_AUTHORS = r"(?i)^(?:anonymous|anon|a customer|amazon customer|customer|guest|user|n/?a|none|-+|\?+)$"
NEAR_DUP = "near-duplicate of review"
BURST = "burst:"
PATTERN_PREFIXES = (NEAR_DUP, BURST)


def _signatures(word_ids: np.ndarray, doc_of: np.ndarray, n_docs: int) -> tuple[np.ndarray, np.ndarray,
                                                                                  np.ndarray]:
    """(signature matrix n_docs × BANDS·ROWS, bigram ids, bigram doc index) from the flat word ids."""
    same = doc_of[1:] == doc_of[:-1]
    first, second = word_ids[:-1][same].astype(np.uint64), word_ids[1:][same].astype(np.uint64)
    bigrams = first * np.uint64(0x9E3779B97F4A7C15) ^ (second + np.uint64(0x632BE59BD9B4E019))
    docs = doc_of[1:][same]
    perms = BANDS * ROWS
    rng = np.random.default_rng(20261202)
    a = rng.integers(1, 2**63, size=perms, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=perms, dtype=np.uint64)
    sig = np.full((n_docs, perms), np.iinfo(np.uint64).max, dtype=np.uint64)
    if len(bigrams) == 0:
        return sig, bigrams, docs
    starts = np.flatnonzero(np.r_[True, docs[1:] != docs[:-1]])
    owners = docs[starts]
    ends = np.r_[starts[1:], len(bigrams)]
    target = 40_000  # bigrams per block: 40k × 96 hashes = 30 MB of temporaries, cache-friendly
    lo = 0
    with np.errstate(over="ignore"):
        while lo < len(starts):  # whole documents per block, so reduceat stays inside one
            hi = int(np.searchsorted(starts, starts[lo] + target, side="left"))
            hi = max(hi, lo + 1)
            s0, s1 = starts[lo], ends[hi - 1]
            hashed = np.multiply(bigrams[s0:s1, None], a[None, :])
            np.add(hashed, b[None, :], out=hashed)
            sig[owners[lo:hi]] = np.minimum.reduceat(hashed, starts[lo:hi] - s0, axis=0)
            lo = hi
    return sig, bigrams, docs


def _candidate_pairs(sig: np.ndarray) -> set[tuple[int, int]]:
    """Pairs of documents whose signatures agree on all ROWS values of at least one band."""
    pairs: set[tuple[int, int]] = set()
    with np.errstate(over="ignore"):
        for band in range(BANDS):
            part = sig[:, band * ROWS:(band + 1) * ROWS]
            key = part[:, 0].copy()
            for r in range(1, ROWS):
                key = key * np.uint64(0x100000001B3) ^ part[:, r]
            order = np.argsort(key, kind="stable")
            ranked = key[order]
            same = np.flatnonzero(ranked[1:] == ranked[:-1])
            if len(same) == 0:
                continue
            runs = np.split(same, np.flatnonzero(np.diff(same) != 1) + 1)
            for run in runs:
                members = sorted(order[run[0]:run[-1] + 2].tolist())
                if len(members) > 50:  # a big bucket (many copies): each member against the first and its neighbour
                    pairs.update((members[0], d) for d in members[1:])
                    pairs.update(pairwise(members[1:]))
                    continue
                for i, d1 in enumerate(members):
                    for d2 in members[i + 1:]:
                        pairs.add((d1, d2))
    return pairs


def near_duplicates(text: pd.Series, sku: pd.Series, author: pd.Series, key: pd.Series) -> pd.Series:
    """Per review: '' or 'near-duplicate of review <key> (<J>% similar)' for a review whose text is a near copy
    (bigram Jaccard ≥ NEAR_DUP_JACCARD) of another one on a different product or by a different author."""
    out = pd.Series("", index=text.index, dtype=object)
    norm = pd.Series([_WORDS.findall(t.lower()) for t in text.fillna("").astype(str)], index=text.index,
                     dtype=object)
    lengths = norm.map(len)
    long = lengths >= NEAR_DUP_MIN_WORDS
    if long.sum() < 2:
        return out
    idx = np.flatnonzero(long.to_numpy())
    tokens = norm.iloc[idx]
    flat = tokens.explode()
    word_ids, _ = pd.factorize(flat.to_numpy())
    doc_of = np.repeat(np.arange(len(idx)), lengths.iloc[idx].to_numpy())
    sig, bigrams, docs = _signatures(word_ids, doc_of, len(idx))
    pairs = _candidate_pairs(sig)
    if not pairs:
        return out
    # the share of equal MinHash values estimates the Jaccard; only plausible pairs get the exact check
    both = np.array(sorted(pairs), dtype=np.int64)
    estimate = (sig[both[:, 0]] == sig[both[:, 1]]).mean(axis=1)
    pairs = {(int(a), int(b)) for a, b in both[estimate >= NEAR_DUP_JACCARD - 0.15]}
    if not pairs:
        return out
    sets: dict[int, set[int]] = {}
    needed = {d for pair in pairs for d in pair}
    keep = np.isin(docs, np.fromiter(needed, dtype=docs.dtype))
    kept_docs, kept = docs[keep], bigrams[keep]  # docs are ascending: each document's bigrams are contiguous
    split = np.split(kept, np.flatnonzero(np.diff(kept_docs)) + 1)
    for d, values in zip(np.unique(kept_docs), split, strict=True):
        sets[int(d)] = set(values.tolist())
    skus = sku.iloc[idx].fillna("").astype(str).to_numpy()
    authors = author.iloc[idx].fillna("").astype(str).str.strip().str.lower().to_numpy()
    keys = key.iloc[idx].astype(str).to_numpy()
    best: dict[int, tuple[float, int]] = {}
    for d1, d2 in sorted(pairs):
        s1, s2 = sets.get(d1, set()), sets.get(d2, set())
        if not s1 or not s2:
            continue
        jac = len(s1 & s2) / len(s1 | s2)
        if jac < NEAR_DUP_JACCARD:
            continue
        if skus[d1] == skus[d2] and authors[d1] and authors[d1] == authors[d2]:
            continue  # the same author's edit of their own review of the same product
        for mine, other in ((d1, d2), (d2, d1)):
            if mine not in best or jac > best[mine][0]:
                best[mine] = (jac, other)
    for mine, (jac, other) in best.items():
        out.iloc[idx[mine]] = f"{NEAR_DUP} {keys[other]} ({jac:.0%} similar)"
    return out


def author_bursts(author: pd.Series, created_at: pd.Series) -> pd.Series:
    """Per review: '' or 'burst: N reviews by this author on YYYY-MM-DD' when one (named, not placeholder)
    author wrote BURST_MIN or more reviews on the same day."""
    names = author.fillna("").astype(str).str.strip()
    day = pd.to_datetime(created_at, errors="coerce").dt.strftime("%Y-%m-%d")
    usable = names.ne("") & ~names.str.match(PLACEHOLDER_AUTHORS) & day.notna()
    frame = pd.DataFrame({"a": names.str.lower(), "d": day})[usable]
    counts = frame.groupby(["a", "d"])["a"].transform("size")
    out = pd.Series("", index=author.index, dtype=object)
    hit = counts[counts >= BURST_MIN]
    out.loc[hit.index] = pd.Series([f"{BURST} {n} reviews by this author on {d}" for n, d in
                                    zip(hit.to_numpy(), frame.loc[hit.index, "d"], strict=True)], index=hit.index)
    return out


def merge_reasons(previous: pd.Series, patterns: pd.Series) -> pd.Series:
    """The row-level reasons of `previous` (pattern reasons from an earlier pass removed) plus `patterns`;
    None when nothing is left."""
    def keep(text: object) -> list[str]:
        parts = [p.strip() for p in str(text).split(";")] if isinstance(text, str) else []
        return [p for p in parts if p and not p.startswith(PATTERN_PREFIXES)]

    merged = [("; ".join([*keep(old), new] if new else keep(old)) or None)
              for old, new in zip(previous.tolist(), patterns.tolist(), strict=True)]
    return pd.Series(merged, index=previous.index, dtype=object)


def pattern_reasons(frame: pd.DataFrame) -> pd.Series:
    """Near-duplicate and burst reasons for a frame with review_key, sku, author, text, created_at."""
    dup = near_duplicates(frame["text"], frame["sku"], frame["author"], frame["review_key"])
    burst = author_bursts(frame["author"], frame["created_at"])
    both = [("; ".join(p for p in (d, b) if p)) for d, b in zip(dup.tolist(), burst.tolist(), strict=True)]
    return pd.Series(both, index=frame.index, dtype=object)


def flag_review_patterns(repo: Repository, conn: sa.Connection) -> int:
    """Recompute the cross-review flags over all of the tenant's reviews and store the rows whose flags
    changed (inside the caller's transaction); returns how many reviews carry a pattern flag."""
    frame = repo.review_spam_inputs(conn)
    if frame.empty:
        return 0
    reasons = merge_reasons(frame["spam_reasons"], pattern_reasons(frame))
    flagged = reasons.notna()
    changed = (reasons.fillna("") != frame["spam_reasons"].fillna("")) | (flagged != frame["is_spam"].astype(bool))
    if changed.any():
        repo.update_spam_flags(conn, frame.loc[changed, "id"].tolist(), flagged[changed].tolist(),
                               reasons[changed].tolist())
    return int(reasons.fillna("").str.contains(NEAR_DUP + "|" + BURST, regex=True).sum())
