"""Title normalisation and model-number extraction (ecomintel/matching/normalize.py, codes.py).

Property tests over arbitrary text: normalisation is idempotent and never raises; every spelling of a
unit gives one form; model numbers come out compact and upper-case whatever the case and separators."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from ecomintel.matching.codes import agreement, compact, model_numbers
from ecomintel.matching.normalize import normalize_brand, normalize_title

# text like product titles: letters, digits, units, punctuation shops use, accents, quotes
TITLE_CHARS = st.sampled_from([*"abcxyzABCXYZ0123456789 -./,'\"()&+:;#®™é ü\t", "gb", " GB", "in", "inch", '"', "''",
                               "cu.ft.", "16"])
titles = st.lists(TITLE_CHARS, max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=80), titles))
def test_normalize_is_idempotent_and_total(text: str) -> None:
    once = normalize_title(text)
    assert normalize_title(once) == once
    assert once == once.strip() and "  " not in once
    assert once == once.lower()


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=80), titles))
def test_model_numbers_never_crash_and_are_compact(text: str) -> None:
    codes = model_numbers(text)
    assert all(re.fullmatch(r"[A-Z0-9]{4,}", c) for c in codes)
    assert len(codes) == len(set(codes))
    assert model_numbers(text.upper()) == model_numbers(text.lower())
    normalize_brand(text)  # never raises either


@given(st.integers(min_value=1, max_value=4096), st.sampled_from(["Transcend", "SanDisk Ultra", "Sony"]))
def test_capacity_spellings_are_equal(n: int, brand: str) -> None:
    forms = [f"{brand} {n}GB card", f"{brand} {n} GB card", f"{brand} {n}-gb card", f"{brand} {n} gigabyte card",
             f"{brand} {n} Gigabytes Card", f"{brand} {n}.0 GB card"]
    assert len({normalize_title(f) for f in forms}) == 1
    assert f"{n}gb" in normalize_title(forms[0]).split()


@given(st.integers(min_value=1, max_value=120))
def test_inch_spellings_are_equal(n: int) -> None:
    forms = [f'LG {n}" LCD TV', f"LG {n}' LCD TV", f"LG {n} in LCD TV", f"LG {n}-inch LCD TV",
             f"LG {n} Inches LCD TV", f"LG {n}in. LCD TV", f"LG {n}″ LCD TV"]
    assert {normalize_title(f) for f in forms} == {f"lg {n}in lcd tv"}


@given(st.from_regex(r"[A-Z]{2,4}-?[0-9]{2,5}[A-Z]{0,3}", fullmatch=True))
def test_a_code_is_found_whatever_its_spelling(code: str) -> None:
    want = compact(code)
    for spelling in (code, code.lower(), code.replace("-", ""), code.replace("-", "/"), code.replace("-", ".")):
        assert want in model_numbers(f"Acme Widget {spelling} black"), spelling


def test_examples() -> None:
    assert normalize_title("Toshiba SD-V296 DVD/VCR Combo") == "toshiba sdv296 dvd vcr combo"
    assert normalize_title("Sony 5-Disc CD Player") == "sony 5 disc cd player"
    assert normalize_title("Hewlett-Packard LaserJet") == normalize_title("HP LaserJet") == "hp laserjet"
    assert normalize_title("Nüvi 885T – 4.3\" GPS") == "nuvi 885t 4.3in gps"
    assert normalize_brand("SPECK PRODUCTS") == "speck"
    assert normalize_brand("UNIVERSAL REMOTE CONTROL, INC") == "universal remote control"
    assert model_numbers("Panasonic Viera TH-42PX80U 42' Plasma TV")[0] == "TH42PX80U"
    assert model_numbers("Samsung 16GB 1080p 42in 802.11n 2.4GHz USB 2.0 10/100 $399.00") == []
    assert "0101070400" in model_numbers("Garmin Lightweight GPS Case - 010-10704-00")
    assert "MDREX55WHI" in model_numbers("Ex Series Earbuds Wht - MDR EX55/WHI")


def test_agreement_levels() -> None:
    assert agreement(["TH42PX80U"], ["TH42PX80U"]) == ("exact", "TH42PX80U")
    assert agreement(["PSW110BK"], ["PSW110"])[0] == "prefix"
    assert agreement(["LN40A650"], ["LN46A650"])[0] == "variant"
    assert agreement(["TS4GSDHC6"], ["TS8GSDHC6"])[0] == "variant"
    assert agreement(["KDL46S4100"], ["DVPNC800HB"])[0] == "conflict"
    assert agreement([], ["DVPNC800HB"])[0] == "none"
