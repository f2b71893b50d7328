"""The words questions are made of, in German, French and Spanish, read as the English word they mean.

Why: an analyst in Hamburg types "Top-Kunden nach Umsatz 2011", one in Lyon "ventes par mois". The period
parser already reads foreign month names; this table does the same for the structural words (customers,
orders, products, by month, per country …), so the English rules read the question and nothing is guessed.
Only words that are not also English words are translated ("clients" and "pays" stay as typed, since both are
English too), and "par"/"por"/"nach"/"pro" only before a word this table translates ("par mois" → "by
month"; "below par" stays). Each translation is stated in the notes, as typo fixes are.
Product names are never touched: words of the tenant's catalogue are protected, as in ask/typos.py.
"""

from __future__ import annotations

import re

WORDS: dict[str, str] = {
    # German
    "kunden": "customers", "kunde": "customer", "bestellungen": "orders", "bestellung": "order",
    "aufträge": "orders", "produkte": "products", "produkt": "product", "artikel": "products",
    "stück": "units", "stückzahl": "units", "länder": "countries", "monat": "month", "monate": "months",
    "monatlich": "monthly", "woche": "week", "wochen": "weeks", "wöchentlich": "weekly", "jahr": "year",
    "quartal": "quarter", "besten": "best", "beste": "best", "meistverkauften": "best-selling",
    "umsätze": "revenue", "verkäufe": "sales", "rückgaben": "returns", "retouren": "returns",
    "stornierungen": "cancellations", "neukunden": "new customers", "tage": "days",
    "wochentag": "weekday",
    # French
    "commandes": "orders", "commande": "order", "produits": "products", "produit": "product",
    "unités": "units", "mois": "month", "semaine": "week", "semaines": "weeks", "année": "year",
    "trimestre": "quarter", "meilleurs": "best", "meilleures": "best", "retours": "returns",
    "clientèle": "customers", "jour": "day", "jours": "days", "hebdomadaire": "weekly", "mensuel": "monthly",
    "mensuelles": "monthly", "mensuels": "monthly",
    # Spanish
    "clientes": "customers", "pedidos": "orders", "pedido": "order", "productos": "products",
    "producto": "product", "unidades": "units", "países": "countries", "país": "country", "mes": "month",
    "meses": "months", "semana": "week", "semanas": "weeks", "año": "year", "mejores": "best",
    "devoluciones": "returns", "día": "day", "días": "days", "mensual": "monthly", "semanal": "weekly",
}
# "by"/"per" words that are English words or names too: translated only before a foreign unit word
# translated above: "par mois", "nach Land", "por país", "pro Woche".
BY_WORDS: dict[str, str] = {"par": "by", "por": "by", "nach": "by", "pro": "per", "je": "per"}
_UNIT_AFTER = frozenset({"month", "months", "week", "weeks", "year", "day", "days", "country", "countries",
                         "product", "products", "customer", "customers", "quarter", "weekday"})
_EXTRA_AFTER = {"land": "country", "pays": "country"}  # after a by-word only: "nach Land", "par pays"


def translate_question(text: str, protected: frozenset[str] = frozenset()) -> tuple[str, list[str]]:
    """`text` with the table's German, French and Spanish words in English, and one note per word read.
    `protected`: lower-case words the tenant's catalogue or countries use (they stay as typed)."""
    notes: list[str] = []
    tokens = re.split(r"(\W+)", text)  # words at even positions, separators at odd ones
    out = list(tokens)
    for i in range(0, len(tokens), 2):
        word = tokens[i]
        low = word.lower()
        if not low or low in protected:
            continue
        english = WORDS.get(low)
        if english is None and low in BY_WORDS:
            nxt = tokens[i + 2].lower() if i + 2 < len(tokens) else ""
            following = WORDS.get(nxt) or _EXTRA_AFTER.get(nxt)  # a foreign word: "below par products" is English
            if following is not None and following.split()[-1] in _UNIT_AFTER:
                english = BY_WORDS[low]
                if nxt in _EXTRA_AFTER:
                    out[i + 2] = _EXTRA_AFTER[nxt]
                    notes.append(f"Read '{tokens[i + 2]}' as '{_EXTRA_AFTER[nxt]}'.")
        if english is not None:
            out[i] = english
            notes.append(f"Read '{word}' as '{english}'.")
    return "".join(out), list(dict.fromkeys(notes))
