"""CacheEntries: a tenant's derived data keyed by (data_version, key) — the database behind the answer cache
when Redis is not configured (ecomintel.cache.DatabaseCache) and the planner vocabulary (vocab_store.py).

Why in the repository: a cached answer is tenant data like any other, so it is read and written only through
the tenant-scoped repository (every statement filters by, and every row is stamped with, the context's
tenant). Values are JSON text; what they mean is the caller's business.

Why no cleanup job: every write first deletes this tenant's rows that can no longer be served — expired ones
and those of an older data_version (a new upload bumped it) — so the table holds at most what the tenant
asked within one TTL of the current data. `purge_cache_entries` does the same on demand.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ecomintel.db import models as m
from ecomintel.db.scoped import RepositoryCore, utcnow


class CacheEntries(RepositoryCore):
    """Tenant-scoped key → JSON text entries with an expiry, valid for one data_version."""

    def cache_entry(self, data_version: int, key: str) -> tuple[str, datetime] | None:
        """(value, expires_at) of the live entry for (this tenant, data_version, key), or None."""
        t = m.cache_entries
        stmt = (self.scoped(t, t.c.value, t.c.expires_at)
                .where(t.c.data_version == data_version, t.c.key == key, t.c.expires_at > utcnow()))
        with self.engine.connect() as conn:
            row = conn.execute(stmt).first()
        return None if row is None else (str(row.value), row.expires_at)

    def put_cache_entry(self, data_version: int, key: str, value: str, ttl_s: float) -> None:
        """Store (or replace) an entry living `ttl_s` seconds; first drops what can no longer be served."""
        now = utcnow()
        row = {"tenant_id": self.tenant_id, "data_version": data_version, "key": key, "value": value,
               "created_at": now, "expires_at": now + timedelta(seconds=ttl_s)}
        with self.engine.begin() as conn:
            self._purge(conn, data_version, now)
            conn.execute(self._upsert(row))

    def purge_cache_entries(self, data_version: int | None = None) -> int:
        """Delete this tenant's expired entries and those older than `data_version` (default: the tenant's
        current one); returns how many were deleted."""
        current = self.data_version() if data_version is None else data_version
        with self.engine.begin() as conn:
            return self._purge(conn, current, utcnow())

    def clear_cache_entries(self) -> int:
        """Delete every entry of this tenant (`ecomintel cache clear`); returns how many."""
        t = m.cache_entries
        with self.engine.begin() as conn:
            return int(conn.execute(sa.delete(t).where(t.c.tenant_id == self.tenant_id)).rowcount or 0)

    def count_cache_entries(self) -> int:
        """Rows this tenant holds (live or not yet purged)."""
        t = m.cache_entries
        with self.engine.connect() as conn:
            return int(conn.execute(self.scoped(t, sa.func.count())).scalar() or 0)

    def _upsert(self, row: dict[str, Any]) -> sa.Insert:
        """INSERT … ON CONFLICT (tenant_id, data_version, key) DO UPDATE (both dialects spell it the same)."""
        from sqlalchemy.dialects import postgresql, sqlite

        t = m.cache_entries
        dialect_insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        stmt = dialect_insert(t).values(row)
        return stmt.on_conflict_do_update(
            index_elements=[t.c.tenant_id, t.c.data_version, t.c.key],
            set_={"value": stmt.excluded.value, "created_at": stmt.excluded.created_at,
                  "expires_at": stmt.excluded.expires_at})

    def _purge(self, conn: sa.Connection, data_version: int, now: datetime) -> int:
        t = m.cache_entries
        stmt = sa.delete(t).where(t.c.tenant_id == self.tenant_id,
                                  sa.or_(t.c.expires_at <= now, t.c.data_version < data_version))
        return int(conn.execute(stmt).rowcount or 0)
