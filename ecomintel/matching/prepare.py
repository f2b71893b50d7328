"""One catalogue frame → the per-row facts every later step reads (normalised title, codes, brand, price).

Why a separate step: each row is normalised once (not once per candidate pair), and the matcher's input
contract (`id`, `title`, optional `brand`, `description`, `price`) is checked in one place with a clear
message instead of a KeyError deep inside scoring.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

from ecomintel.errors import InputError
from ecomintel.matching.codes import model_numbers
from ecomintel.matching.normalize import normalize_brand, normalize_title

_CURRENCIES = (("$", "usd"), ("usd", "usd"), ("us$", "usd"), ("£", "gbp"), ("gbp", "gbp"), ("€", "eur"),
               ("eur", "eur"), ("₹", "inr"), ("inr", "inr"), ("rs", "inr"), ("¥", "jpy"), ("jpy", "jpy"),
               ("cad", "cad"), ("aud", "aud"), ("chf", "chf"))
_NUMBER = re.compile(r"\d[\d.,'\s]*")


@dataclass
class Side:
    """One catalogue, row-aligned lists."""

    ids: list[str]
    titles: list[str]          # normalised
    codes: list[list[str]]     # model numbers in the title
    desc_codes: list[list[str]]  # model numbers in the description only (weaker evidence)
    brands: list[str]          # normalised brand ('' unknown)
    prices: list[float]        # nan when absent/unparseable
    currencies: list[str]      # '' when the cell names none


def parse_price(cell: object) -> tuple[float, str]:
    """`$1,299.00` → (1299.0, 'usd'); `1.299,00 €` → (1299.0, 'eur'); `24.99 GBP` → (24.99, 'gbp');
    unparseable or non-positive → (nan, '')."""
    if _missing(cell):
        return math.nan, ""
    if isinstance(cell, int | float):
        return (float(cell), "") if cell > 0 else (math.nan, "")
    text = str(cell).strip().lower()
    currency = next((code for mark, code in _CURRENCIES if mark in text), "")
    match = _NUMBER.search(text)
    if not match:
        return math.nan, currency
    number = re.sub(r"[\s']", "", match.group(0)).rstrip(".,")
    if "," in number and "." in number:
        number = number.replace(",", "") if number.rfind(".") > number.rfind(",") else \
            number.replace(".", "").replace(",", ".")
    elif "," in number:
        head, _, tail = number.rpartition(",")
        number = number.replace(",", "") if len(tail) == 3 else f"{head.replace(',', '')}.{tail}"
    try:
        value = float(number)
    except ValueError:
        return math.nan, currency
    return (value, currency) if value > 0 else (math.nan, currency)


def _column(frame: pd.DataFrame, name: str) -> list[object]:
    if name not in frame.columns:
        return [None] * len(frame)
    return [None if _missing(v) else v for v in frame[name].tolist()]


def _missing(value: object) -> bool:
    """None, NaN, pd.NA, NaT (what a frame from a database or read_csv holds for an empty cell)."""
    try:
        return value is None or bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def prepare(frame: pd.DataFrame, side: str, brand_vocab: frozenset[str] = frozenset()) -> Side:
    """Check the contract and compute the facts of every row; `brand_vocab` (normalised brands seen in
    either catalogue's brand column) lets a title's leading words name the brand when no column does."""
    missing = [c for c in ("id", "title") if c not in frame.columns]
    if missing:
        raise InputError(f"The {side} catalogue has no {' or '.join(missing)} column.",
                         f"match_products needs columns id and title; it has: {', '.join(map(str, frame.columns))}.")
    raw_titles = ["" if t is None else str(t) for t in _column(frame, "title")]
    titles = [normalize_title(t) for t in raw_titles]
    descriptions = ["" if d is None else str(d) for d in _column(frame, "description")]
    codes = [model_numbers(t) for t in raw_titles]
    for row, cell in enumerate(_column(frame, "model")):  # a model-number column, when the export has one
        for code in model_numbers(None if cell is None else str(cell)):
            if code not in codes[row]:
                codes[row].append(code)
    desc_codes = [[c for c in model_numbers(d[:400]) if c not in own] for d, own in zip(descriptions, codes,
                                                                                       strict=True)]
    brands = [normalize_brand(None if b is None else str(b)) for b in _column(frame, "brand")]
    brands = [b or title_brand(t, brand_vocab) for b, t in zip(brands, titles, strict=True)]
    parsed = [parse_price(p) for p in _column(frame, "price")]
    return Side(ids=[str(i) for i in frame["id"].tolist()], titles=titles, codes=codes, desc_codes=desc_codes,
                brands=brands, prices=[p for p, _ in parsed], currencies=[c for _, c in parsed])


def title_brand(title: str, vocab: frozenset[str]) -> str:
    """The known brand the normalised title starts with (longest first, up to three words), or ''."""
    words = title.split()
    for n in (3, 2, 1):
        if len(words) >= n and " ".join(words[:n]) in vocab:
            return " ".join(words[:n])
    return ""


def brand_vocabulary(*frames: pd.DataFrame) -> frozenset[str]:
    """Normalised brands named in the frames' brand columns (corporate words dropped: `Sony Electronics`
    → `sony`)."""
    vocab: set[str] = set()
    for frame in frames:
        for cell in _column(frame, "brand"):
            brand = normalize_brand(None if cell is None else str(cell))
            if len(brand) >= 2:
                vocab.add(brand)
    return frozenset(vocab)
