"""Typos of the words questions are made of ("custmers", "revnue", "prodcuts") read as the word meant.

Why before everything else: every later rule matches whole words, so one misspelt keyword would otherwise
turn "top custmers" into a product ranking or an unknown word. Only words the planner's rules use are
corrected (product names, countries and months have their own fuzzy matching against the tenant's data),
only words of 5+ letters with the same first letter, and never a word the tenant's catalogue uses. Each
correction is stated in the notes ("Read 'custmers' as 'customers'.") and lowers the confidence a little.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

KEYWORDS = (
    "customer", "customers", "revenue", "revenues", "product", "products", "orders", "quantity", "returns",
    "returned", "returning", "countries", "country", "category", "categories", "average", "weekly", "monthly",
    "quarterly", "daily", "turnover", "cancelled", "cancellations", "percentage", "compared", "compare",
    "breakdown", "between", "highest", "lowest", "biggest", "busiest", "quietest", "slowest", "worst",
    "repeat", "cohort", "cohorts", "retention", "share", "units", "items", "sales", "month", "quarter",
    "weekday", "weekend", "weekends", "spent", "spend", "bought", "buyers", "clients", "shoppers",
)
_KNOWN = frozenset(KEYWORDS)


def fix_keyword_typos(text: str, protected: frozenset[str] = frozenset()) -> tuple[str, list[str]]:
    """`text` with misspelt keywords replaced (case kept for the first letter), and a note per fix.
    `protected`: lower-case words that must stay as typed (the tenant's product-name words, countries)."""
    notes: list[str] = []

    def repl(match: re.Match[str]) -> str:
        word = match.group(0)
        low = word.lower()
        if len(low) < 5 or low in _KNOWN or low in protected:
            return word
        pool = [k for k in KEYWORDS if k[0] == low[0] and abs(len(k) - len(low)) <= 2]
        best = process.extractOne(low, pool, scorer=fuzz.ratio, score_cutoff=87) if pool else None
        if best is None:
            return word
        notes.append(f"Read '{word}' as '{best[0]}'.")
        return best[0].capitalize() if word[0].isupper() else best[0]

    return re.sub(r"[A-Za-z]+", repl, text), list(dict.fromkeys(notes))
