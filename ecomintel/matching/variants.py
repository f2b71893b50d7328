"""Variants: the same model family in another size, colour or capacity — `related`, never `same`.

Why: `Transcend 4GB SDHC Card` and `Transcend 8GB SDHC Card` are 95% the same text and a different
product at a different price; matching them as `same` would compare our 8 GB price with their 4 GB one.
A pair is a variant when both titles state the same kind of attribute with different values (a capacity,
a screen size, a colour, a version after the same word, a year: `Office 2007` / `Office 2003`, a platform: Mac / Windows) or when their model numbers are one family (see codes.agreement) — unless an
equal model number says they are one product (shops disagree on `32"` vs `31.5"` for the same TV).
"""

from __future__ import annotations

import re

COLOURS = frozenset({
    "black", "white", "silver", "red", "blue", "green", "pink", "purple", "yellow", "orange", "gold", "grey",
    "gray", "brown", "beige", "titanium", "graphite", "bronze", "ivory", "navy", "teal", "charcoal", "champagne",
})
PLATFORMS = {"mac": "mac", "macintosh": "mac", "osx": "mac", "win": "windows", "windows": "windows", "pc": "windows",
             "winxp": "windows", "vista": "windows", "linux": "linux"}
# attribute units whose differing values mean a different product (not `x` zoom or `w` watts: shops
# quote peak vs RMS power, optical vs digital zoom for one model)
VARIANT_UNITS = ("gb", "tb", "mb", "in", "mp", "mah", "pk", "pcs", "ghz", "oz", "lb", "ml", "l", "mm")
_VERSION = re.compile(r"(?<![a-z0-9.])([a-z]{2,}) (\d+\.\d+)(?![a-z0-9.])")
_YEAR = re.compile(r"(?<![a-z0-9.])((?:19[89]|20[0-3])\d)(?![a-z0-9.])")
_ATTR = re.compile(r"(?<![a-z0-9.])(\d+(?:\.\d+)?)(" + "|".join(VARIANT_UNITS) + r")(?![a-z0-9])")


def attributes(normalized: str) -> dict[str, frozenset[str]]:
    """{'gb': {'8'}, 'in': {'42'}, 'usb version': {'2.0'}, 'year': {'2007'}, 'colour': {'black'}} from a
    normalised title (a version is keyed by the word before it, so `usb 2.0` never disagrees with `dect 6.0`)."""
    found: dict[str, set[str]] = {}
    for value, unit in _ATTR.findall(normalized):
        found.setdefault(unit, set()).add(value)
    for word, value in _VERSION.findall(normalized):  # `usb 3.0`, `dect 6.0`: keyed by the word before
        found.setdefault(f"{word} version", set()).add(value)
    for year in _YEAR.findall(normalized):  # `office 2007` / `office professional 2003`: word order varies
        found.setdefault("year", set()).add(year)
    platforms = {PLATFORMS[w] for w in normalized.split() if w in PLATFORMS}
    if platforms:  # `for Mac` vs `Windows`: the same software, another product
        found["platform"] = platforms
    colours = {w for w in normalized.split() if w in COLOURS}
    if colours:
        found["colour"] = colours
    return {k: frozenset(v) for k, v in found.items()}


def attribute_conflict(a: dict[str, frozenset[str]], b: dict[str, frozenset[str]]) -> str:
    """The first attribute both state with no value in common ('' when none): `gb`, `in`, `colour` …"""
    for key in sorted(set(a) & set(b)):
        if not (a[key] & b[key]):
            return key
    return ""
