"""RepositoryCore: the tenant-scoped primitives every part of the Repository is built on.

Why its own module: the Repository is assembled from mixins in several modules (bulk loading, sales
queries, vocabulary, overview); they all subclass this core, and keeping it apart from `repository.py`
(which imports them all) means any of them can be imported first without a circular import.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ecomintel.context import RequestContext
from ecomintel.db import models as m
from ecomintel.db import rls
from ecomintel.errors import Forbidden, NotFound

if TYPE_CHECKING:
    import pandas as pd


def as_date(value: Any) -> date | None:
    """A date from what a driver returns for a date/timestamp column (SQLite gives text, PostgreSQL objects)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def utcnow() -> datetime:
    """Naive UTC timestamp (the schema stores naive UTC everywhere)."""
    return datetime.now(UTC).replace(tzinfo=None)


class RepositoryCore:
    """Tenant-scoped primitives shared by every mixin."""

    def __init__(self, engine: sa.Engine, ctx: RequestContext) -> None:
        # On PostgreSQL every transaction of this engine sets app.tenant_id, which row-level security
        # checks (ecomintel/db/rls.py): the second defence behind the WHERE tenant_id of every statement.
        self.engine = rls.tenant_engine(engine, ctx.tenant_id)
        self.ctx = ctx
        self.tenant_id = ctx.tenant_id

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def scoped(self, table: sa.Table, *columns: Any) -> sa.Select[Any]:
        """SELECT columns (all by default) FROM table WHERE tenant_id = ctx.tenant_id."""
        cols = columns or (table,)
        return sa.select(*cols).where(table.c.tenant_id == self.tenant_id)

    def frame(self, stmt: sa.Select[Any], conn: sa.Connection | None = None) -> pd.DataFrame:
        """Run a SELECT built from `scoped(...)` and return a DataFrame."""
        import pandas as pd

        if conn is not None:
            result = conn.execute(stmt)
            return pd.DataFrame(result.fetchall(), columns=list(result.keys()))
        with self.engine.connect() as own:
            result = own.execute(stmt)
            return pd.DataFrame(result.fetchall(), columns=list(result.keys()))

    def require_write(self) -> None:
        if not self.ctx.can_write:
            raise Forbidden("Your role can view data but not change it.", "Ask an admin for analyst access.")

    def stamp(self, rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Copies of rows with this tenant's id (any tenant_id passed in is overwritten)."""
        return [{**row, "tenant_id": self.tenant_id} for row in rows]

    # -- data version: the cache-invalidation event -------------------------------------------------
    def data_version(self) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(m.tenants.c.data_version)
                                 .where(m.tenants.c.id == self.tenant_id)).scalar()
        if value is None:
            raise NotFound(f"Tenant {self.tenant_id} does not exist.")
        return int(value)

    def bump_data_version(self, conn: sa.Connection | None = None) -> int:
        stmt = (sa.update(m.tenants).where(m.tenants.c.id == self.tenant_id)
                .values(data_version=m.tenants.c.data_version + 1))
        if conn is not None:
            conn.execute(stmt)
        else:
            with self.engine.begin() as own:
                own.execute(stmt)
        return self.data_version()

    # -- audit ----------------------------------------------------------------------------------------
    def audit(self, action: str, detail: Mapping[str, Any] | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.insert(m.audit_log).values(
                tenant_id=self.tenant_id, user_id=self.ctx.user_id, action=action,
                detail=dict(detail or {}), request_id=self.ctx.request_id))

    def audit_entries(self, limit: int = 100) -> list[dict[str, Any]]:
        stmt = self.scoped(m.audit_log).order_by(m.audit_log.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]
