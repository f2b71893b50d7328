"""Title normalisation: the one text form both catalogues are compared in.

Why one canonical form: two shops write the same product differently — `16GB` / `16 gb` / `16-Gigabyte`,
`42"` / `42'` / `42 in` / `42-inch`, `Hewlett-Packard` / `HP`, `SD-V296` / `SDV296`, accents, case and
punctuation. Every scorer downstream (rapidfuzz, TF-IDF) then compares meaning, not spelling.

The function is idempotent (normalising a normalised title changes nothing; tests check it with
hypothesis), so normalised text can be stored and re-normalised safely.

Why `'` after a number means inches here: scraped catalogues often replace `"` by `'` (CSV quoting), and a
size in a product title is far more often a screen/speaker/bag size in inches than a length in feet; both
sides are normalised alike, so a shop that writes `42"` meets one that writes `42'`. Feet are spelled
`ft`/`feet`/`foot` in every catalogue we have seen.
"""

from __future__ import annotations

import re
import unicodedata

# unit spellings → canonical suffix (applied only right after a number)
UNITS: dict[str, str] = {
    "gb": "gb", "gig": "gb", "gigs": "gb", "gigabyte": "gb", "gigabytes": "gb",
    "tb": "tb", "terabyte": "tb", "terabytes": "tb",
    "mb": "mb", "megabyte": "mb", "megabytes": "mb",
    "kb": "kb", "kilobyte": "kb", "kilobytes": "kb",
    "ghz": "ghz", "mhz": "mhz", "khz": "khz", "hz": "hz", "hertz": "hz",
    "in": "in", "inch": "in", "inches": "in", "inchs": "in",
    "ft": "ft", "feet": "ft", "foot": "ft",
    "mm": "mm", "millimeter": "mm", "millimeters": "mm", "millimetre": "mm", "millimetres": "mm",
    "cm": "cm", "centimeter": "cm", "centimeters": "cm", "centimetre": "cm", "centimetres": "cm",
    "m": "m", "meter": "m", "meters": "m", "metre": "m", "metres": "m",
    "mp": "mp", "megapixel": "mp", "megapixels": "mp", "mpix": "mp",
    "w": "w", "watt": "w", "watts": "w",
    "v": "v", "volt": "v", "volts": "v",
    "mah": "mah",
    "lb": "lb", "lbs": "lb", "pound": "lb", "pounds": "lb",
    "oz": "oz", "ounce": "oz", "ounces": "oz",
    "kg": "kg", "kilogram": "kg", "kilograms": "kg",
    "g": "g", "gram": "g", "grams": "g",
    "ml": "ml", "l": "l", "liter": "l", "liters": "l", "litre": "l", "litres": "l",
    "x": "x",
    "pk": "pk", "pack": "pk", "pcs": "pcs", "piece": "pcs", "pieces": "pcs",  # not `pc`: `Office 2003 PC`
    "ch": "ch", "channel": "ch",
}

# brand spellings → one name (matched as whole words, after lower-casing and punctuation removal)
BRAND_ALIASES: dict[str, str] = {
    "hewlett packard": "hp",
    "tom tom": "tomtom",
    "polkaudio": "polk audio",
    "western digital": "wd",
    "d link": "dlink",
    "bang olufsen": "b&o",
    "jvc kenwood": "jvc",
    "sonyericsson": "sony ericsson",
    "lg electronics": "lg",
    "samsung electronics": "samsung",
    "apple computer": "apple",
}

# words that end a company name and say nothing about the brand ("Speck Products", "Sony Corporation")
CORPORATE_WORDS = frozenset({
    "inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited", "llc", "gmbh", "ag", "sa",
    "plc", "electronics", "technologies", "technology", "international", "information", "products", "usa",
    "america", "americas", "group", "industries", "systems", "digital", "computer", "computers", "software",
})

_UNIT_NAMES = "|".join(sorted(UNITS, key=len, reverse=True))
_NUMBER_UNIT = re.compile(rf"(?<![a-z0-9])(\d+(?:\.\d+)?)\s*-?\s*({_UNIT_NAMES})(?![a-z0-9])")
_INCH_MARK = re.compile(r"(\d)\s*(?:\"|''|'|”|″|′)")
_CUFT = re.compile(r"\bcu\.?\s*ft\b\.?")
_DECIMAL_COMMA = re.compile(r"(\d),(\d{3})(?!\d)")
_JOIN = re.compile(r"(?<![a-z0-9])([a-z0-9]+(?:[-./][a-z0-9]+)+)(?![a-z0-9])")
_NON_WORD = re.compile(r"[^a-z0-9&+./-]+")
_SEPARATORS = re.compile(r"[-/]+")
_COUNTED_WORD = re.compile(r"\d+-[a-z]{3,}")
_DECIMAL = re.compile(r"\d+\.\d+[a-z]*")
_DOT_EDGE = re.compile(r"(?<!\d)\.|\.(?!\d)")
_SPACES = re.compile(r"\s+")
_BRAND_ALIAS = re.compile(r"\b(" + "|".join(re.escape(k) for k in sorted(BRAND_ALIASES, key=len, reverse=True))
                          + r")\b")


def fold(text: str) -> str:
    """Case-folded (`ß` → `ss`), accents removed (`Nüvi` → `nuvi`), compatibility forms folded (`²` → `2`)."""
    text = str(text)
    if text.isascii():  # the common case, ~20× faster than the per-character pass below
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()


def _join_code(match: re.Match[str]) -> str:
    """`sd-v296` → `sdv296`, `f5u237-apl-s` → `f5u237apls`: a hyphen/dot/slash-joined run is one code when
    it mixes letters and digits; otherwise (`dvd/vcr`, `10/100`, `5-disc`) it is split into words."""
    run = match.group(1)
    compact = re.sub(r"[-./]", "", run)
    if _DECIMAL.fullmatch(run):
        return run  # `4.3in`, `2.4ghz`: a decimal value, not a code
    if _COUNTED_WORD.fullmatch(run):
        return run.replace("-", " ")  # `5-disc`, `4-port`: a count and a word
    if re.search(r"[a-z]", compact) and re.search(r"\d", compact):
        parts = re.split(r"[-./]", run)
        if all(re.fullmatch(r"\d+(?:gb|tb|mb|in|mm|cm|hz|w|v|x|mp|p)?", p) for p in parts):
            return " ".join(parts)  # `8gb/16gb`, `4x6in`-like lists of sizes are separate values
        return compact
    return run.replace("-", " ").replace("/", " ")


def normalize_title(text: str) -> str:
    """The canonical form of a product title (see the module docstring); '' for empty/None-like input."""
    if text is None:
        return ""
    t = fold(text)
    if not t.strip():
        return ""
    t = _INCH_MARK.sub(r"\1in ", t)
    t = _CUFT.sub("cuft", t)
    t = _DECIMAL_COMMA.sub(r"\1\2", t)
    t = t.replace("&amp;", "&")
    t = _NON_WORD.sub(" ", t)
    t = _DOT_EDGE.sub(" ", t)
    t = _JOIN.sub(_join_code, t)
    t = _SEPARATORS.sub(" ", t)
    t = _DOT_EDGE.sub(" ", t)
    t = _NUMBER_UNIT.sub(lambda m: f"{_strip_zero(m.group(1))}{UNITS[m.group(2)]}", t)
    t = _BRAND_ALIAS.sub(lambda m: BRAND_ALIASES[m.group(1)], t)
    return _SPACES.sub(" ", t).strip()


def _strip_zero(number: str) -> str:
    """`2.0` → `2`, `1.50` → `1.5` (so `2.0 GB` and `2GB` agree)."""
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    return number or "0"


def normalize_brand(text: str | None) -> str:
    """A brand/manufacturer cell as one comparable name: `SPECK PRODUCTS` → `speck`, `Hewlett-Packard` → `hp`,
    `UNIVERSAL REMOTE CONTROL, INC` → `universal remote control`; '' when empty."""
    if text is None:
        return ""
    words = normalize_title(str(text)).split()
    while len(words) > 1 and words[-1] in CORPORATE_WORDS:
        words.pop()
    return " ".join(words)


def tokens(normalized: str) -> list[str]:
    """Words of a normalised title."""
    return normalized.split()
