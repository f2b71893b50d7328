"""The sales rollup: the tenant's sales lines grouped by order and timestamp, and how a query is moved onto it.

Why: most questions are about orders, customers, countries and time ("how many customers in 2011", "orders by
weekday", cohorts, the UK's share) and need no line's product. A year of Online Retail is ~536k lines but only
~26k groups of lines that share order, timestamp, country, channel, marketplace, customer and batch — and the
same class (return flag, zero price, quantity sign, which decide a line's class: sales_lines.py). Every sales
query is written once, against the sales table; for a question that names no product, SKU or category and is
not split by them, `on_rollup` rewrites the statement's columns to the rollup's (same names) and its line
counts (`ONE`, `LINES`) to the groups' `line_count`. The CASE expressions of the line classes then read the
same classes from the groups, so the numbers are the same (tests/test_sales_rollup.py checks it on random
filters and groupings) at a twentieth of the rows.

Why rebuilt per data_version and not written by ingest: ingest stays as fast as it is (its bench target), and
the first question after an upload pays the build once (~0.5 s for a year of Online Retail on SQLite);
`sales_rollup_state` records which data_version the rows are of, so every process sees the same rollup.
"""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import visitors

from ecomintel.db import models as m
from ecomintel.db.sales_lines import LINES, ONE, SalesFilter
from ecomintel.db.scoped import RepositoryCore

# the fields that identify a group; the rollup's other columns are sums over the group's lines
GROUP_COLUMNS = ("order_id", "sold_at", "country", "channel", "marketplace", "customer_id", "batch_id", "is_return")
LINE_DIMENSIONS = ("sku", "category", "product")  # splits that need each line's product
_BUILT: dict[tuple[str, int], int] = {}  # (database url, tenant) → data_version whose rollup this process saw
_BUILT_LOCK = threading.Lock()
_BUILD_LOCK = threading.Lock()  # one build at a time in a process (the agents of one answer run in threads)
ROLLUP_LOCK_CLASS = 7_201_211  # first key of the PostgreSQL advisory lock (the second is the tenant id)


def needs_lines(flt: SalesFilter, dim: str | None) -> bool:
    """Whether a query must read the lines: it filters or splits by product, SKU or category."""
    return bool(flt.skus or flt.exclude_skus or flt.products or flt.categories) or dim in LINE_DIMENSIONS


def _to_rollup(element: Any) -> Any:
    """The rollup's counterpart of one element of a sales statement, or None to keep (and traverse) it."""
    r = m.sales_rollup
    if element is ONE:
        return r.c.line_count
    if element is LINES:
        return sa.func.sum(r.c.line_count)
    if element is m.sales:
        return r
    if isinstance(element, sa.Column) and element.table is m.sales:
        return r.c[element.name]  # KeyError for a line-only column (sku, product_name, …): caller keeps lines
    if isinstance(element, sa.sql.elements.ColumnClause) and element.is_literal and "sales.sold_at" in element.name:
        return r.c.sold_at  # the "+sales.sold_at" index hint of SQLite scans
    return None


class SalesRollup(RepositoryCore):
    """Builds the tenant's rollup when its data_version moved, and moves eligible statements onto it."""

    use_rollup = True  # False reads the lines always (the bench's baseline, and a switch if ever needed)

    def on_rollup(self, stmt: Any, flt: SalesFilter, dim: str | None = None) -> Any:
        """`stmt` (a statement over the sales table) over the rollup instead, when the question needs no line's
        product (`needs_lines`) and the rollup is current; else `stmt` unchanged."""
        if not self.use_rollup or needs_lines(flt, dim) or not self.ensure_rollup():
            return stmt
        try:
            return visitors.replacement_traverse(stmt, {}, _to_rollup)  # type: ignore[call-overload]
        except KeyError:  # a column only lines have: read the lines
            return stmt

    def ensure_rollup(self) -> bool:
        """Make the rollup hold the tenant's current data (rebuilt when its data_version moved); True when it
        does. A process remembers the version it saw, so a current rollup costs one small query per question."""
        version = self.data_version()
        key = (str(self.engine.url), self.tenant_id)
        with _BUILT_LOCK:
            if _BUILT.get(key) == version:
                return True
        state = m.sales_rollup_state
        with _BUILD_LOCK, self.engine.begin() as conn:
            self._lock_rollup(conn)  # another agent or process may be building it right now
            stored = conn.execute(sa.select(state.c.data_version)
                                  .where(state.c.tenant_id == self.tenant_id)).scalar()
            if stored != version:
                self._rebuild(conn, version)
        with _BUILT_LOCK:
            _BUILT[key] = version
        return True

    def _lock_rollup(self, conn: sa.Connection) -> None:
        """Serialise builds of this tenant's rollup across processes, so that two first questions after an upload
        (two agents of one answer, two app replicas) cannot both insert the groups (each transaction would miss
        the other's uncommitted rows and the totals would double). PostgreSQL: a transaction-scoped advisory lock;
        SQLite: a write (a no-op update) takes the database's write lock, and the state read after it is current."""
        if self.dialect == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(ROLLUP_LOCK_CLASS, self.tenant_id)))
        else:
            state = m.sales_rollup_state
            conn.execute(sa.update(state).where(state.c.tenant_id == self.tenant_id)
                         .values(data_version=state.c.data_version))

    def _rebuild(self, conn: sa.Connection, version: int) -> None:
        """Replace the tenant's rollup rows with the lines grouped anew, and record `version` — one transaction,
        so a reader sees the old rollup or the new one, never half of one."""
        s, r, state = m.sales, m.sales_rollup, m.sales_rollup_state
        keys = [s.c[name] for name in GROUP_COLUMNS]
        grouped = (sa.select(s.c.tenant_id, *keys, sa.func.sum(s.c.quantity), sa.func.sum(s.c.revenue),
                             sa.func.count())
                   .where(s.c.tenant_id == self.tenant_id)
                   .group_by(s.c.tenant_id, *keys, s.c.revenue == 0, s.c.quantity > 0))
        conn.execute(sa.delete(r).where(r.c.tenant_id == self.tenant_id))
        conn.execute(sa.insert(r).from_select(["tenant_id", *GROUP_COLUMNS, "quantity", "revenue", "line_count"],
                                              grouped))
        conn.execute(sa.delete(state).where(state.c.tenant_id == self.tenant_id))
        conn.execute(sa.insert(state).values(tenant_id=self.tenant_id, data_version=version))
