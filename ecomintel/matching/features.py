"""Evidence for each candidate pair: text similarities, model-number agreement, brand, price.

Why several text measures: each fails differently. Character TF-IDF cosine survives spelling and word
joins; word TF-IDF weighs rare words; rapidfuzz token_set_ratio ignores extra words on one side (`Sony
DVPFX820 Portable DVD Player` inside a longer title); partial_ratio finds a short title inside a long one.
Averaging them is steadier across catalogues than any one of them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from ecomintel.matching.blocking import Candidates
from ecomintel.matching.codes import Agreement, agreement
from ecomintel.matching.prepare import Side
from ecomintel.matching.variants import attribute_conflict, attributes

# prices differ between shops (Abt-Buy's true pairs reach 2.6×); only a far larger gap is evidence
PRICE_RATIO_IMPLAUSIBLE = 4.0


@dataclass
class PairFeatures:
    """Parallel arrays over the candidate pairs."""

    cos_char: np.ndarray
    cos_word: np.ndarray
    token_set: np.ndarray    # 0..1
    partial: np.ndarray      # 0..1
    code: list[Agreement]    # title codes
    code_key: list[str]      # the code (pair) that decided `code`
    desc_code: list[Agreement]  # agreement using description codes when a title has none
    brand: np.ndarray        # +1 agree, 0 unknown, -1 conflict
    price_ratio: np.ndarray  # max/min of comparable prices, nan when not comparable
    attribute: list[str]     # an attribute both titles state with different values ('gb', 'in', 'colour'), or ''

    def text(self) -> np.ndarray:
        """One text similarity 0..1 (the mean of the four measures, cosines weighted up: they are the
        most discriminative on product titles)."""
        return (0.35 * self.cos_char + 0.25 * self.cos_word + 0.25 * self.token_set + 0.15 * self.partial)


def brand_relation(a: str, b: str, title_a: str, title_b: str) -> int:
    """+1 when the brands agree (equal, or one's brand is a word run of the other's title), -1 when both
    are known and neither appears in the other's title, 0 when unknown."""
    if not a or not b:
        return 0
    if a == b or f" {a} " in f" {title_b} " or f" {b} " in f" {title_a} ":
        return 1
    if a.split()[0] == b.split()[0] and len(a.split()[0]) >= 3:
        return 1  # `universal remote control` / `universal`
    return -1


def _comparable(cur_a: str, cur_b: str) -> bool:
    """Prices compare when the currencies match, or one cell names none (assumed the same shop's)."""
    return not cur_a or not cur_b or cur_a == cur_b


def pair_features(left: Side, right: Side, cand: Candidates) -> PairFeatures:
    n = len(cand.left)
    token_set = np.empty(n, dtype=np.float32)
    partial = np.empty(n, dtype=np.float32)
    brand = np.zeros(n, dtype=np.int8)
    price_ratio = np.full(n, np.nan, dtype=np.float32)
    codes: list[Agreement] = []
    keys: list[str] = []
    desc: list[Agreement] = []
    attrs: list[str] = []
    left_attrs = {i: attributes(left.titles[i]) for i in set(cand.left.tolist())}
    right_attrs = {j: attributes(right.titles[j]) for j in set(cand.right.tolist())}
    lt = [left.titles[i] for i in cand.left.tolist()]
    rt = [right.titles[j] for j in cand.right.tolist()]
    if n:  # element-wise, in C on every core (titles are normalised already: no processor)
        token_set = process.cpdist(lt, rt, scorer=fuzz.token_set_ratio, workers=-1).astype(np.float32) / 100.0
        partial = process.cpdist(lt, rt, scorer=fuzz.partial_ratio, workers=-1).astype(np.float32) / 100.0
    for k, (i, j) in enumerate(zip(cand.left.tolist(), cand.right.tolist(), strict=True)):
        ta, tb = lt[k], rt[k]
        level, key = agreement(left.codes[i], right.codes[j])
        codes.append(level)
        keys.append(key)
        if level == "none":
            dlevel, dkey = agreement(left.codes[i] or left.desc_codes[i], right.codes[j] or right.desc_codes[j])
            desc.append(dlevel)
            if dlevel in ("exact", "prefix"):
                keys[-1] = dkey
        else:
            desc.append("none")
        attrs.append(attribute_conflict(left_attrs[i], right_attrs[j]))
        brand[k] = brand_relation(left.brands[i], right.brands[j], ta, tb)
        pa, pb = left.prices[i], right.prices[j]
        if not (math.isnan(pa) or math.isnan(pb)) and _comparable(left.currencies[i], right.currencies[j]):
            price_ratio[k] = max(pa, pb) / min(pa, pb)
    return PairFeatures(cos_char=cand.cos_char, cos_word=cand.cos_word, token_set=token_set, partial=partial,
                        code=codes, code_key=keys, desc_code=desc, brand=brand, price_ratio=price_ratio,
                        attribute=attrs)
