"""CSV export that is safe to open in a spreadsheet (formula-injection neutralised).

Why: rejected rows are shown and downloaded exactly as uploaded, and an uploaded cell like
`=HYPERLINK("http://evil", "x")` or `@SUM(1+1)` would run as a formula when the download is opened in
Excel/LibreOffice. Text cells starting with = + - @ (or tab / carriage return) get a leading apostrophe,
which spreadsheets show as plain text; plain numbers such as `-5` are left alone.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def neutralise(value: Any) -> Any:
    """One cell: text that a spreadsheet would treat as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` with every text cell (and column name) neutralised."""
    out = df.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for c in out.columns:
        col = out[c]
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
            out[c] = col.astype(object).map(neutralise)
    return out


def to_safe_csv(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV bytes (with BOM, so Excel reads accents right) of `df`, formula-injection neutralised."""
    return safe_frame(df).to_csv(index=False).encode("utf-8-sig")
