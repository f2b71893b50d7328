"""One-to-one assignment: each left row gets at most one `same` partner and each right row too.

Why one-to-one: a catalogue lists a product once; if two of our SKUs both look like one competitor
listing, only the better is that listing, and the other's true partner (if any) is elsewhere.
Hungarian (scipy's linear_sum_assignment) maximises the total score over the pairs above the threshold;
it runs per connected component of that pair graph (components are small: a product family), so the
dense matrices stay tiny whatever the catalogue size. A component too large for a dense matrix falls back
to greedy-by-score (the best pair first), which is also offered as `method="greedy"`.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

MAX_DENSE_CELLS = 4_000_000


def assign(left: np.ndarray, right: np.ndarray, score: np.ndarray, threshold: float,
           method: Literal["hungarian", "greedy"] = "hungarian") -> np.ndarray:
    """Indices (into the candidate arrays) of the chosen one-to-one pairs with score ≥ threshold."""
    keep = np.flatnonzero(score >= threshold)
    if keep.size == 0:
        return keep
    if method == "greedy":
        return _greedy(left, right, score, keep)
    chosen: list[int] = []
    for component in _components(left[keep], right[keep]):
        idx = keep[component]
        rows, cols = np.unique(left[idx]), np.unique(right[idx])
        if rows.size * cols.size > MAX_DENSE_CELLS:
            chosen.extend(_greedy(left, right, score, idx).tolist())
            continue
        chosen.extend(_hungarian(left, right, score, idx, rows, cols))
    return np.array(sorted(chosen), dtype=np.int64)


def _hungarian(left: np.ndarray, right: np.ndarray, score: np.ndarray, idx: np.ndarray,
               rows: np.ndarray, cols: np.ndarray) -> list[int]:
    from scipy.optimize import linear_sum_assignment

    if idx.size == 1:
        return [int(idx[0])]
    r = np.searchsorted(rows, left[idx])
    c = np.searchsorted(cols, right[idx])
    matrix = np.zeros((rows.size, cols.size))
    where = np.full((rows.size, cols.size), -1, dtype=np.int64)
    matrix[r, c] = score[idx]
    where[r, c] = idx
    rr, cc = linear_sum_assignment(matrix, maximize=True)
    return [int(where[a, b]) for a, b in zip(rr, cc, strict=True) if where[a, b] >= 0]


def _greedy(left: np.ndarray, right: np.ndarray, score: np.ndarray, idx: np.ndarray) -> np.ndarray:
    order = idx[np.argsort(-score[idx], kind="stable")]
    used_l: set[int] = set()
    used_r: set[int] = set()
    out = []
    for k in order.tolist():
        a, b = int(left[k]), int(right[k])
        if a in used_l or b in used_r:
            continue
        used_l.add(a)
        used_r.add(b)
        out.append(k)
    return np.array(sorted(out), dtype=np.int64)


def _components(left: np.ndarray, right: np.ndarray) -> list[np.ndarray]:
    """Edge indices grouped by connected component of the bipartite graph (union-find)."""
    parent: dict[tuple[int, int], tuple[int, int]] = {}

    def find(x: tuple[int, int]) -> tuple[int, int]:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        ra, rb = find((0, a)), find((1, b))
        if ra != rb:
            parent[ra] = rb
    groups: dict[tuple[int, int], list[int]] = {}
    for k, a in enumerate(left.tolist()):
        groups.setdefault(find((0, a)), []).append(k)
    return [np.array(g, dtype=np.int64) for g in groups.values()]
