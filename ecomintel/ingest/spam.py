"""Review spam flags: cheap, explainable heuristics computed at ingest time.

Why flags and not deletion: a heuristic can be wrong, so suspicious reviews are stored with
`is_spam` and the reasons, and the sentiment views can exclude them (and show how many) instead of the
data silently disappearing.
"""

from __future__ import annotations

import warnings

import pandas as pd

LINK = r"(?i)https?://|www\.|\b[\w.+-]+@[\w-]+\.[a-z]{2,}\b|\b(?:\+?\d[\d\s-]{8,}\d)\b"
PROMO = (r"(?i)\b(?:promo code|discount code|buy now|click here|free gift|whatsapp|telegram|"
         r"visit my (?:shop|store|page|channel)|follow me|dm me|limited offer)\b")
REPEAT = r"([^\W\d_])\1{9,}"  # the same letter 10+ times ("soooo" and "....." are normal enthusiasm)
# A whole review made only of these words, 1-4 of them ("Good", "nice product", "Love it!!"), says nothing about
# the product: the typical filler of incentivised or bulk reviews. Product nouns ("dress", "charger") are absent
# on purpose, so "beautiful dress" is not flagged.
GENERIC_WORDS = frozenset("""
good great nice ok okay fine awesome excellent perfect super cool love loved like liked it its this that product
item items very so really the a is was nice quality bad poor worst best amazing wow thanks thank you recommended
recommend value money for stars star buy must happy satisfied superb fantastic wonderful brilliant top good
""".split())  # noqa: SIM905  (a word list reads best as text)
GENERIC = r"^(?:(?:" + "|".join(sorted(GENERIC_WORDS)) + r")\s*){1,4}$"


def spam_flags(text: pd.Series, title: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(is_spam bool Series, reasons Series of '; '-joined text or None) for review texts and titles."""
    body = (title.astype("str").fillna("") + " " + text.astype("str").fillna("")).str.strip()
    checks = {
        "contains a link or contact": body.str.contains(LINK, regex=True),
        "promotional wording": body.str.contains(PROMO, regex=True),
        "repeated characters": _has_repeat(body),
        "mostly capital letters": _shouting(body),
    }
    norm = text.astype("str").fillna("").str.lower().str.replace(r"\W+", " ", regex=True).str.strip()
    checks["same text as another review"] = (norm.str.len() >= 20) & norm.duplicated(keep=False)
    words = (title.fillna("").astype("str") + " " + text.fillna("").astype("str")).str.lower()
    words = words.str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip()
    checks["very short generic text"] = words.str.match(GENERIC) & text.notna()
    reasons = pd.Series("", index=text.index, dtype="str")
    for label, mask in checks.items():
        mask = mask.fillna(False).astype(bool)
        reasons = reasons.where(~mask, reasons + "; " + label)
    reasons = reasons.str.lstrip("; ")
    flagged = reasons.ne("")
    out = reasons.astype(object).where(flagged, None)
    return flagged.astype(bool), out


def _shouting(body: pd.Series) -> pd.Series:
    letters = body.str.count(r"[A-Za-z]")
    capitals = body.str.count(r"[A-Z]")
    return (letters >= 20) & (capitals >= 0.7 * letters)


def _has_repeat(body: pd.Series) -> pd.Series:
    with warnings.catch_warnings():  # the back-reference needs a group; pandas warns about groups
        warnings.simplefilter("ignore", UserWarning)
        return body.str.contains(REPEAT, regex=True)
