"""Currencies written into column names: `Price (EUR)`, `price_usd`, `Preis (€)`, `Selling Price (Rs.)`.

Why one reading of a header for two users: the mapper needs the name without its currency (so `Price (EUR)` is
the price field, like `Price`) and the validator needs the currency (so the file's prices are EUR when no cell
says otherwise). Both call `split_currency`, so they can never disagree about what a header says.

A header names a currency when exactly one currency appears in it as a token of its own — an ISO code of
ISO_CODES, a symbol (€ $ £ ₹ ¥ ₩ ₽), `US$`, `Rs`/`Rs.` or the word euro(s) — in any position and between any
brackets or separators. Why tokens, not patterns per spelling: exports write `Price (EUR)`, `price_eur`,
`EUR Price`, `Preis in EUR`, `Prix (en €)`, `Price, US$` …; splitting into words and symbols covers them all,
and a code inside a word (`Europe`, `Cadence`, `usdt`) is not a token, so it is never taken for a currency.
"""

from __future__ import annotations

import re

ISO_CODES = ("GBP", "USD", "EUR", "INR", "JPY", "AUD", "CAD", "CHF", "SEK", "NOK", "DKK", "PLN", "CNY", "KRW", "RUB",
             "NZD", "SGD", "HKD", "MXN", "BRL", "ZAR", "CZK", "HUF", "AED")
HEADER_SYMBOLS = {"US$": "USD", "$": "USD", "€": "EUR", "£": "GBP", "₹": "INR", "¥": "JPY", "₩": "KRW", "₽": "RUB"}
HEADER_WORDS = {"RS": "INR", "EURO": "EUR", "EUROS": "EUR"}  # Indian exports write `Price (Rs.)`; German `in Euro`
_CODES = frozenset(ISO_CODES)
_PIECES = re.compile(r"US\$|[^\W_]+|[$€£₹¥₩₽]", re.IGNORECASE)  # words (letters/digits, any script) and symbols
_LINKS = frozenset({"in", "en", "im"})  # `Preis in EUR`, `Prix en €`, `Betrag im EUR`: part of the decoration


def token_currency(piece: str) -> str | None:
    """The ISO code one word or symbol of a header stands for (None for an ordinary word)."""
    upper = piece.upper()
    if upper in _CODES:
        return upper
    return HEADER_SYMBOLS.get(upper) or HEADER_WORDS.get(upper)


def split_currency(header: str) -> tuple[str, str | None]:
    """(the header without its currency decoration, the ISO code) — `('Price', 'EUR')` for `Price (EUR)`;
    `(header, None)` when no currency, or more than one (`EUR/USD rate` is not a decorated price), is named.
    The rest is the header's words joined by spaces; `('', code)` when the header is only a currency."""
    text = str(header)
    pieces = _PIECES.findall(text)
    codes = [token_currency(p) for p in pieces]
    found = {c for c in codes if c is not None}
    if len(found) != 1:
        return text, None
    kept = [p for i, (p, c) in enumerate(zip(pieces, codes, strict=True))
            if c is None and not (p.lower() in _LINKS and i + 1 < len(codes) and codes[i + 1] is not None)]
    return " ".join(kept), found.pop()
