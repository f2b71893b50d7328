"""SyncStore: sync sources, their runs, the price tracker's page state and its price observations.

Why a mixin of the Repository: every row here is tenant data (a source names a tenant's feed URL, a run
lists its errors), so it is read and written only through the tenant-scoped repository like the rest.
The one cross-tenant read — which sources are scheduled, for the scheduler process — is the plain function
`scheduled_sources(engine)` at the end, which returns ids and schedules only.

`list_sync_runs` is the query the Data Quality page shows (started, finished, status, rows, pages, errors).
A run carries its per-tenant `number` and `batches` (the numbers of the import batches it wrote): what people
see; `id` and `batch_ids` are the global ids the code links by (ecomintel/db/tenant_numbers.py).
(What the price tracker observes is stored through the ingestion pipeline's `listings` kind, not here.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from ecomintel.db import models as m
from ecomintel.db import rls
from ecomintel.db.scoped import RepositoryCore, utcnow
from ecomintel.db.tenant_numbers import insert_numbered, numbers_of_ids
from ecomintel.errors import NotFound

SOURCE_FIELDS = ("name", "connector", "options", "secret_ref", "schedule", "enabled")


GLOBAL_IDS = ("id", "tenant_id", "source_id", "batch_ids")


def shown_run(run: Mapping[str, Any]) -> dict[str, Any]:
    """A sync run as printed for people (CLI --json): its number and batch numbers, no global ids."""
    return {k: v for k, v in run.items() if k not in GLOBAL_IDS}


class SyncStore(RepositoryCore):
    """Sync configuration and history of the repository's tenant."""

    # -- sources ----------------------------------------------------------------------------------------
    def list_sync_sources(self) -> list[dict[str, Any]]:
        t = m.sync_sources
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(self.scoped(t).order_by(t.c.name))]

    def get_sync_source(self, name: str) -> dict[str, Any]:
        t = m.sync_sources
        with self.engine.connect() as conn:
            row = conn.execute(self.scoped(t).where(t.c.name == name)).first()
        if row is None:
            raise NotFound(f"No sync source named {name!r}.", "List them with `ecomintel sync list --tenant T`.")
        return dict(row._mapping)

    def get_sync_source_by_id(self, source_id: int) -> dict[str, Any]:
        t = m.sync_sources
        with self.engine.connect() as conn:
            row = conn.execute(self.scoped(t).where(t.c.id == source_id)).first()
        if row is None:
            raise NotFound(f"No sync source {source_id}.")
        return dict(row._mapping)

    def save_sync_source(self, values: Mapping[str, Any]) -> int:
        """Create or replace the source named values["name"]; returns its id. Secrets must already be
        references (ecomintel.sync.secrets.check_reference) — the caller checks, this stores."""
        self.require_write()
        t = m.sync_sources
        row = {k: values[k] for k in SOURCE_FIELDS if k in values}
        with self.engine.begin() as conn:
            found = conn.execute(self.scoped(t, t.c.id).where(t.c.name == row["name"])).scalar()
            if found is not None:
                conn.execute(sa.update(t).where(t.c.tenant_id == self.tenant_id, t.c.id == found)
                             .values(**row, updated_at=utcnow()))
                return int(found)
            result = conn.execute(sa.insert(t).values(**row, tenant_id=self.tenant_id))
            return int(result.inserted_primary_key[0])  # type: ignore[index]

    def delete_sync_source(self, name: str) -> bool:
        self.require_write()
        t = m.sync_sources
        with self.engine.begin() as conn:
            return bool(conn.execute(sa.delete(t).where(t.c.tenant_id == self.tenant_id, t.c.name == name))
                        .rowcount)

    # -- runs -------------------------------------------------------------------------------------------
    def start_sync_run(self, *, source_id: int | None, source_name: str, connector: str,
                       trigger: str = "manual") -> int:
        """A running sync run with the tenant's next run number (what people see); returns its global id."""
        run_id, _ = insert_numbered(self.engine, m.sync_runs, {
            "tenant_id": self.tenant_id, "source_id": source_id, "source_name": source_name, "connector": connector,
            "trigger": trigger, "status": "running", "started_at": utcnow()})
        return run_id

    def finish_sync_run(self, run_id: int, **values: Any) -> None:
        values.setdefault("finished_at", utcnow())
        t = m.sync_runs
        with self.engine.begin() as conn:
            conn.execute(sa.update(t).where(t.c.tenant_id == self.tenant_id, t.c.id == run_id).values(**values))

    def get_sync_run(self, run_id: int) -> dict[str, Any]:
        t = m.sync_runs
        with self.engine.connect() as conn:
            row = conn.execute(self.scoped(t).where(t.c.id == run_id)).first()
            if row is None:
                raise NotFound(f"No sync run {run_id}.")
            return self._with_batch_numbers(conn, [dict(row._mapping)])[0]

    def list_sync_runs(self, limit: int = 50, source_name: str | None = None) -> list[dict[str, Any]]:
        """Newest first: id, number, source_name, connector, trigger, status, started_at, finished_at, rows,
        pages_ok, pages_failed, errors [{item, reason}], batch_ids, batches, message (the Data Quality page's table)."""
        t = m.sync_runs
        stmt = self.scoped(t)
        if source_name:
            stmt = stmt.where(t.c.source_name == source_name)
        with self.engine.connect() as conn:
            runs = [dict(r._mapping) for r in conn.execute(stmt.order_by(t.c.id.desc()).limit(limit))]
            return self._with_batch_numbers(conn, runs)

    def _with_batch_numbers(self, conn: sa.Connection, runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """runs with `batches`: the per-tenant numbers of their batch_ids (one query for all of them)."""
        ids = [int(b) for r in runs for b in (r.get("batch_ids") or [])]
        numbers = numbers_of_ids(conn, m.ingestion_batches, self.tenant_id, ids)
        for r in runs:
            r["batches"] = [numbers[int(b)] for b in (r.get("batch_ids") or []) if int(b) in numbers]
        return runs

    def last_sync_run(self, source_name: str) -> dict[str, Any] | None:
        runs = self.list_sync_runs(limit=1, source_name=source_name)
        return runs[0] if runs else None

    # -- price tracker page state ------------------------------------------------------------------------
    def page_states(self, url_hashes: Sequence[str]) -> dict[str, dict[str, Any]]:
        t = m.sync_page_state
        out: dict[str, dict[str, Any]] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(url_hashes), 500):
                part = list(url_hashes[start:start + 500])
                for r in conn.execute(self.scoped(t).where(t.c.url_hash.in_(part))):
                    out[r.url_hash] = dict(r._mapping)
        return out

    def save_page_states(self, states: Sequence[Mapping[str, Any]]) -> None:
        t = m.sync_page_state
        cols = ("url", "etag", "last_modified", "price", "currency", "availability", "checked_at")
        with self.engine.begin() as conn:
            existing = set()
            hashes = [s["url_hash"] for s in states]
            for start in range(0, len(hashes), 500):
                existing |= set(conn.execute(self.scoped(t, t.c.url_hash)
                                             .where(t.c.url_hash.in_(hashes[start:start + 500]))).scalars())
            updates = [s for s in states if s["url_hash"] in existing]
            inserts = [s for s in states if s["url_hash"] not in existing]
            if inserts:
                conn.execute(sa.insert(t), [{"tenant_id": self.tenant_id, "url_hash": s["url_hash"],
                                             **{c: s.get(c) for c in cols}} for s in inserts])
            if updates:
                stmt = (sa.update(t).where(t.c.tenant_id == self.tenant_id, t.c.url_hash == sa.bindparam("h"))
                        .values({c: sa.bindparam(f"v_{c}") for c in cols}))
                conn.execute(stmt, [{"h": s["url_hash"], **{f"v_{c}": s.get(c) for c in cols}} for s in updates])

    # -- competitor listings ---------------------------------------------------------------------------
    def competitor_listing_urls(self) -> list[dict[str, Any]]:
        """{url, sku, marketplace, seller} of the tenant's competitor listings that have a url."""
        t = m.listings
        stmt = (self.scoped(t, t.c.url, t.c.sku, t.c.marketplace, t.c.seller)
                .where(t.c.url.is_not(None), t.c.url != "", t.c.is_own.is_(sa.false())).distinct())
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]


def scheduled_sources(engine: sa.Engine) -> list[dict[str, Any]]:
    """Every enabled source with a schedule, across tenants: {tenant_id, id, name, connector, schedule}.
    For the scheduler process only (it enqueues jobs; the jobs then work through the tenant's repository)."""
    t = m.sync_sources
    stmt = (sa.select(t.c.tenant_id, t.c.id, t.c.name, t.c.connector, t.c.schedule)
            .where(t.c.enabled.is_(sa.true()), t.c.schedule.is_not(None), t.c.schedule != "")
            .order_by(t.c.tenant_id, t.c.name))
    with rls.system_engine(engine).connect() as conn:  # across tenants, named as such (row-level security)
        return [dict(r._mapping) for r in conn.execute(stmt)]


def last_runs(engine: sa.Engine) -> list[dict[str, Any]]:
    """The latest run of every source, across tenants (for `ecomintel health` and the scheduler's start)."""
    t = m.sync_runs
    latest = sa.select(t.c.tenant_id, t.c.source_name, sa.func.max(t.c.id).label("id")).group_by(
        t.c.tenant_id, t.c.source_name).subquery()
    stmt = sa.select(t).join(latest, t.c.id == latest.c.id).order_by(t.c.tenant_id, t.c.source_name)
    with rls.system_engine(engine).connect() as conn:  # across tenants, named as such (row-level security)
        return [dict(r._mapping) for r in conn.execute(stmt)]
