"""`match_products`: two catalogue frames in, scored pairs out (see the package docstring for the contract).

The pipeline: prepare (normalise titles, codes, brands, prices) → block (cosine neighbours + code
collisions) → features → score → one-to-one assignment above the threshold (`same`) → variants among the
rest (`related`). Nothing here touches a database: the caller stores the pairs (and the analyst's
decisions, which always win over a re-run).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecomintel.matching.assign import assign
from ecomintel.matching.blocking import candidate_pairs
from ecomintel.matching.features import pair_features
from ecomintel.matching.prepare import brand_vocabulary, prepare
from ecomintel.matching.score import score_pairs

DEFAULT_THRESHOLD = 0.5
RELATED_MIN_TEXT = 0.45   # a model-family variant must still read as the same family
RELATED_MIN_TEXT_ATTRIBUTE = 0.6  # without a model family, only a size/colour differs: the rest must agree
RELATED_PER_ROW = 3
COLUMNS = ["left_id", "right_id", "score", "method", "relation"]


def match_products(left: pd.DataFrame, right: pd.DataFrame, *, threshold: float | None = None) -> pd.DataFrame:
    """Pairs between two catalogues: one-to-one `same` pairs scoring ≥ threshold, plus `related` variants.

    `left`/`right` need columns `id` and `title`; `brand`, `description` and `price` are used when present.
    Returns columns left_id, right_id, score (0..1), method, relation ('same' | 'related'), `same` first,
    each group by descending score. Raises InputError when a frame lacks id or title."""
    limit = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    vocab = brand_vocabulary(left, right)
    lside, rside = prepare(left, "left", vocab), prepare(right, "right", vocab)
    if not lside.ids or not rside.ids:
        return pd.DataFrame(columns=COLUMNS)
    cand = candidate_pairs(lside, rside)
    if len(cand.left) == 0:
        return pd.DataFrame(columns=COLUMNS)
    feats = pair_features(lside, rside, cand)
    scored = score_pairs(feats)
    chosen = assign(cand.left, cand.right, scored.score, limit)
    rows = [(lside.ids[cand.left[k]], rside.ids[cand.right[k]], float(scored.score[k]), scored.method[k], "same")
            for k in chosen.tolist()]
    rows += _related(cand.left, cand.right, feats.text(), scored.variant, set(chosen.tolist()), lside.ids,
                     rside.ids, scored.method)
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["score"] = out["score"].round(4)
    out["_same"] = out["relation"] == "same"
    out = out.sort_values(["_same", "score"], ascending=[False, False], kind="stable").drop(columns="_same")
    return out.reset_index(drop=True)


def _related(li: np.ndarray, ri: np.ndarray, text: np.ndarray, variant: np.ndarray, chosen: set[int],
             left_ids: list[str], right_ids: list[str], methods: list[str]) -> list[tuple[str, str, float, str, str]]:
    """Variant pairs (not chosen as `same`) that still read as one family, at most a few per left row."""
    picks = [k for k in np.flatnonzero(variant & (text >= RELATED_MIN_TEXT)).tolist() if k not in chosen
             and (methods[k] == "variant(model)" or text[k] >= RELATED_MIN_TEXT_ATTRIBUTE)]
    picks.sort(key=lambda k: -float(text[k]))
    per_left: dict[int, int] = {}
    out = []
    for k in picks:
        a = int(li[k])
        if per_left.get(a, 0) >= RELATED_PER_ROW:
            continue
        per_left[a] = per_left.get(a, 0) + 1
        out.append((left_ids[a], right_ids[int(ri[k])], float(text[k]), methods[k], "related"))
    return out
