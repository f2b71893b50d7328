"""Value normalisation: text cells → numbers, dates, ids, booleans. Vectorised over whole columns.

Why vectorised with a fast path: the common case (plain `2.55`, ISO dates) is parsed for the whole column
by pandas' C/Arrow code; only cells that fail go through the slower messy-format rules (`₹1,099`,
`1.234,56`, `31.12.2011`, Excel serials). A 50,000-row chunk therefore costs milliseconds, not seconds.
Unparseable values become NaN / NaT / None — never an exception — and validation turns them into reasons.
Nothing here evaluates a cell: `=1+2` is text, and stays text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_CODES = r"inr|usd|gbp|eur|aud|cad|jpy|chf|sek|nok|dkk|pln"
_CURRENCY_WORDS = rf"(?i)^(?:rs\.?|us\$|{_CODES})|(?:{_CODES})$|[₹$€£¥₩₽¢]"
_NUMBER_SHAPE = r"^([-+(]?)(-?)(\d[\d.,]*|[.,]\d+)(-?)(\)?)$"
_THOUSANDS_COMMA = r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$"
_INDIAN_COMMA = r"^\d{1,2}(?:,\d{2})*,\d{3}(?:\.\d+)?$"
_THOUSANDS_DOT = r"^\d{1,3}(?:\.\d{3}){2,}$"
# pandas 3's default string dtype (Arrow-backed, NaN for missing), named explicitly: on pandas 2 (which
# statsforecast/mlforecast pin) `astype("str")` gives Python objects, and every vectorised text operation
# below fell back to a per-cell Python loop.
TEXT = pd.StringDtype("pyarrow", na_value=np.nan)
_FLOAT_SUFFIX = r"^(-?\d+)\.0+$"  # `17850.0` → `17850`: a spreadsheet's integer id
_EXCEL_SERIAL_MIN, _EXCEL_SERIAL_MAX = 20000.0, 80000.0  # 1954-10-03 .. 2119-01-10

DATE_FORMATS_MONTHFIRST = ("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y", "%m/%d/%y %H:%M", "%m/%d/%y",
                           "%m-%d-%Y %H:%M", "%m-%d-%Y")
DATE_FORMATS_DAYFIRST = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y", "%d/%m/%y %H:%M", "%d/%m/%y",
                         "%d-%m-%Y %H:%M", "%d-%m-%Y")
DATE_FORMATS_OTHER = ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%d.%m.%y", "%Y/%m/%d %H:%M:%S",
                      "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y%m%d", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y",
                      "%b %d %Y", "%d-%b-%Y", "%d-%b-%y", "%a, %d %b %Y %H:%M:%S")


def as_text(s: pd.Series) -> pd.Series:
    """Stripped text ('' for missing) in pandas' string dtype (Arrow-backed: fast vectorised ops)."""
    if s.dtype != TEXT:
        s = s.astype(TEXT)
    s = s.fillna("")
    if hasattr(s.array, "__arrow_array__"):  # Arrow's trim in C++: pandas' strip() ran per cell in Python here
        import pyarrow as pa
        import pyarrow.compute as pc

        return _like(s, pc.utf8_trim_whitespace(pa.array(s.array)))
    return s.str.strip()


def _like(s: pd.Series, values: object) -> pd.Series:
    """Arrow string `values` (an Array or a ChunkedArray) as a series of `s`'s array type and index.

    Why not `pa.chunked_array([values])` always: given a ChunkedArray, pyarrow treats it as a sequence and
    converts it cell by cell (~80 ms per 50,000-line chunk; with 18 text columns per chunk that was 4.6 s
    of a 541,909-line sales load)."""
    import pyarrow as pa

    chunked = values if isinstance(values, pa.ChunkedArray) else pa.chunked_array([values])
    return pd.Series(type(s.array)(chunked), index=s.index)


def text_lengths(s: pd.Series) -> np.ndarray:
    """Characters per cell (0 for missing), vectorised in Arrow for an Arrow-backed column (pandas' str.len()
    fell back to a Python loop per cell for the NumPy-semantics string dtype)."""
    if hasattr(s.array, "__arrow_array__"):
        import pyarrow as pa
        import pyarrow.compute as pc

        return np.asarray(pc.fill_null(pc.utf8_length(pa.array(s.array)), 0).to_numpy(zero_copy_only=False))
    return np.asarray(s.astype(TEXT).str.len().fillna(0).to_numpy(), dtype="int64")


def clean_text(s: pd.Series) -> pd.Series:
    """Trimmed text, None for empty cells (object dtype, ready for the database)."""
    t = as_text(s)
    out = t.astype(object)
    out[t.eq("").to_numpy()] = None
    return out


def clean_id(s: pd.Series) -> pd.Series:
    """Identifiers: trimmed; float-looking integers from spreadsheets lose `.0` (`17850.0` → `17850`)."""
    t = as_text(s)
    floaty = t.str.contains(".", regex=False)
    if floaty.any():
        t = t.where(~floaty, t.str.replace(r"^(-?\d+)\.0+$", r"\1", regex=True))
    out = t.astype(object)
    out[t.eq("").to_numpy()] = None
    return out


def id_text(s: pd.Series) -> pd.Series:
    """`clean_id` kept in pandas' string dtype (missing = NA) — the sales path, which checks lengths, hashes
    and writes these columns, so converting them to Python objects here and back for every check cost
    more than the checks (the writers convert once)."""
    t = as_text(s)
    if t.str.contains(".", regex=False).any():  # the suffix pattern needs a dot: other cells stay as they are
        t = _drop_float_suffix(t)
    return _empty_as_missing(t)


def _empty_as_missing(t: pd.Series) -> pd.Series:
    """Text with '' as missing; for an Arrow-backed column in C++ (pandas' where() went cell by cell)."""
    if hasattr(t.array, "__arrow_array__"):
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = pa.array(t.array)
        return _like(t, pc.if_else(pc.equal(arr, ""), pa.scalar(None, type=arr.type), arr))
    return t.where(t.ne(""))


def _drop_float_suffix(t: pd.Series) -> pd.Series:
    """`17850.0` → `17850` for a whole column. Arrow's RE2 does it in C++ for an Arrow-backed column: pandas
    runs a replacement with a group reference through Python's `re` cell by cell (~0.1 s per 50,000-line
    chunk of customer ids, ~1 s of CPU of a 541,909-line sales load; bench/ingest.py)."""
    pattern, repl = _FLOAT_SUFFIX, r"\1"
    if hasattr(t.array, "__arrow_array__"):
        import pyarrow as pa
        import pyarrow.compute as pc

        return _like(t, pc.replace_substring_regex(pa.array(t.array), pattern=pattern, replacement=repl))
    return t.str.replace(pattern, repl, regex=True)


def optional_text(s: pd.Series) -> pd.Series:
    """`clean_text` kept in pandas' string dtype (missing = NA), for the same reason as `id_text`."""
    return _empty_as_missing(as_text(s))


def parse_number(s: pd.Series) -> pd.Series:
    """Numbers from `2.55`, `-3`, `₹1,099`, `$399.00`, `1.234,56`, `1,234.56`, `(12.50)`, `1,00,000`.

    Returns float64 with NaN for empty or unparseable cells (the caller tells the two apart)."""
    t = as_text(s)
    out = _plain_floats(t)
    todo = out.isna().to_numpy() & t.ne("").to_numpy()
    if todo.any():
        out[todo] = _parse_messy_numbers(t[todo]).to_numpy()
    values = out.to_numpy(dtype='float64', copy=True)
    values[~np.isfinite(values)] = np.nan
    return pd.Series(values, index=s.index, dtype="float64")


def _plain_floats(t: pd.Series) -> pd.Series:
    """Plain numbers (`2.55`, `-3`, `1e5`) as float64, NaN where a cell is not one. Fast path: Arrow's C++
    cast of the whole column (~10x faster than pd.to_numeric: 0.2 s of a 541,909-line sales load); it
    accepts the same plain forms, and any cell it refuses (empty, `₹1,099`, …) sends the whole column to
    pd.to_numeric as before. `+ 0.0` turns -0.0 into 0.0, as to_numeric's integer parse of `-0` did."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:  # Arrow strings as they are (pandas 3's str); others (pandas 2's object text) converted first
        arrow = (pa.array(t.array) if t.dtype == "str" or isinstance(t.dtype, pd.StringDtype)
                 else pa.array(t.to_numpy(dtype=object), type=pa.string(), from_pandas=True))
        values = pc.cast(arrow, pa.float64()).to_numpy(zero_copy_only=False)
        return pd.Series(values + 0.0, index=t.index, dtype="float64")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, TypeError):
        pass
    return pd.to_numeric(t, errors="coerce").astype("float64")


def _parse_messy_numbers(t: pd.Series) -> pd.Series:
    t = t.str.replace("[\\s\u00a0\u202f']", "", regex=True).str.replace(_CURRENCY_WORDS, "", regex=True)
    parts = t.str.extract(_NUMBER_SHAPE)
    num = parts[2].fillna("")
    negative = (parts[0].eq("-") | parts[1].eq("-") | parts[3].eq("-")
                | (parts[0].eq("(") & parts[4].eq(")"))).fillna(False)
    bad_parens = (parts[0].eq("(") ^ parts[4].eq(")")).fillna(False)
    signs = parts[0].isin(["-", "+", "("]).astype(int) + parts[1].eq("-").astype(int) + parts[3].eq("-").astype(int)
    bad_parens = bad_parens | signs.gt(1)
    has_dot, has_comma = num.str.contains(".", regex=False), num.str.contains(",", regex=False)
    last_comma, last_dot = num.str.rfind(","), num.str.rfind(".")
    thousands_comma = num.str.match(_THOUSANDS_COMMA) | num.str.match(_INDIAN_COMMA)
    both = has_dot & has_comma
    decimal_comma = (both & (last_comma > last_dot)) | (has_comma & ~has_dot & ~thousands_comma)
    cleaned = num.where(~decimal_comma, num.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    cleaned = cleaned.where(decimal_comma | ~has_comma, cleaned.str.replace(",", "", regex=False))
    dot_thousands = ~has_comma & num.str.match(_THOUSANDS_DOT)
    cleaned = cleaned.where(~dot_thousands, cleaned.str.replace(".", "", regex=False))
    values = pd.to_numeric(cleaned.replace("", np.nan), errors="coerce").astype("float64")
    values = values.where(~negative, -values)
    values[bad_parens.to_numpy()] = np.nan
    return values


def parse_percent(s: pd.Series) -> pd.Series:
    """`64%` → 64.0, `12.5 %` → 12.5, `0.3` → 0.3 (the number as written, in percent units when marked)."""
    return parse_number(as_text(s).str.replace(r"\s*%$", "", regex=True))


def parse_int(s: pd.Series) -> pd.Series:
    """Whole numbers (`24,269` → 24269) as nullable Int64; fractional or unparseable → <NA>."""
    values = parse_number(s)
    whole = values.where(np.isclose(values, values.round()))
    return whole.round().astype("Int64")


def parse_bool(s: pd.Series) -> pd.Series:
    """yes/no, true/false, y/n, 1/0, verified → True/False; anything else → None."""
    t = as_text(s).str.lower()
    out = pd.Series(None, index=s.index, dtype=object)
    out[t.isin(["1", "true", "yes", "y", "t", "verified", "verified purchase"]).to_numpy()] = True
    out[t.isin(["0", "false", "no", "n", "f", "unverified"]).to_numpy()] = False
    return out


def parse_datetime(s: pd.Series) -> pd.Series:
    """Naive timestamps from ISO (`2011-12-09 12:50:00`, `…T…Z` → UTC), US (`12/31/2011 13:05`),
    EU (`31.12.2011`, `31/12/2011` when the day part shows it), month names and Excel serials (`40909`).

    Slash dates are read month-first unless some value in the column can only be day-first (a first
    part above 12) — the column decides, so one file is never read half one way and half the other."""
    t = as_text(s)
    out = _to_naive(pd.to_datetime(t, format="ISO8601", errors="coerce", utc=True))
    todo = out.isna().to_numpy() & t.ne("").to_numpy()
    if not todo.any():
        return out
    rest = t[todo]
    values = pd.Series(pd.NaT, index=rest.index, dtype="datetime64[ns]")
    numeric = pd.to_numeric(rest, errors="coerce")
    serial = numeric.between(_EXCEL_SERIAL_MIN, _EXCEL_SERIAL_MAX) & ~rest.str.contains(r"^\d{8}$", regex=True)
    if serial.any():
        values[serial] = pd.to_datetime(numeric[serial], unit="D", origin="1899-12-30").dt.round("s")
    slash = rest.str.extract(r"^(\d{1,2})[/-](\d{1,2})[/-]\d{2,4}")
    first, second = pd.to_numeric(slash[0], errors="coerce"), pd.to_numeric(slash[1], errors="coerce")
    dayfirst = bool((first > 12).any()) and not bool((second > 12).any())
    formats = ((DATE_FORMATS_DAYFIRST if dayfirst else DATE_FORMATS_MONTHFIRST) + DATE_FORMATS_OTHER)
    for fmt in formats:
        left = values.isna().to_numpy() & ~serial.to_numpy()
        if not left.any():
            break
        parsed = pd.to_datetime(rest[left], format=fmt, errors="coerce", utc=True)
        values[left] = _to_naive(parsed).to_numpy()
    out[todo] = values.to_numpy()
    return out


def _to_naive(values: pd.Series) -> pd.Series:
    """Timezone-aware timestamps → naive UTC (the schema stores naive UTC); ns resolution throughout."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    if values.dtype == object:  # mixed offsets: convert element-wise via utc=True
        values = pd.to_datetime(values, utc=True, errors="coerce").dt.tz_localize(None)
    if values.dtype != "datetime64[ns]":  # e.g. `0000` parses as year 0 at µs resolution: not a usable date
        values = values.where((values >= pd.Timestamp.min) & (values <= pd.Timestamp.max))
    return values.astype("datetime64[ns]")
