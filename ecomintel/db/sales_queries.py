"""Sales aggregations that run in the database (GROUP BY in SQL), tenant-scoped, same answers on SQLite
and PostgreSQL.

Why in SQL: a 500k-line tenant must answer in a few hundred milliseconds; shipping the rows to pandas
would cost seconds. pandas only ever sees the aggregates (one row per group).
Why per-dialect expressions: date truncation differs (SQLite stores timestamps as ISO text, PostgreSQL
has date_trunc/to_char); both produce the same text keys ("2011-11", "2011-11-07" week start, "2011-Q4"),
so the agent above never needs to know which database it runs on.

Semantics: docs/ask-contract.md, with the line classes of sales_lines.py (stock adjustments and corrections
count only in their own columns). Revenue is NET (returns subtract); gross = revenue of sale lines; units =
net quantity of sales and returns; orders and customers count distinct ids of sale lines; cancelled_orders
the distinct order ids of return lines; returned units/value are positive numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ecomintel.db import models as m
from ecomintel.db import rls
from ecomintel.db.sales_lines import (
    DISTINCT_COLUMNS,
    METRIC_COLUMNS,
    SUM_COLUMNS,
    UNSPECIFIED,
    WEEKDAYS,
    SalesFilter,
    SalesLines,
    has_customer,
    sale_line,
    week_label,
)
from ecomintel.db.sales_rollup import SalesRollup
from ecomintel.db.scoped import as_date

if TYPE_CHECKING:
    import pandas as pd

MAX_BUCKETS = 120  # calendar buckets answered as one UNION ALL (SQLite allows 500 parts per statement)


def add_ratios(frame: pd.DataFrame) -> pd.DataFrame:
    """The ratio metrics of docs/ask-contract.md from the summed and counted columns of each row (0 when the
    denominator is 0): aov = gross / orders, units_per_order, asp = revenue / units, return_rate (%, by value),
    revenue_per_customer. Only the ratios whose inputs are present are added."""
    def ratio(num: str, den: str, scale: float = 1.0) -> pd.Series:
        d = frame[den].astype(float)
        return (frame[num].astype(float) * scale / d.where(d != 0)).fillna(0.0)

    if "orders" in frame:
        frame["aov"] = ratio("gross", "orders")
        frame["units_per_order"] = ratio("units", "orders")
    if "customers" in frame and "customer_revenue" in frame:
        frame["revenue_per_customer"] = ratio("customer_revenue", "customers")
    frame["asp"] = ratio("revenue", "units")
    frame["return_rate"] = ratio("returned_value", "gross", 100.0)
    return frame


def totals_with_ratios(totals: dict[str, float]) -> dict[str, float]:
    """`add_ratios` for one row of totals."""
    import pandas as pd

    row = add_ratios(pd.DataFrame([totals])).iloc[0]
    return {str(k): float(v) for k, v in row.items()}


class SalesQueries(SalesLines, SalesRollup):
    """Aggregated sales reads. Every statement starts from `self.scoped(m.sales, ...)`; `on_rollup` runs it over
    the rollup instead when the question needs no line's product (sales_rollup.py)."""

    def _batch_list(self) -> Any:
        """Comma-separated distinct batch ids of the aggregated lines (lineage, in the same scan)."""
        s = m.sales
        if self.dialect == "postgresql":
            return sa.func.string_agg(sa.distinct(sa.cast(s.c.batch_id, sa.String)), ",").label("batch_ids")
        return sa.func.group_concat(sa.distinct(s.c.batch_id)).label("batch_ids")

    # -- public reads -------------------------------------------------------------------------------
    def sales_totals(self, flt: SalesFilter | None = None) -> dict[str, float]:
        """Headline metrics over the filtered lines: the METRIC_COLUMNS (revenue, gross, units, orders,
        customers, returns, lines), the DETAIL_COLUMNS (stock adjustments, corrections, cancelled orders,
        customer revenue) and the ratios of `add_ratios` (aov, units_per_order, asp, return_rate,
        revenue_per_customer)."""
        return self.sales_totals_and_batches(flt)[0]

    def sales_totals_and_batches(self, flt: SalesFilter | None = None) -> tuple[dict[str, float], list[int]]:
        """`sales_totals` plus the ingestion batches the lines came from (one scan for both, plus the scan of
        the few detail lines)."""
        flt = flt or SalesFilter()
        if self.dialect == "postgresql":
            out, batches = self._pg_totals_and_batches(flt)
        else:
            stmt = self._where(self.scoped(m.sales, *self._metric_columns(), self._batch_list()), flt)
            with self.engine.connect() as conn:
                row = conn.execute(self.on_rollup(stmt, flt)).one()
            out = {name: float(row._mapping[name] or 0) for name in METRIC_COLUMNS}
            batches = sorted({int(b) for b in str(row._mapping["batch_ids"] or "").split(",") if b.strip()})
        details = self._details_frame(None, flt).iloc[0]
        for name in ("adjustment_lines", "adjustment_units", "correction_lines", "cancelled_orders"):
            out[name] = float(details[name] or 0)
        out["customer_revenue"] = out["revenue"] - float(details["no_customer_revenue"] or 0)
        return totals_with_ratios(out), batches

    def _pg_totals_and_batches(self, flt: SalesFilter) -> tuple[dict[str, float], list[int]]:
        """PostgreSQL: COUNT(DISTINCT …) inside one aggregate sorts every line on a single core; SELECT
        DISTINCT in a subquery is a parallel hash aggregate (a year of Online Retail: ~160 ms instead of
        ~420 ms). Same numbers, different plan."""
        s = m.sales

        def distinct_count(column: Any, *conditions: Any) -> sa.Select[Any]:
            inner = self._where(self.scoped(s, column).where(*conditions).distinct(), flt).subquery()
            return self.on_rollup(sa.select(sa.func.count()).select_from(inner), flt)

        sums = self.on_rollup(self._where(self.scoped(s, *self._metric_columns(distinct=False)), flt), flt)
        batches_stmt = self.on_rollup(self._where(self.scoped(s, s.c.batch_id).distinct(), flt), flt)
        with self.engine.connect() as conn:
            row = conn.execute(sums).one()
            out = {name: float(row._mapping[name] or 0) for name in SUM_COLUMNS}
            out["orders"] = float(conn.execute(distinct_count(s.c.order_id, sale_line())).scalar() or 0)
            out["customers"] = float(conn.execute(distinct_count(
                s.c.customer_id, sale_line(), has_customer())).scalar() or 0)
            batches = sorted(int(b) for (b,) in conn.execute(batches_stmt) if b is not None)
        return {name: out[name] for name in METRIC_COLUMNS}, batches

    def _details_frame(self, dim: str | None, flt: SalesFilter) -> pd.DataFrame:
        """Adjustments, corrections, cancelled orders and the revenue of lines without a customer id
        (`_detail_columns`) per group of `dim` (raw SQL keys), or as one row without a dim; read from the
        detail lines only."""
        s = m.sales
        cols = self._detail_columns()
        if dim is None:
            return self.frame(self.on_rollup(self._where(self.scoped(s, *cols).where(self._detail_lines()), flt), flt))
        if dim == "category":
            cats, key = self._category_key()
            stmt = (sa.select(key, *cols).select_from(s.outerjoin(cats, cats.c.sku == s.c.sku))
                    .where(s.c.tenant_id == self.tenant_id, self._detail_lines()))
            return self.frame(self._where(stmt, flt).group_by(key))
        key = self._dimension(dim).label("key")
        stmt = self._where(self.scoped(s, key, *cols).where(self._detail_lines()), flt).group_by(key)
        return self.frame(self.on_rollup(stmt, flt, dim))

    def sales_by(self, dim: str, flt: SalesFilter | None = None, *, distinct: bool = True,
                 keys: list[str] | None = None, details: bool = False) -> pd.DataFrame:
        """One row per group of `dim` with the metrics and ratios. Column `key` holds the group value:
        text for day/month/quarter/country/…, ISO week label for week, weekday name, hour int, SKU, customer
        id ("" for lines without one). `distinct=False` skips orders/customers and the ratios built on them
        (much cheaper on big periods); `keys` limits a SKU or customer grouping to those keys (details for the
        rows of a ranking); `details=True` adds the DETAIL_COLUMNS (adjustments, corrections, cancelled
        orders, customer revenue) and revenue_per_customer."""
        import pandas as pd

        flt = flt or SalesFilter()
        buckets = self._buckets(dim, flt) if keys is None else None
        if dim == "category":
            frame = self._sales_by_category(flt, distinct)
        elif buckets is not None:
            frame = self._sales_by_ranges(buckets, flt, distinct)
        elif dim in ("weekday", "hour") and not distinct:
            frame = self._sales_by_timestamp(dim, flt)
        elif distinct and self.dialect == "postgresql" and keys is None:
            frame = self._pg_sales_by_with_distinct(dim, flt)
        else:
            key = self._dimension(dim).label("key")
            stream = dim == "sku" and keys is None and self._long_period(flt)
            stmt = self._where(self.scoped(m.sales, key, *self._metric_columns(distinct)), flt, stream)
            stmt = stmt.group_by(key)
            if keys is not None:
                if dim not in ("sku", "customer"):
                    raise ValueError("keys= is only supported for the sku and customer dimensions")
                column = m.sales.c.sku if dim == "sku" else m.sales.c.customer_id
                stmt = stmt.where(column.in_(list(keys)))
            frame = self.frame(self.on_rollup(stmt, flt, dim))
        names = [n for n in METRIC_COLUMNS if distinct or n not in DISTINCT_COLUMNS]
        if frame.empty:
            frame = pd.DataFrame(columns=["key", *names])
        for name in names:
            frame[name] = frame[name].astype(float)
        if details:
            detail_names = ("adjustment_lines", "adjustment_units", "correction_lines", "cancelled_orders",
                            "no_customer_revenue")
            extra = self._details_frame(dim, flt) if not frame.empty else pd.DataFrame(columns=["key"])
            frame = frame.merge(extra, on="key", how="left") if not extra.empty else \
                frame.assign(**{name: 0.0 for name in detail_names})
            for name in detail_names:
                frame[name] = frame[name].fillna(0).astype(float)
            frame["customer_revenue"] = frame["revenue"] - frame.pop("no_customer_revenue")
        frame = add_ratios(frame)
        if dim == "week":
            frame["week_start"] = frame["key"].astype(str).str[:10]
            frame["key"] = frame["week_start"].map(week_label)
        elif dim == "weekday":
            frame["key"] = frame["key"].astype(int).map(lambda d: WEEKDAYS[(d - 1) % 7])
        elif dim == "hour":
            frame["key"] = frame["key"].astype(int)
        else:
            frame["key"] = frame["key"].astype(str)
        return frame.reset_index(drop=True)

    def _pg_sales_by_with_distinct(self, dim: str, flt: SalesFilter) -> pd.DataFrame:
        """PostgreSQL: sums by a parallel hash aggregate, then orders and customers per group as COUNT(*) over
        SELECT DISTINCT (group, id) — hash aggregates instead of one sort per COUNT(DISTINCT)."""
        s = m.sales
        key = self._dimension(dim).label("key")
        sums = self.frame(self.on_rollup(self._where(self.scoped(s, key, *self._metric_columns(False)), flt)
                                         .group_by(key), flt, dim))
        for name, column, conditions in (("orders", s.c.order_id, (sale_line(),)),
                                         ("customers", s.c.customer_id, (sale_line(), has_customer()))):
            inner = self._where(self.scoped(s, key, column.label("id")).where(*conditions).distinct(), flt)
            sub = inner.subquery()
            counts = self.frame(self.on_rollup(sa.select(sub.c.key, sa.func.count().label(name)).group_by(sub.c.key),
                                               flt, dim))
            sums = sums.merge(counts, on="key", how="left") if not sums.empty else sums.assign(**{name: []})
            sums[name] = sums[name].fillna(0)
        return sums

    def _buckets(self, dim: str, flt: SalesFilter) -> list[tuple[str, date, date]] | None:
        """Calendar buckets (key, first day, last day) of a week/month/quarter grouping, clipped to the
        filter's dates; None when unbounded or too many for one statement."""
        if dim not in ("week", "month", "quarter") or flt.start is None or flt.end is None:
            return None  # days: GROUP BY is as fast, and compiling hundreds of parts is not free
        out: list[tuple[str, date, date]] = []
        cur = flt.start
        while cur <= flt.end and len(out) <= MAX_BUCKETS:
            if dim == "week":
                monday = cur - timedelta(days=cur.weekday())
                key, last = monday.isoformat(), monday + timedelta(days=6)
            elif dim == "month":
                key = f"{cur.year:04d}-{cur.month:02d}"
                last = date(cur.year + (cur.month == 12), cur.month % 12 + 1, 1) - timedelta(days=1)
            else:
                q = (cur.month - 1) // 3
                key = f"{cur.year:04d}-Q{q + 1}"
                nxt = date(cur.year + (q == 3), (q + 1) % 4 * 3 + 1, 1)
                last = nxt - timedelta(days=1)
            last = min(last, flt.end)
            out.append((key, cur, last))
            cur = last + timedelta(days=1)
        return out if len(out) <= MAX_BUCKETS else None

    def _sales_by_ranges(self, buckets: list[tuple[str, date, date]], flt: SalesFilter,
                         distinct: bool) -> pd.DataFrame:
        """Calendar grouping as one UNION ALL of date-range aggregates: each part reads its range of the
        (tenant_id, sold_at) covering index in order, so nothing is sorted — several times faster than
        GROUP BY on a computed month/week key over a year of lines. Empty buckets are dropped, like GROUP BY."""
        import pandas as pd

        parts = [self._where(self.scoped(m.sales, sa.literal(key, sa.String).label("key"),
                                         *self._metric_columns(distinct)), flt.with_period(lo, hi))
                 for key, lo, hi in buckets]
        stmt = self.on_rollup(sa.union_all(*parts), flt)
        with self.engine.connect() as conn:
            result = conn.execute(stmt)
            frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
        return frame[frame["lines"] > 0] if not frame.empty else frame

    def _sales_by_timestamp(self, dim: str, flt: SalesFilter) -> pd.DataFrame:
        """Weekday/hour sums in two steps: aggregate per timestamp while streaming the date index (no sort),
        then group those few thousand rows by weekday or hour. Exact for sums; distinct counts cannot be
        added up this way, so they take the plain GROUP BY path."""
        s = m.sales
        inner = self._where(self.scoped(s, s.c.sold_at.label("ts"), *self._metric_columns(False)), flt)
        sub = inner.group_by(s.c.sold_at).subquery("per_ts")
        key = self._dimension(dim, sub.c.ts).label("key")
        sums = [sa.func.coalesce(sa.func.sum(sub.c[name]), 0).label(name) for name in SUM_COLUMNS]
        return self.frame(self.on_rollup(sa.select(key, *sums).group_by(key), flt, dim))

    def _long_period(self, flt: SalesFilter) -> bool:
        """Whether streaming over all of the tenant's lines in SKU order beats sorting the period's lines
        (SQLite only; measured break-even is a few weeks of Online Retail data)."""
        if self.dialect != "sqlite":
            return False
        if flt.start is None or flt.end is None:
            return True
        return (flt.end - flt.start).days >= 28

    def _category_key(self) -> tuple[Any, Any]:
        """(subquery of one category per SKU from the products table, the grouping key over it)."""
        p = m.products
        cats = (self.scoped(p, p.c.sku.label("sku"), sa.func.min(p.c.category).label("category"))
                .group_by(p.c.sku).subquery("cats"))
        return cats, sa.func.coalesce(cats.c.category, UNSPECIFIED).label("key")

    def _sales_by_category(self, flt: SalesFilter, distinct: bool) -> pd.DataFrame:
        """Category comes from the products table (one category per SKU); unmatched SKUs are grouped as
        UNSPECIFIED."""
        s = m.sales
        cats, key = self._category_key()
        stmt = (sa.select(key, *self._metric_columns(distinct))
                .select_from(s.outerjoin(cats, cats.c.sku == s.c.sku))
                .where(s.c.tenant_id == self.tenant_id))
        return self.frame(self._where(stmt, flt).group_by(key))

    def trading_days(self, flt: SalesFilter | None = None) -> list[date]:
        """The days (ascending) with at least one sale line among the filtered lines: the denominator of
        avg_daily_revenue. One EXISTS per calendar day of the filter's period (a recursive list of days), so
        the database stops at the first sale line of each day instead of reading every line: a year of
        Online Retail in a few milliseconds instead of one full scan."""
        flt = flt or SalesFilter()
        if flt.start is None or flt.end is None:
            lo, hi = self.sales_data_range(flt)
            if lo is None or hi is None:
                return []
            flt = flt.with_period(flt.start or lo, flt.end or hi)
        assert flt.start is not None and flt.end is not None
        s = m.sales
        if self.dialect == "sqlite":
            seed = sa.select(sa.literal(flt.start.isoformat(), sa.String).label("day")).cte("days", recursive=True)
            days = seed.union_all(sa.select(sa.func.date(seed.c.day, "+1 day"))
                                  .where(seed.c.day < flt.end.isoformat()))
            col: Any = sa.type_coerce(s.c.sold_at, sa.String)
            next_day: Any = sa.func.date(days.c.day, "+1 day")
        else:
            seed = sa.select(sa.literal(flt.start, sa.Date).label("day")).cte("days", recursive=True)
            days = seed.union_all(sa.select((seed.c.day + sa.literal(1)).label("day"))
                                  .where(seed.c.day < sa.literal(flt.end, sa.Date)))
            col, next_day = s.c.sold_at, days.c.day + sa.literal(1)
        line = self.scoped(s, sa.literal(1)).where(sale_line(), col >= days.c.day, col < next_day)
        stmt = sa.select(days.c.day).where(sa.exists(self._where(line, flt, dates=False))).order_by(days.c.day)
        with self.engine.connect() as conn:
            return [as_date(d) or flt.start for (d,) in conn.execute(stmt)]

    def sales_data_range(self, flt: SalesFilter | None = None) -> tuple[date | None, date | None]:
        """First and last sales date (of the filtered lines; whole tenant by default). Two statements,
        because a lone MIN or MAX is answered from the (tenant_id, sold_at, …) index without a scan."""
        s = m.sales
        flt = flt or SalesFilter()
        with self.engine.connect() as conn:
            lo = conn.execute(self._where(self.scoped(s, sa.func.min(s.c.sold_at)), flt)).scalar()
            hi = conn.execute(self._where(self.scoped(s, sa.func.max(s.c.sold_at)), flt)).scalar()
        return as_date(lo), as_date(hi)

    def refresh_sales_statistics(self, force: bool = False) -> bool:
        """PostgreSQL: `VACUUM (ANALYZE) sales` when the planner's statistics are missing or stale (more than
        10% of the rows changed since the last ANALYZE). Returns whether it ran.

        Why: right after a bulk load PostgreSQL has no statistics (autovacuum may be off or not have run yet)
        and plans the aggregates badly, and without a vacuum the covering indexes cannot be used index-only;
        on the 536k-line tenant a year's totals take ~1.6 s before and ~0.35 s after (the command itself
        ~0.4 s). SQLite needs nothing (its plans are fixed by the covering indexes)."""
        if self.dialect != "postgresql":
            return False
        with self.engine.connect() as conn:
            row = conn.execute(sa.text(
                "SELECT n_live_tup, n_mod_since_analyze, last_analyze, last_autoanalyze "
                "FROM pg_stat_user_tables WHERE relname = 'sales' AND schemaname = current_schema()")).first()
        stale = force or row is None or (row.last_analyze is None and row.last_autoanalyze is None) \
            or row.n_mod_since_analyze > 0.1 * max(int(row.n_live_tup or 0), 1000)
        if not stale:
            return False
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if not rls.owns_table(conn, "sales"):  # VACUUM needs the owner; it would only warn and skip
                return False
            conn.execute(sa.text("VACUUM (ANALYZE) sales"))
        return True

    def sales_batches(self, flt: SalesFilter | None = None) -> list[int]:
        """Ingestion batches that contributed lines to the filtered set (lineage for evidence)."""
        s = m.sales
        stmt = self._where(self.scoped(s, s.c.batch_id).distinct(), flt or SalesFilter())
        with self.engine.connect() as conn:
            return sorted(int(b) for (b,) in conn.execute(stmt) if b is not None)

    def product_names(self, skus: list[str]) -> dict[str, str]:
        """The display name of each SKU: its most frequent description in the tenant's sales lines (ties: the
        alphabetically first), docs/ask-contract.md. One GROUP BY over the lines of those SKUs (the SKU index),
        so it suits the rows of a ranking."""
        s = m.sales
        wanted = list(dict.fromkeys(str(x) for x in skus))
        if not wanted:
            return {}
        stmt = (self.scoped(s, s.c.sku, s.c.product_name, sa.func.count().label("n"))
                .where(s.c.sku.in_(wanted), s.c.product_name.is_not(None), s.c.product_name != "")
                .group_by(s.c.sku, s.c.product_name))
        with self.engine.connect() as conn:
            return display_names(conn.execute(stmt))


def display_names(counted: Iterable[Any]) -> dict[str, str]:
    """SKU → most frequent name from (sku, name, count) rows; ties go to the alphabetically first name.
    Names are compared after trimming, so "MUG " and "MUG" count as one."""
    counts: dict[str, dict[str, int]] = {}
    for sku, name, n in counted:
        text = str(name or "").strip()
        if text:
            per = counts.setdefault(str(sku), {})
            per[text] = per.get(text, 0) + int(n)
    return {sku: min(per.items(), key=lambda kv: (-kv[1], kv[0]))[0] for sku, per in counts.items()}
