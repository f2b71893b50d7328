"""Deduplication keys and in-file duplicate removal.

Why content keys: re-exported or overlapping files (October..November, then November..December) are the
normal case, so a line must be recognisable by what it says, not by where it came from. Sales lines are the
same line when (order_id, sku, quantity, unit_price, sold_at, customer_id) are identical; products are
keyed by (marketplace, sku) with the latest row winning; reviews by their external id, or a hash of their
content when the file has no id. The database's unique constraints enforce the same keys across uploads.
"""

from __future__ import annotations

import hashlib

import pandas as pd

KEY_SEPARATOR = "\x1f"  # unit separator: cannot appear in a CSV cell by accident


def _md5_hex(joined: pd.Series) -> pd.Series:
    md5 = hashlib.md5
    values = [md5(v.encode("utf-8")).hexdigest() for v in joined.tolist()]
    return pd.Series(values, index=joined.index, dtype=object)


def _canonical_number(values: pd.Series) -> pd.Series:
    """Numbers as text that is equal exactly when the numbers are (`2.50`, `2.5` → `2.5`; `6.0` → `6`)."""
    text = values.astype("float64").map(repr).astype("str")
    return text.str.replace(r"\.0$", "", regex=True)


def line_keys(frame: pd.DataFrame) -> pd.Series:
    """32-hex-char key of each sales line from its identifying fields (see module doc)."""
    sep = KEY_SEPARATOR
    sold = frame["sold_at"].dt.strftime("%Y-%m-%dT%H:%M:%S").astype("str")
    joined = (frame["order_id"].astype("str") + sep + frame["sku"].astype("str") + sep
              + _canonical_number(frame["quantity"]) + sep + _canonical_number(frame["unit_price"]) + sep
              + sold + sep + frame["customer_id"].astype("str").fillna(""))
    return _md5_hex(joined.fillna(""))


def content_keys(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """32-hex-char hash of the given columns' text (reviews without an external id)."""
    joined = pd.Series("", index=frame.index, dtype="str")
    for i, c in enumerate(columns):
        part = frame[c].astype("str").fillna("")
        joined = part if i == 0 else joined + KEY_SEPARATOR + part
    return _md5_hex(joined)


def drop_in_file_duplicates(frame: pd.DataFrame, keys: list[str], keep: str = "first") -> tuple[pd.DataFrame, int]:
    """The frame without repeated keys (`keep` "first" for identical lines, "last" for latest-wins) and
    how many rows were dropped."""
    dup = frame.duplicated(subset=keys, keep="last" if keep == "last" else "first")
    dropped = int(dup.sum())
    return (frame[~dup.to_numpy()] if dropped else frame), dropped
