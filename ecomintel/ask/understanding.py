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
im en el la le au del des der die das
""".split())  # noqa: SIM905  (a word list reads best as text)
_WORD = re.compile(r"[a-z0-9£$€₹%'-]+")


def unused_words(text: str, spans: Spans) -> list[re.Match[str]]:
    """Words of the question that no rule read, leaving out function words, filler and structural words."""
    out = []
    for w in _WORD.finditer(text):
        word = w.group(0).strip("'-")
        if not word or word in FUNCTION_WORDS or word in K.FILLER or word in STOPWORDS:
            continue
        if any(a <= w.start() and w.end() <= b for a, b in spans):
            continue
        if (word.isdigit() and len(word) <= 2) or re.fullmatch(r"[%'£$€₹-]+", word):
            continue
        out.append(w)
    return out


def understood_share(text: str, spans: Spans) -> float:
    """Share of the question's meaningful words (not function words) that some rule read."""
    words = [w for w in _WORD.finditer(text) if w.group(0) not in FUNCTION_WORDS and w.group(0) not in K.FILLER]
    if not words:
        return 0.5
    ok = sum(1 for w in words if any(a <= w.start() and w.end() <= b for a, b in spans))
    return ok / len(words)


def looks_like_filter(text: str, word: re.Match[str]) -> bool:
    """An unused word right after "in/from/on/at/via/for …" (optionally "the") names a place, channel or
    segment the data does not have: "revenue in Paris", "sales on TikTok", "orders from wholesale"."""
    before = text[:word.start()].split()[-2:]
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
