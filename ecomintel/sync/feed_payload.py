"""Turning a fetched feed (CSV or JSON bytes) into the bytes the ingestion pipeline reads.

Why convert JSON to CSV instead of a JSON reader in ingest: the pipeline (mapping, validation, rejects,
dedup, lineage, the duplicate-file check on sha256) is then exactly the one uploads go through; a JSON
feed is a list of flat-ish records, which `pandas.json_normalize` flattens (`price.amount` columns) and
the mapper maps like any CSV header.
"""

from __future__ import annotations

import io
import json
from typing import Any

from ecomintel.errors import InputError

LIST_KEYS = ("items", "data", "results", "records", "products", "orders", "reviews", "prices")


def records_of(document: Any, path: str | None = None) -> list[dict[str, Any]]:
    """The list of records in a JSON document: the document itself, `path` (dotted), or a usual key."""
    node = document
    if path:
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                raise InputError(f"The JSON feed has no {path!r}.", "Fix the feed's JSON path in Settings.")
            node = node[part]
    elif isinstance(node, dict):
        node = next((node[k] for k in LIST_KEYS if isinstance(node.get(k), list)), node)
    if isinstance(node, dict):
        node = [node]
    if not isinstance(node, list) or not all(isinstance(r, dict) for r in node):
        raise InputError("The JSON feed is not a list of records.",
                         "Return a JSON array of objects, or set the JSON path to the key that holds one.")
    return node


def json_to_csv(content: bytes, path: str | None = None) -> bytes:
    """CSV bytes of the records in a JSON payload; InputError for malformed or empty JSON."""
    import pandas as pd

    try:
        document = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"The feed is not valid JSON ({exc.__class__.__name__}: {str(exc)[:120]}).",
                         "Check the URL returns JSON, or set the feed format to CSV.") from exc
    records = records_of(document, path)
    if not records:
        raise InputError("The JSON feed has no records.", "Nothing to load; check the feed URL.")
    frame = pd.json_normalize(records, sep=".")
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")


def looks_like_json(content: bytes, content_type: str) -> bool:
    return "json" in content_type.lower() or content.lstrip()[:1] in (b"[", b"{")
