"""Rows a connector built itself → CSV bytes for the ingestion pipeline (same validation, rejects, lineage)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any


def rows_to_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> bytes:
    """CSV with exactly `columns` (missing values empty); None is written as an empty cell."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: "" if row.get(c) is None else row.get(c) for c in columns})
    return buffer.getvalue().encode("utf-8")
