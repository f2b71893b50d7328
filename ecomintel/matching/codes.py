"""Model numbers (manufacturer part numbers) in product titles, and how two sets of them agree.

Why they matter most: `TH-42PX80U`, `TH42PX80U` and `th42px80u` name one product whatever else two shops
write around it, while two titles that are 90% the same words (`Samsung 40' LCD HDTV - LN40A650` vs
`... 46' ... LN46A650`) are different products. A code is a token that mixes letters and digits (or a long
digit run, as part numbers like `0101090800`), compared with separators removed and upper-cased.
Sizes and specs that look like codes (`16gb`, `1080p`, `42in`, `802.11n`, `2.4ghz`) are not codes.

Agreement levels (strongest first), used by the scorer and for the `method` of a pair:
    exact    a code equal on both sides
    prefix   one code extends the other by a short letter suffix (`PSW110` / `PSW110BK`, colour / region
             letters) or is contained in it (`TK903S` in `NNTK903S`)
    variant  same family, different variant: the codes share their letters but differ in one number
             (`TS4GSDHC6` / `TS16GSDHC6`, `LN40A650` / `LN46A650`) → a `related` pair, not `same`
    conflict both sides have codes and none of the above holds
    none     at least one side has no code
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

from ecomintel.matching.normalize import UNITS, fold

Agreement = Literal["exact", "prefix", "variant", "conflict", "none"]

_RUN = re.compile(r"[a-z0-9]+(?:[-./][a-z0-9]+)*")
_UNIT_SUFFIXES = "|".join(sorted(set(UNITS) | {"p", "i", "k", "th", "st", "nd", "rd", "s", "bit", "fps",
                                                "rpm", "dpi", "ppm", "hr", "hrs", "min", "yr", "ms", "db"},
                                               key=len, reverse=True))
_SPEC = re.compile(rf"\d+(?:\.\d+)?(?:{_UNIT_SUFFIXES})|\d+x\d+(?:{_UNIT_SUFFIXES})?|[hx]26[45]"
                   r"|\d+(?:\.\d+)?(?:x|:)\d+(?:\.\d+)?|802\.?11[a-z]*|[a-z]\d|\d[a-z]")
_MIN_LEN = 4
_DIGITS = re.compile(r"\d+")
_HAS_DIGIT = re.compile(r"\d")
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")
_SEPARATOR = re.compile(r"[-./]")
_DOT_SLASH = re.compile(r"[./]")
_MIN_DIGITS_ONLY = 5
_MIN_PART_LEN = 6  # a dash-separated part counts as a code of its own only when this long (`967562`-0403)
_COUNTED_WORD = re.compile(r"\d+-[a-z]{3,}")
_SPLIT_CODE = re.compile(r"(?<![a-z0-9])([a-z]{2,3}) ((?=[a-z0-9]{2})[a-z]{0,3}\d[a-z0-9]*(?:[-/][a-z0-9]+)?)"
                         r"(?![a-z0-9]|\.\d)")


def compact(code: str) -> str:
    """`TH-42PX80U` → `TH42PX80U`, `9N00.101` → `9N00101`, `vgnns190j/s` → `VGNNS190JS`."""
    return _NOT_ALNUM.sub("", str(code)).upper()


def _is_code(token: str) -> bool:
    if len(token) < _MIN_LEN or not _HAS_DIGIT.search(token):
        return False
    if token.isdigit():
        return len(token) >= _MIN_DIGITS_ONLY
    return not _SPEC.fullmatch(token.lower())


def model_numbers(text: str | None) -> list[str]:
    """Distinct compacted model numbers in `text`, in order of appearance (also each dash-separated part
    of a long code that is itself a code: `967562-0403` gives `9675620403` and `967562`)."""
    if not text:
        return []
    found: list[str] = []
    folded = fold(text)
    for match in _SPLIT_CODE.finditer(folded):  # `MDR EX55`, `KX TG4323B`, `RS 140`: a series prefix apart
        code = compact(match.group(1) + match.group(2))
        if _is_code(code) and not code.isdigit():
            found.append(code)
    for match in _RUN.finditer(folded):
        run = match.group(0).strip("-./")
        if len(run) < _MIN_LEN or not _HAS_DIGIT.search(run) or _COUNTED_WORD.fullmatch(run):
            continue  # too short, no digit, or `5-disc` / `4-port`
        candidates = [run]
        if _SEPARATOR.search(run):
            candidates += [p for p in _SEPARATOR.split(run) if len(p) >= _MIN_PART_LEN]
        for cand in candidates:
            if not _HAS_DIGIT.search(cand) or _SPEC.fullmatch(cand):
                continue
            code = compact(cand)
            if code.isdigit() and _DOT_SLASH.search(cand):
                continue  # `10/100`, `399.00`: numbers, not part numbers
            if _is_code(code) and code not in found:
                found.append(code)
    return found


def _stem(code: str) -> str:
    """The code up to and including its last digit (`PSW110BK` → `PSW110`, `LN40A650` → `LN40A650`)."""
    m = re.match(r"^(.*\d)", code)
    return m.group(1) if m else code


def agreement(left: Iterable[str], right: Iterable[str]) -> tuple[Agreement, str]:
    """How two code sets agree, and the code (pair) that decided it."""
    lcodes, rcodes = list(left), list(right)
    if not lcodes or not rcodes:
        return "none", ""
    rset = set(rcodes)
    for code in lcodes:
        if code in rset:
            return "exact", code
    best: tuple[int, Agreement, str] = (0, "conflict", "")
    for a in lcodes:
        for b in rcodes:
            short, long_ = (a, b) if len(a) <= len(b) else (b, a)
            if len(short) >= 5 and _stem(short) == _stem(long_) and short.isalnum():
                level: tuple[int, Agreement, str] = (3, "prefix", f"{a}~{b}")
            elif len(short) >= 5 and short in long_ and len(long_) - len(short) <= 3 and any(
                    ch.isalpha() for ch in short):
                level = (3, "prefix", f"{a}~{b}")
            elif _family(a, b):
                level = (2, "variant", f"{a}~{b}")
            else:
                continue
            if level[0] > best[0]:
                best = level
    return best[1], best[2]


def _family(a: str, b: str) -> bool:
    """Same model family: the same letters in the same order with different numbers in one place
    (`LN40A650` / `LN46A650`, `TS4GSDHC6` / `TS16GSDHC6`), long enough that it is not chance."""
    if min(len(a), len(b)) < 6 or _DIGITS.sub("#", a) != _DIGITS.sub("#", b):
        return False
    if sum(ch.isalpha() for ch in a) < 2:
        return False
    runs = [(x, y) for x, y in zip(_DIGITS.findall(a), _DIGITS.findall(b), strict=True) if x != y]
    return len(runs) == 1
