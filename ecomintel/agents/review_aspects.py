"""Aspect sentiment: how reviews speak about fit, size, quality, fabric, colour, price, shipping, comfort … and
about the things this shop's reviews mention most often.

Why sentences: a review says "love the colour but it runs small"; its overall score says nothing about the
colour. Each sentence that mentions an aspect is scored on its own with the active sentiment model, so the
colour gets the positive clause and the size the negative one (a sentence with two aspects counts for both).
Why a lexicon plus the data: the lexicon covers the aspects shoppers of most shops talk about (clothing,
electronics, groceries, home), and the data adds its own frequent noun phrases — what follows "the / my / this"
most often ("the zipper", "the straps", "the battery") — so a shop selling headphones gets "sound" and "ear
cushions" without anyone writing rules for it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

ASPECTS: dict[str, str] = {
    "fit": r"\bfit(?:s|ted|ting)?\b|\bfitting\b|\bsnug\b|\bloose\b|\btight\b|\bbaggy\b|\bboxy\b|\bflattering\b",
    "size": r"\bsiz(?:e|es|ed|ing)\b|\bruns?\s+(?:small|large|big|true)\b|\btrue\s+to\s+size\b|\btts\b"
            r"|\bpetite\b|\bsize\s+(?:up|down)\b",
    "length": r"\blength\b|\btoo\s+(?:long|short)\b|\bhits?\s+(?:at|below|above|mid)\b|\binseam\b",
    "quality": r"\bquality\b|\bwell[- ]made\b|\bpoorly\s+made\b|\bcheaply\b|\bflimsy\b|\bdurable\b|\bsturdy\b"
               r"|\bconstruction\b|\bstitch\w*|\bseams?\b|\bfell\s+apart\b|\bbroke\b|\bdefective\b",
    "fabric / material": r"\bfabric\b|\bmaterials?\b|\bcotton\b|\bpolyester\b|\blinen\b|\bsilk\w*|\bwool\b|\brayon\b"
                         r"|\bknit\b|\blining\b|\bsheer\b|\bsee[- ]?through\b|\btexture\b|\bleather\b|\bplastic\b",
    "colour": r"\bcolou?rs?\b|\bshades?\b|\bhue\b|\bfaded?\b|\bprint\b|\bpattern\b",
    "comfort": r"\bcomfort\w*|\bcomfy\b|\bsoft\w*\b|\bitch\w*|\bscratch\w*|\bcozy\b|\bbreathable\b",
    "style / look": r"\bstyl(?:e|ish|ed)\b|\bdesign\b|\blooks?\s+(?:great|good|cute|nice|cheap|beautiful|amazing)"
                    r"|\bcute\b|\bgorgeous\b|\belegant\b|\bchic\b",
    "price / value": r"\bprice[ds]?\b|\bexpensive\b|\bpricey\b|\boverpriced\b|\bcheap\b|\bworth\b|\bvalue\b"
                     r"|\bmoney\b|\bcost\w*|\bsale\b|\bdiscount\w*",
    "shipping / delivery": r"\bship(?:ping|ped)\b|\bdeliver\w*|\barriv\w*|\bpackag\w*|\bcourier\b",
    "washing / care": r"\bwash\w*|\bdry(?:er|ing)?\b|\bshr[ui]nk\w*|\bpill(?:ed|s|ing)\b|\biron\w*",
    "customer service": r"\bcustomer\s+service\b|\bsupport\b|\brefund\w*|\bexchange[ds]?\b|\bwarranty\b",
    "battery / power": r"\bbatter(?:y|ies)\b|\bcharg(?:e|er|es|ing)\b|\bpower\b",
    "sound": r"\bsound\b|\baudio\b|\bbass\b|\bvolume\b|\bnoise\b",
    "screen / display": r"\bscreen\b|\bdisplay\b|\bresolution\b|\bbrightness\b",
    "ease of use / setup": r"\beasy\s+to\s+(?:use|install|set\s*up|assemble)\b|\bsetup\b|\bset\s+up\b|\binstall\w*"
                           r"|\binstructions?\b|\bassembl\w*",
    "taste / freshness": r"\btast(?:e|es|y|ed)\b|\bflavou?rs?\b|\bfresh\w*|\bstale\b|\bexpir\w*",
    "smell": r"\bsmell\w*|\bscent\w*|\bodou?r\b",
}
_COMPILED = {name: re.compile(rx) for name, rx in ASPECTS.items()}
_SENTENCE = re.compile(r"[^.!?\n;]+[.!?;]*")
_PHRASE = re.compile(r"\b(?:the|my|its|their|your|her|his)\s+([a-z][a-z-]{2,})\b")
_THIS = re.compile(r"\b(?:this|these|that)\s+([a-z][a-z-]{2,})\b")
_NOT_NOUN = frozenset("""way one ones same other first last best worst only most more fact time item product
products thing things size color colour fit quality price material fabric reviews review reviewer reviewers
photo photos picture pictures model store online website company brand order shipping look looks style
end rest top bottom front back side inside outside day days week weeks year years night morning lot bit
perfect great good nice little small large big very really just also much many few new old whole entire
next second third other's person people woman women girl lady husband wife kids kid daughter son mom
retailer amazon seller seller's summer winter fall spring weather usual normal typical regular local""".split())  # noqa: SIM905
# English function words (what sklearn's list holds, without importing sklearn for it)
FUNCTION_WORDS = frozenset("""a about above after again against all almost also although always am among an and
another any anyone anything are around as at back be became because become been before being below between both
but by can cannot could did do does doing done down during each either else enough even ever every few for from
further get give go had has have having he her here hers herself him himself his how however i if in into is it
its itself just last least less many may me might mine more most much must my myself neither never next no nobody
none nor not nothing now of off often on once one only onto or other others otherwise our ours ourselves out over
own part per perhaps please put rather re same see seem seemed seems several she should show since so some
someone something sometime still such take than that the their theirs them themselves then there these they thing
this those though through thus to together too toward under until up upon us very via was we well were what
whatever when where whether which while who whole whom whose why will with within without would yet you your
yours yourself""".split())  # noqa: SIM905
Scorer = Callable[[Sequence[str]], list[float]]


@dataclass
class AspectMentions:
    """Aspect → the sentences that mention it, with the review each belongs to."""

    frame: pd.DataFrame  # columns aspect, review_key, sentence, product


def _function_words() -> frozenset[str]:
    return FUNCTION_WORDS


def product_nouns(texts: Sequence[str], min_share: float = 0.005) -> set[str]:
    """What the reviews are about: the words that follow "this / these" most often ("this dress", "this
    charger"), minus aspect words ("this colour"). Topics and data aspects leave them out: every review of a
    dress says "dress"."""
    stop = _function_words()
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(_THIS.findall(text.lower())))
    floor = max(3, int(min_share * len(texts)))
    return {w for w, n in counts.items() if n >= floor and w not in stop and w not in _NOT_NOUN
            and not any(rx.search(w) for rx in _COMPILED.values())}


def data_aspects(texts: Sequence[str], known_words: set[str], top: int = 6, min_share: float = 0.01) -> dict[str, str]:
    """The data's own frequent noun phrases (the word after a determiner: "the zipper", "my ears") that no
    lexicon aspect covers and that are not product/category words (`known_words`): name → regex. At least
    `min_share` of the texts must mention each."""
    stop = _function_words()
    counts: Counter[str] = Counter()
    for text in texts:
        found = set()
        for head in _PHRASE.findall(text.lower()):
            if head in _NOT_NOUN or head in stop or head in known_words or head.endswith("ly"):
                continue
            if any(rx.search(head) for rx in _COMPILED.values()):
                continue
            found.add(head)
        counts.update(found)
    floor = max(3, int(min_share * len(texts)))
    heads = [h for h, n in counts.most_common(top) if n >= floor]
    return {h: rf"\b{re.escape(h)}\b" if h.endswith("s") else rf"\b{re.escape(h)}s?\b" for h in heads}


def aspect_mentions(frame: pd.DataFrame, aspects: dict[str, str]) -> AspectMentions:
    """Sentences of frame's texts (columns review_key, text, sku/product_name) that mention each aspect."""
    compiled = {name: re.compile(rx) for name, rx in aspects.items()}
    rows = []
    products = (frame["product_name"].where(frame["product_name"].notna(), frame["sku"]) if "product_name" in frame
                else frame.get("sku", pd.Series([""] * len(frame), index=frame.index)))
    for key, text, product in zip(frame["review_key"].astype(str), frame["text"].fillna("").astype(str),
                                  products.fillna("").astype(str), strict=True):
        low = text.lower()
        if not low:
            continue
        hit_any = [name for name, rx in compiled.items() if rx.search(low)]
        if not hit_any:
            continue
        for sentence in _SENTENCE.findall(text):
            s_low = sentence.lower()
            for name in hit_any:
                if compiled[name].search(s_low):
                    rows.append((name, key, sentence.strip(), product))
    return AspectMentions(pd.DataFrame(rows, columns=["aspect", "review_key", "sentence", "product"]))


def aspect_sentiment(mentions: AspectMentions, scorer: Scorer, *, reviews: int, cap: int = 5000,
                     min_mentions: int = 5) -> pd.DataFrame:
    """Per aspect: mentions (sentences), reviews mentioning it, share of reviews, mean sentence score, % negative
    and % positive sentences, one negative and one positive example. Sentences beyond `cap` are a seeded sample
    (stated by the caller). Aspects with fewer than `min_mentions` mentions are left out."""
    m = mentions.frame
    cols = ["aspect", "mentions", "reviews", "share_of_reviews_pct", "mean_score", "negative_pct", "positive_pct",
            "negative_example", "positive_example"]
    if m.empty:
        return pd.DataFrame(columns=cols)
    sample = m.sample(n=cap, random_state=7) if len(m) > cap else m
    unique = sample["sentence"].drop_duplicates().tolist()
    scores = dict(zip(unique, scorer(unique), strict=True))
    sample = sample.assign(score=sample["sentence"].map(scores))
    rows = []
    for aspect, part in sample.groupby("aspect", sort=False):
        if len(part) < min_mentions:
            continue
        neg, pos = part[part["score"] < -0.05], part[part["score"] > 0.05]
        rows.append({
            "aspect": aspect, "mentions": int((m["aspect"] == aspect).sum()),
            "reviews": int(m.loc[m["aspect"] == aspect, "review_key"].nunique()),
            "share_of_reviews_pct": round(100 * m.loc[m["aspect"] == aspect, "review_key"].nunique() / max(reviews, 1),
                                          1),
            "mean_score": round(float(part["score"].mean()), 3),
            "negative_pct": round(100 * len(neg) / len(part), 1), "positive_pct": round(100 * len(pos) / len(part), 1),
            "negative_example": _example(neg.sort_values("score")), "positive_example": _example(
                pos.sort_values("score", ascending=False)),
        })
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["mentions", "aspect"], ascending=[False, True]).reset_index(drop=True)


def _example(part: pd.DataFrame) -> str:
    for sentence in part["sentence"].head(15):
        if 25 <= len(sentence) <= 220:
            return str(sentence)
    return str(part["sentence"].iloc[0])[:220] if len(part) else ""


def resolve_aspects(asked: Sequence[str]) -> list[str]:
    """Lexicon aspect names for words a question used ('fit', 'sizing', 'material', 'color', 'delivery')."""
    out = []
    for word in asked:
        w = word.lower().strip()
        for name, rx in _COMPILED.items():
            if w == name or w in name.split(" / ") or rx.search(w):
                if name not in out:
                    out.append(name)
                break
    return out
