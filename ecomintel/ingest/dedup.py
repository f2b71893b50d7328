"""Deduplication keys and in-file duplicate removal.

Why content keys: re-exported or overlapping files (October..November, then November..December) are the
normal case, so a line must be recognisable by what it says, not by where it came from. Sales lines are the
same line when (order_id, sku, quantity, unit_price, sold_at, customer_id) are identical; products are
keyed by (marketplace, sku) with the latest row winning; reviews by their external id, or a hash of their
content when the file has no id. The database's unique constraints enforce the same keys across uploads.
Sales line keys are a vectorised 64-bit hash (16 hex chars) since migration 0003 — see `line_keys` for why
and for the collision bound; review content keys stay md5 (reviews files are small).
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

KEY_SEPARATOR = "\x1f"  # unit separator: cannot appear in a CSV cell by accident


def _md5_hex(joined: pd.Series) -> pd.Series:
    md5 = hashlib.md5
    values = [md5(v.encode("utf-8")).hexdigest() for v in joined.tolist()]
    return pd.Series(values, index=joined.index, dtype=object)


LINE_KEY_FIELDS = ("order_id", "sku", "quantity", "unit_price", "sold_at", "customer_id")


def _hex16(hashed: np.ndarray) -> np.ndarray:
    """uint64 values → 16-char lower-case hex strings (object array), in one pass over the bytes."""
    text = np.ascontiguousarray(hashed, dtype=">u8").tobytes().hex().encode("ascii")
    return np.frombuffer(text, dtype="S16").astype("U16").astype(object)


def _text_or_empty(column: pd.Series) -> pd.Series:
    """Text with a missing value as '' on pandas 2 and 3 alike: pandas 2's astype(str) writes None as 'None'
    (pandas 3 keeps it missing), which would change the keys of lines without a customer."""
    return column.astype(object).where(column.notna(), "").astype("str")


def _hashable_text(column: pd.Series) -> pd.Series | pd.Categorical:
    """`column` as text ('' for missing) in a form `hash_pandas_object` hashes exactly as it hashes the text
    itself with `categorize=True`: an Arrow-backed column becomes a Categorical built from Arrow's
    dictionary encoding (C++), so only each distinct value becomes a Python string — converting every cell
    to a Python object first cost ~0.2 s of a 541,909-line load. Hashing a Categorical hashes its
    categories and takes them by code, which is what `categorize=True` does after factorizing."""
    if not hasattr(column.array, "__arrow_array__"):
        return _text_or_empty(column)
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pa.array(column.array)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    encoded = pc.fill_null(values, "").dictionary_encode()
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    categories = pd.Index(np.asarray(encoded.dictionary.to_pylist(), dtype=object))
    return pd.Categorical.from_codes(codes, categories=categories, validate=False)


def line_keys(frame: pd.DataFrame) -> pd.Series:
    """16-hex-char (64-bit) key of each sales line from its identifying fields (see module doc).

    Why a vectorised 64-bit hash instead of md5 per row: md5 over joined text cost ~1.3 s of a 541,909-line
    ingest (a Python call per row); `pd.util.hash_pandas_object` hashes whole columns in C (~0.3 s).
    Semantics are those of the md5 key it replaced: the six identifying values are hashed as values —
    numbers as float64 (`2.50` = `2.5`, `6` = `6.0`; -0.0 = 0.0), sold_at to the whole second (fractions
    were never part of the key), a missing customer = '' — so identical lines get identical keys.
    Collisions: with 2^64 values, a tenant with 10 million distinct lines has a ~3·10^-6 chance of ever
    seeing one (birthday bound n²/2^65), and a collision only ever merges two of that tenant's own lines.
    The hash is pandas' documented SipHash-based object hash with its fixed default key; a test pins known
    keys so that a pandas upgrade that changed it would fail loudly instead of breaking dedup against
    stored lines (migration 0003 re-keyed the lines stored under the md5 scheme)."""
    if frame.empty:
        return pd.Series([], index=frame.index, dtype=object)
    sold = frame["sold_at"].to_numpy(dtype="datetime64[s]").view("int64")  # floor to the second
    parts = pd.DataFrame({
        "order_id": _hashable_text(frame["order_id"]),
        "sku": _hashable_text(frame["sku"]),
        "quantity": frame["quantity"].to_numpy(dtype="float64") + 0.0,  # + 0.0 turns -0.0 into 0.0
        "unit_price": frame["unit_price"].to_numpy(dtype="float64") + 0.0,
        "sold_at": sold,
        "customer_id": _hashable_text(frame["customer_id"]),
    }, index=frame.index)
    hashed = pd.util.hash_pandas_object(parts, index=False, categorize=True).to_numpy(dtype="uint64")
    return pd.Series(_hex16(hashed), index=frame.index, dtype=object)


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
