"""Accounting for the words of a question: which a rule read, which it did not, and how sure that makes us.

Why its own module: "every meaningful word is accounted for" is the promise behind honest answers. A word
no rule read is either harmless (function words, filler, structural words), a filter value the data does not
have ("in Paris" → the question cannot be answered as asked), or an unknown word that is reported and
lowers the confidence. Positions refer to the normalised question (ask/periods.normalise keeps lengths).
"""

from __future__ import annotations

import re

from ecomintel.ask import keywords as K
from ecomintel.ask.entities import STOPWORDS

Spans = list[tuple[int, int]]
FILTER_CUES = frozenset({"in", "from", "at", "on", "via", "through", "within", "for", "to"})

FUNCTION_WORDS = frozenset("""
a an the of in on at for to from by with and or me my our we us i you your is are was were be been do does
did what which who when where how show give list tell find get see display please can could would should
will it its their there this that these those than then so as into about much many have has had all any
per over under let lets let's i'd i'm we've same just only also vs versus did doing
im en el la le au de del des der die das
""".split())  # noqa: SIM905  (a word list reads best as text)
_WORD = re.compile(r"[a-z0-9£$€₹%]+(?:'[a-z]+)?")


class Word:
    """A word of the question and where it is; a possessive "'s" is not part of it ("germany's" → germany)."""

    def __init__(self, match: re.Match[str]) -> None:
        self.text = match.group(0).removesuffix("'s")
        self.start = match.start()
        self.end = self.start + len(self.text)

    def covered(self, spans: Spans) -> bool:
        return any(a <= self.start and self.end <= b for a, b in spans)


def words(text: str) -> list[Word]:
    return [Word(m) for m in _WORD.finditer(text)]


def unused_words(text: str, spans: Spans) -> list[Word]:
    """Words of the question that no rule read, leaving out function words, filler and structural words."""
    out = []
    for w in words(text):
        if w.text in FUNCTION_WORDS or w.text in K.FILLER or w.text in STOPWORDS or w.covered(spans):
            continue
        if (w.text.isdigit() and len(w.text) <= 2) or re.fullmatch(r"[%£$€₹]+", w.text):
            continue
        out.append(w)
    return out


def understood_share(text: str, spans: Spans) -> float:
    """Share of the question's meaningful words (not function words) that some rule read."""
    meaningful = [w for w in words(text) if w.text not in FUNCTION_WORDS and w.text not in K.FILLER]
    if not meaningful:
        return 0.5
    return sum(1 for w in meaningful if w.covered(spans)) / len(meaningful)


GROUP_CUES = frozenset({"by", "per", "each", "every", "across"})


def looks_like_grouping(text: str, word: Word, spans: Spans, period_spans: Spans) -> bool:
    """An unused word right after "by/per/each …" names a field to split by that the data does not have:
    "revenue by city", "units by colour", "revenue by payment method" — unless a rule read one of the next
    words of that phrase ("retention by first purchase month"); a period ends the phrase ("by colour last
    month")."""
    before = text[:word.start].split()[-2:]
    if before[-1:] == ["the"]:
        before = before[:-1]
    if not before or before[-1] not in GROUP_CUES:
        return False
    phrase = []
    for w in [w for w in words(text) if w.start >= word.start][:3]:
        if w.covered(period_spans):
            break
        phrase.append(w)
    return not any(w.covered(spans) for w in phrase)


def looks_like_filter(text: str, word: Word) -> bool:
    """An unused word right after "in/from/on/at/via/for …" (optionally "the") names a place, channel or
    segment the data does not have: "revenue in Paris", "sales on TikTok", "orders from wholesale"."""
    before = text[:word.start].split()[-2:]
    if before[-1:] == ["the"]:
        before = before[:-1]
    return bool(before) and before[-1] in FILTER_CUES


def plan_confidence(frac: float, unused: int, notes: list[str], *, fallback: bool) -> float:
    """How sure the planner is that it read the question as asked: the share of meaningful words a rule
    read, capped hard when a word was not understood, lowered for fuzzy readings and for the overview
    fallback (the question named nothing the rules know). Calibrated on bench/ask.py (AUROC)."""
    value = 0.35 + 0.6 * frac
    if unused:
        value = min(value, 0.6) - 0.08 * (unused - 1)
    fuzzy = sum(1 for n in notes if n.startswith(("Read '", "Products whose name contains")))
    value -= 0.05 * fuzzy
    if fallback:
        value = min(value, 0.5)
    return round(max(0.05, min(value, 0.95)), 2)
