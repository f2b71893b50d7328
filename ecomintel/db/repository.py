"""Repository: the only way to read or write tenant data. Every statement it runs is filtered by the
context's tenant_id, and every row it writes is stamped with it.

Why one choke point: tenant isolation then holds by construction (a property test hammers it), and the
SQL that agents depend on lives next to the schema instead of being scattered through the code.
Capabilities that grow large live in their own modules as mixins over `RepositoryCore` (ecomintel/db/
scoped.py: bulk loading, sales queries, customer queries, vocabulary, overview) and are listed in
`Repository`'s bases.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ecomintel.db import models as m
from ecomintel.db.bulk_load import BulkLoad
from ecomintel.db.customer_queries import CustomerQueries
from ecomintel.db.forecast_queries import ForecastQueries
from ecomintel.db.listing_store import ListingStore
from ecomintel.db.overview_queries import OverviewQueries
from ecomintel.db.pricing_queries import PricingQueries
from ecomintel.db.quality_queries import QualityQueries
from ecomintel.db.review_queries import ReviewQueries
from ecomintel.db.sales_queries import SalesQueries
from ecomintel.db.scoped import RepositoryCore, utcnow
from ecomintel.db.sync_store import SyncStore
from ecomintel.db.tenant_numbers import id_of_number, insert_numbered, numbers_of_ids
from ecomintel.db.vocabulary import Vocabulary
from ecomintel.errors import NotFound

if TYPE_CHECKING:
    import pandas as pd


class BatchStore(RepositoryCore):
    """Ingestion batches and their rejected rows (lineage of every stored row).

    A batch has a global `id` (what data rows, rejected rows and sync runs refer to; never shown) and a
    `number`, 1, 2, 3 … within the tenant: what people see and type ("batch 3")."""

    def create_batch(self, *, file_name: str, sha256: str, kind: str, source: str = "upload",
                     mapping: Mapping[str, str] | None = None) -> int:
        """A running batch with the tenant's next number; returns its (global) id."""
        self.require_write()
        batch_id, _ = insert_numbered(self.engine, m.ingestion_batches, {
            "tenant_id": self.tenant_id, "user_id": self.ctx.user_id, "file_name": file_name[:300],
            "sha256": sha256, "kind": kind, "source": source, "mapping": dict(mapping or {}), "status": "running"})
        return batch_id

    def batch_number(self, batch_id: int) -> int:
        """The number people see for the tenant's batch `batch_id`."""
        with self.engine.connect() as conn:
            found = numbers_of_ids(conn, m.ingestion_batches, self.tenant_id, [batch_id])
        if batch_id not in found:
            raise NotFound(f"No ingestion batch {batch_id}.")
        return found[batch_id]

    def batch_numbers(self, batch_ids: Sequence[int]) -> list[int]:
        """The numbers of these batches of the tenant, sorted (evidence, lineage); other tenants' ids drop out."""
        with self.engine.connect() as conn:
            return sorted(numbers_of_ids(conn, m.ingestion_batches, self.tenant_id, batch_ids).values())

    def batch_by_number(self, number: int) -> dict[str, Any]:
        """The tenant's batch `number` (what a person typed or picked); NotFound when this tenant has none —
        another tenant's batch of that number is never reached."""
        with self.engine.connect() as conn:
            batch_id = id_of_number(conn, m.ingestion_batches, self.tenant_id, number)
        if batch_id is None:
            raise NotFound(f"No import batch {number}.", "`ecomintel batches --tenant T` lists this tenant's imports.")
        return self.get_batch(batch_id)

    def finish_batch(self, batch_id: int, **values: Any) -> None:
        values.setdefault("finished_at", utcnow())
        with self.engine.begin() as conn:
            conn.execute(sa.update(m.ingestion_batches)
                         .where(m.ingestion_batches.c.tenant_id == self.tenant_id,
                                m.ingestion_batches.c.id == batch_id)
                         .values(**values))

    def get_batch(self, batch_id: int) -> dict[str, Any]:
        stmt = self.scoped(m.ingestion_batches).where(m.ingestion_batches.c.id == batch_id)
        with self.engine.connect() as conn:
            row = conn.execute(stmt).first()
        if row is None:
            raise NotFound(f"No ingestion batch {batch_id}.")
        return dict(row._mapping)

    def find_done_batch(self, sha256: str, kind: str) -> dict[str, Any] | None:
        """A finished batch of the same kind with the same file hash (re-upload detection)."""
        t = m.ingestion_batches
        stmt = (self.scoped(t).where(t.c.sha256 == sha256, t.c.kind == kind, t.c.status == "done")
                .order_by(t.c.id.desc()).limit(1))
        with self.engine.connect() as conn:
            row = conn.execute(stmt).first()
        return dict(row._mapping) if row else None

    def list_batches(self, limit: int = 50) -> list[dict[str, Any]]:
        stmt = self.scoped(m.ingestion_batches).order_by(m.ingestion_batches.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]

    def add_rejected(self, batch_id: int, rows: Sequence[Mapping[str, Any]],
                     conn: sa.Connection | None = None) -> None:
        """rows: {row_number, raw (dict of original cell texts), reasons (str)}."""
        if not rows:
            return
        payload = [{"tenant_id": self.tenant_id, "batch_id": batch_id, "row_number": int(r["row_number"]),
                    "raw": r["raw"], "reasons": r["reasons"]} for r in rows]
        if conn is not None:
            conn.execute(sa.insert(m.rejected_rows), payload)
        else:
            with self.engine.begin() as own:
                own.execute(sa.insert(m.rejected_rows), payload)

    def rejected(self, batch_id: int, limit: int | None = None) -> pd.DataFrame:
        """Rejected rows of a batch, one column per original field plus `row` and `reasons`."""
        import pandas as pd

        t = m.rejected_rows
        stmt = self.scoped(t, t.c.row_number, t.c.raw, t.c.reasons).where(t.c.batch_id == batch_id)
        stmt = stmt.order_by(t.c.row_number)
        if limit:
            stmt = stmt.limit(limit)
        with self.engine.connect() as conn:
            records = [{"row": r.row_number, **(r.raw or {}), "reasons": r.reasons} for r in conn.execute(stmt)]
        return pd.DataFrame.from_records(records)

    def latest_data_dates(self) -> dict[str, Any]:
        """Freshness for the sidebar: last ingest time and the sales date range."""
        t = m.ingestion_batches
        with self.engine.connect() as conn:
            last = conn.execute(self.scoped(t, sa.func.max(t.c.finished_at))
                                .where(t.c.status == "done")).scalar()
            lo, hi, n = conn.execute(self.scoped(m.sales, sa.func.min(m.sales.c.sold_at),
                                                 sa.func.max(m.sales.c.sold_at),
                                                 sa.func.count())).one()
        return {"last_ingest": last, "sales_from": lo, "sales_to": hi, "sales_lines": int(n or 0)}


class ReportStore(RepositoryCore):
    """Saved reports (query history), preferences and LLM usage.

    A saved report is known to people, and to every caller, by its per-tenant `number` ("report #3"): nothing
    refers to a report's global id, so it never leaves this class."""

    def save_report(self, *, question: str, mode: str, intent: str | None, plan: Mapping[str, Any],
                    report: Mapping[str, Any], confidence: float | None, data_version: int,
                    elapsed_ms: int | None) -> int:
        """Store a report in the tenant's history; returns its number within the tenant."""
        _, number = insert_numbered(self.engine, m.reports, {
            "tenant_id": self.tenant_id, "user_id": self.ctx.user_id, "question": question, "mode": mode,
            "intent": intent, "plan": dict(plan), "report": dict(report), "confidence": confidence,
            "data_version": data_version, "elapsed_ms": elapsed_ms})
        return number

    def list_reports(self, limit: int = 50) -> list[dict[str, Any]]:
        """The tenant's history, newest first: number, question, mode, intent, confidence, created_at, …"""
        t = m.reports
        stmt = (self.scoped(t, t.c.number, t.c.question, t.c.mode, t.c.intent, t.c.confidence, t.c.created_at,
                            t.c.elapsed_ms, t.c.data_version)
                .order_by(t.c.id.desc()).limit(limit))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]

    def get_report(self, number: int) -> dict[str, Any]:
        """The tenant's report `number` (without the global id); NotFound when this tenant has none."""
        t = m.reports
        stmt = self.scoped(t, *(c for c in t.c if c.name != "id")).where(t.c.number == int(number))
        with self.engine.connect() as conn:
            row = conn.execute(stmt).first()
        if row is None:
            raise NotFound(f"No report {number}.", "`ecomintel reports --tenant T` lists this tenant's history.")
        return dict(row._mapping)

    def get_preference(self, key: str, default: Any = None) -> Any:
        t = m.preferences
        stmt = self.scoped(t, t.c.value).where(t.c.key == key, t.c.user_id.is_(None))
        with self.engine.connect() as conn:
            row = conn.execute(stmt).first()
        return default if row is None else row.value

    def set_preference(self, key: str, value: Any) -> None:
        t = m.preferences
        with self.engine.begin() as conn:
            done = conn.execute(sa.update(t).where(t.c.tenant_id == self.tenant_id, t.c.key == key,
                                                   t.c.user_id.is_(None))
                                .values(value=value, updated_at=utcnow())).rowcount
            if not done:
                conn.execute(sa.insert(t).values(tenant_id=self.tenant_id, user_id=None, key=key, value=value))

    def record_llm_usage(self, *, provider: str, model: str, purpose: str, prompt_tokens: int,
                         completion_tokens: int, cost_usd: float, ok: bool = True) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.insert(m.llm_usage).values(
                tenant_id=self.tenant_id, provider=provider, model=model, purpose=purpose,
                prompt_tokens=prompt_tokens, completion_tokens=completion_tokens, cost_usd=cost_usd, ok=ok))

    def llm_usage_since(self, since: datetime) -> pd.DataFrame:
        t = m.llm_usage
        stmt = (self.scoped(t, t.c.provider, t.c.model, t.c.purpose,
                            sa.func.count().label("calls"),
                            sa.func.sum(t.c.prompt_tokens).label("prompt_tokens"),
                            sa.func.sum(t.c.completion_tokens).label("completion_tokens"),
                            sa.func.sum(t.c.cost_usd).label("cost_usd"))
                .where(t.c.created_at >= since).group_by(t.c.provider, t.c.model, t.c.purpose))
        return self.frame(stmt)


class Repository(BulkLoad, Vocabulary, SalesQueries, CustomerQueries, OverviewQueries, ReviewQueries, ReportStore,
                 BatchStore, SyncStore, ListingStore, PricingQueries, QualityQueries, ForecastQueries):
    """`Repository(engine, ctx)`: every read and write of one tenant's data."""
