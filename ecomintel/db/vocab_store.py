"""The planner vocabulary (`Vocab`) kept in the tenant's cache entries, so a new process does not rescan sales.

Why: every question is planned against the tenant's vocabulary (dates, countries, SKU names, …), and building
it means DISTINCT/GROUP BY scans over all sales lines — ~1.3 s on the 541,909-line tenant, more than the
answer itself. The in-process memo (vocabulary.py) hides that in the app, but each `ecomintel ask` is a new
process. Stored per (tenant, data_version) like cached answers, it is read back in a few milliseconds; a new
upload bumps data_version, so a stored vocabulary never outlives its data.

Why the key carries a fingerprint of Vocab's fields: when a field is added or changes type, entries written by
the previous code are simply not found (and rebuilt) instead of failing to load. Changes to how a field is
computed are covered by the expiry (VOCAB_TTL_S, the same bound as cached answers) or by bumping VOCAB_FORMAT.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import fields
from datetime import date
from typing import Any

import sqlalchemy as sa

from ecomintel.db.cache_entries import CacheEntries
from ecomintel.db.vocab import Vocab

VOCAB_FORMAT = 2  # bump when what a stored vocabulary means changes without its fields changing
VOCAB_TTL_S = 3600

log = logging.getLogger(__name__)


def vocab_key() -> str:
    """`vocabulary:v<format>:<fingerprint of Vocab's field names and types>`."""
    shape = json.dumps([(f.name, str(f.type)) for f in fields(Vocab)])
    return f"vocabulary:v{VOCAB_FORMAT}:{hashlib.sha256(shape.encode()).hexdigest()[:16]}"


def vocab_to_json(vocab: Vocab) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, date):
            return value.isoformat()
        return list(value) if isinstance(value, tuple) else value

    return json.dumps({f.name: plain(getattr(vocab, f.name)) for f in fields(Vocab)}, ensure_ascii=False,
                      separators=(",", ":"))


def vocab_from_json(text: str) -> Vocab:
    """The Vocab written by vocab_to_json (dates and tuples restored from the field types)."""
    data = json.loads(text)
    values: dict[str, Any] = {}
    for f in fields(Vocab):
        value = data[f.name]
        kind = str(f.type)
        if value is not None and kind.startswith("date"):
            value = date.fromisoformat(value)
        elif kind.startswith("tuple"):
            value = tuple(value)
        values[f.name] = value
    return Vocab(**values)


def load_vocab(repo: CacheEntries, data_version: int) -> Vocab | None:
    """The stored vocabulary of repo's tenant at `data_version`, or None (never stored, expired, unreadable)."""
    found = repo.cache_entry(data_version, vocab_key())
    if found is None:
        return None
    try:
        return vocab_from_json(found[0])
    except (KeyError, TypeError, ValueError):
        return None


def store_vocab(repo: CacheEntries, data_version: int, vocab: Vocab) -> None:
    """Keep `vocab` for the next process; best effort (a busy database only costs the next one a rescan)."""
    try:
        repo.put_cache_entry(data_version, vocab_key(), vocab_to_json(vocab), VOCAB_TTL_S)
    except sa.exc.OperationalError as exc:
        log.warning("could not store the vocabulary", extra={"tenant_id": repo.tenant_id, "error": str(exc)})
