"""Evidence → one score per pair (0..1), the method that decided it, and whether it looks like a variant.

Why hand-set rules rather than a model fitted to one benchmark: the weights below are few, each has a
reason a reviewer can check, and they do not learn the quirks of one pair of shops (Abt always ends a title
with ` - MODEL`; other catalogues do not). The rules, in order:
- a model number equal on both sides is the strongest evidence there is: the score is lifted to at least
  0.75 and grows with the text similarity (`model_number`);
- a model number that extends the other by colour/region letters (`PSW110` / `PSW110BK`) is nearly as
  strong (`model_number~`), as is an equal code found in a description when a title has none
  (`model_number(description)`);
- both titles carry codes and they disagree: the text alone is trusted less (× 0.75) — two TVs of one
  series share most words, yet one product often carries a shop SKU on one side and a part number on the
  other;
- same family, different variant (`LN40A650` / `LN46A650`), or no code to tell and both titles state a
  different capacity / size / colour (ecomintel/matching/variants.py): capped below the threshold and
  flagged as a variant, so it can come out as `related` (disagreeing codes *and* another size: just a
  different product, capped too but not a variant);
- no codes: the text similarity (`fuzzy+tfidf`);
- a brand conflict (× 0.7) and an implausible price gap (× 0.85, ratio > 4 in comparable currencies)
  lower any score; an agreeing brand adds a little.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ecomintel.matching.features import PRICE_RATIO_IMPLAUSIBLE, PairFeatures

VARIANT_CAP = 0.45
# disagreeing codes lower the text score but do not veto it: two catalogues often carry different code
# systems for one product (a shop's own SKU or a kit name vs the manufacturer part number)
CONFLICT_FACTOR = 0.75


@dataclass
class Scored:
    score: np.ndarray       # 0..1
    method: list[str]
    variant: np.ndarray     # bool: same model family, different variant


def score_pairs(f: PairFeatures) -> Scored:
    text = f.text().astype(np.float64)
    n = len(text)
    score = text.copy()
    methods = ["fuzzy+tfidf"] * n
    variant = np.zeros(n, dtype=bool)
    for k in range(n):
        level = f.code[k]
        if level == "exact":
            score[k] = 0.75 + 0.25 * text[k]
            methods[k] = "model_number"
        elif level == "prefix":
            score[k] = 0.65 + 0.3 * text[k]
            methods[k] = "model_number~"
        elif level == "variant":
            score[k] = min(text[k], VARIANT_CAP)
            methods[k] = "variant(model)"
            variant[k] = True
        elif f.attribute[k] and f.desc_code[k] not in ("exact", "prefix"):
            score[k] = min(CONFLICT_FACTOR * text[k] if level == "conflict" else text[k], VARIANT_CAP)
            if level == "conflict":  # other codes and another size: a different product, not a variant
                methods[k] = "fuzzy+tfidf(codes differ)"
            else:
                methods[k] = f"variant({f.attribute[k]})"
                variant[k] = True
        elif level == "conflict":
            score[k] = CONFLICT_FACTOR * text[k]
            methods[k] = "fuzzy+tfidf(codes differ)"
        elif f.desc_code[k] in ("exact", "prefix"):
            score[k] = max(text[k], 0.55 + 0.35 * text[k])
            methods[k] = "model_number(description)"
    score = np.where(f.brand < 0, score * 0.7, score)
    score = np.where(f.brand > 0, np.minimum(1.0, score + 0.03), score)
    implausible = np.nan_to_num(f.price_ratio, nan=1.0) > PRICE_RATIO_IMPLAUSIBLE
    score = np.where(implausible, score * 0.85, score)
    return Scored(score=np.clip(score, 0.0, 1.0), method=methods, variant=variant)
