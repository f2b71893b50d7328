"""Which sales lines an aggregate covers and what each line counts as: the filter, the line classes and the
SQL building blocks (date bounds, grouping keys, metric columns) every sales and customer query uses.

Why its own module: the sales queries (sales_queries.py) and the customer queries (customer_queries.py)
must agree on the same lines and the same definitions, so both build on `SalesLines`.

Line classes (docs/ask-contract.md, one rule everywhere; the first matching rule wins):
- stock adjustment: not a cancellation invoice (order id not starting with C), quantity < 0, price 0, no
  customer id ("damaged", "unsaleable" write-offs). Counted in adjustment_lines/adjustment_units only.
- correction: the same but quantity > 0. Counted in correction_lines only.
- return / cancellation: `is_return` (C invoice or negative quantity, set at ingest) and not the above.
- sale: everything else.
Price 0 is tested as revenue = 0 (quantity is never 0, so the two are the same) because revenue is in the
covering indexes and unit_price is not: the aggregates keep reading only the index.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ecomintel.db import models as m
from ecomintel.db.scoped import RepositoryCore

TIME_DIMENSIONS = ("day", "week", "month", "quarter", "weekday", "hour")
ATTRIBUTE_DIMENSIONS = ("sku", "country", "channel", "marketplace", "category", "customer")
DIMENSIONS = TIME_DIMENSIONS + ATTRIBUTE_DIMENSIONS
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
UNSPECIFIED = "(unspecified)"
NO_CUSTOMER = ""  # the group key of lines without a customer id (callers leave that group out)

SUM_COLUMNS = ("revenue", "gross", "units", "returned_units", "returned_value", "return_lines", "lines")
DISTINCT_COLUMNS = ("orders", "customers")
METRIC_COLUMNS = SUM_COLUMNS + DISTINCT_COLUMNS
# read from the few "minor" lines only (zero-price, returns, no customer): see SalesLines._detail_columns
DETAIL_COLUMNS = ("adjustment_lines", "adjustment_units", "correction_lines", "customer_revenue",
                  "cancelled_orders")

@dataclass(frozen=True)
class SalesFilter:
    """Which sales lines an aggregate covers. Dates are inclusive; text filters are case-insensitive except
    SKU codes and customer ids, which match exactly. `weekdays` are English names (Monday…Sunday)."""

    start: date | None = None
    end: date | None = None
    countries: tuple[str, ...] = ()
    exclude_countries: tuple[str, ...] = ()
    skus: tuple[str, ...] = ()
    products: tuple[str, ...] = ()  # product-name fragments
    categories: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    marketplaces: tuple[str, ...] = ()
    exclude_skus: tuple[str, ...] = ()
    customers: tuple[str, ...] = ()
    weekdays: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def with_period(self, start: date | None, end: date | None) -> SalesFilter:
        return dataclasses.replace(self, start=start, end=end)

    def describe(self) -> dict[str, Any]:
        """The non-empty parts, JSON-ready (for evidence)."""
        out: dict[str, Any] = {}
        if self.start:
            out["start"] = self.start.isoformat()
        if self.end:
            out["end"] = self.end.isoformat()
        for name in ("countries", "exclude_countries", "skus", "exclude_skus", "products", "categories",
                     "channels", "marketplaces", "customers", "weekdays"):
            value = getattr(self, name)
            if value:
                out[name] = list(value)
        return out


def _lower_in(column: Any, values: tuple[str, ...]) -> Any:
    return sa.func.lower(column).in_([v.strip().lower() for v in values])


def week_label(week_start: str) -> str:
    """ISO week label ("2011-W48") of the Monday `week_start` (YYYY-MM-DD)."""
    year, week, _ = date.fromisoformat(week_start[:10]).isocalendar()
    return f"{year}-W{week:02d}"


# What one line counts for, as markers the rollup swaps for its groups' line counts (ecomintel/db/sales_rollup.py):
# `ONE` inside a CASE that counts lines, `LINES` for the number of lines. On the sales table they are 1 and COUNT(*).
ONE = sa.literal_column("1", sa.Integer)
LINES = sa.func.count()


# -- line classes (SQL conditions over the sales table) -------------------------------------------------
def _total(expr: Any, zero: Any = 0.0) -> Any:
    return sa.func.coalesce(sa.func.sum(expr), zero)


def has_customer() -> Any:
    s = m.sales
    return sa.and_(s.c.customer_id.is_not(None), s.c.customer_id != "")


def _stock_line() -> Any:
    """Zero price, no customer, not a cancellation invoice: an adjustment (qty < 0) or a correction."""
    s = m.sales
    return sa.and_(s.c.revenue == 0, sa.or_(s.c.customer_id.is_(None), s.c.customer_id == ""),
                   sa.not_(s.c.order_id.ilike("c%")))


def adjustment_line() -> Any:
    return sa.and_(_stock_line(), m.sales.c.quantity < 0)


def correction_line() -> Any:
    return sa.and_(_stock_line(), m.sales.c.quantity > 0)


def return_line() -> Any:
    return sa.and_(m.sales.c.is_return == sa.true(), sa.not_(_stock_line()))


def sale_line() -> Any:
    return sa.and_(m.sales.c.is_return == sa.false(), sa.not_(_stock_line()))


class SalesLines(RepositoryCore):
    """SQL building blocks over the sales table, shared by the sales and customer queries."""

    def _metric_columns(self, distinct: bool = True) -> list[Any]:
        """Aggregate columns (see the module docstring for the line classes); `distinct=False` leaves out
        the COUNT(DISTINCT …) ones (orders, customers), which dominate the cost of a large GROUP BY, when the
        question does not need them. Gross and returned value need no class test: adjustments and corrections
        have revenue 0. Every extra CASE costs ~10% of a year's scan, so the columns only a few answers need
        are read from the few lines they concern (`_detail_columns`)."""
        s = m.sales
        sold, stock = s.c.is_return == sa.false(), _stock_line()
        ret = return_line()
        cols = [
            _total(s.c.revenue).label("revenue"),
            _total(sa.case((sold, s.c.revenue), else_=0.0)).label("gross"),
            _total(sa.case((stock, 0.0), else_=s.c.quantity)).label("units"),
            _total(sa.case((ret, -s.c.quantity), else_=0.0)).label("returned_units"),
            _total(sa.case((s.c.is_return == sa.true(), -s.c.revenue), else_=0.0)).label("returned_value"),
            _total(sa.case((ret, ONE), else_=0), 0).label("return_lines"),
            LINES.label("lines"),
        ]
        if distinct:
            cols += [
                sa.func.count(sa.distinct(sa.case((sale_line(), s.c.order_id)))).label("orders"),
                sa.func.count(sa.distinct(sa.case((sa.and_(sold, has_customer()), s.c.customer_id))))
                .label("customers"),
            ]
        return cols

    def _detail_columns(self) -> list[Any]:
        """Stock adjustments, corrections, cancelled orders and the revenue of lines without a customer id,
        aggregated over `_detail_lines()` only (zero-price lines, returns and lines without a customer: a
        filtered scan is cheaper than five more CASE columns over every line)."""
        s = m.sales
        adj, corr = adjustment_line(), correction_line()
        return [
            _total(sa.case((adj, ONE), else_=0), 0).label("adjustment_lines"),
            _total(sa.case((adj, -s.c.quantity), else_=0.0)).label("adjustment_units"),
            _total(sa.case((corr, ONE), else_=0), 0).label("correction_lines"),
            _total(sa.case((sa.not_(has_customer()), s.c.revenue), else_=0.0)).label("no_customer_revenue"),
            sa.func.count(sa.distinct(sa.case((return_line(), s.c.order_id)))).label("cancelled_orders"),
        ]

    @staticmethod
    def _detail_lines() -> Any:
        """The lines `_detail_columns` can depend on."""
        s = m.sales
        return sa.or_(s.c.revenue == 0, s.c.is_return == sa.true(), sa.not_(has_customer()))

    def _sold_at_bounds(self, start: date | None, end: date | None, stream: bool = False) -> list[Any]:
        """Inclusive date bounds. On SQLite timestamps are ISO text, so compare as text against a bare
        date (shorter string sorts before every timestamp of that day, whatever the stored precision).
        `stream=True` (SQLite) writes the column as `+sales.sold_at` so the planner cannot use the date index
        and walks the SKU-ordered covering index instead (GROUP BY sku without a sort)."""
        s = m.sales
        clauses: list[Any] = []
        if self.dialect == "sqlite":
            col: Any = (sa.literal_column("+sales.sold_at", sa.String) if stream
                        else sa.type_coerce(s.c.sold_at, sa.String))
            if start:
                clauses.append(col >= start.isoformat())
            if end:
                clauses.append(col < (end + timedelta(days=1)).isoformat())
        else:
            if start:
                clauses.append(s.c.sold_at >= datetime.combine(start, datetime.min.time()))
            if end:
                clauses.append(s.c.sold_at < datetime.combine(end + timedelta(days=1), datetime.min.time()))
        return clauses

    def _where(self, stmt: sa.Select[Any], flt: SalesFilter, stream: bool = False,
               dates: bool = True) -> sa.Select[Any]:
        """`stmt` restricted to the filter's lines; `dates=False` applies every filter but the period (the
        first purchase of a customer is looked for over all of the tenant's data)."""
        s = m.sales
        clauses = self._sold_at_bounds(flt.start, flt.end, stream) if dates else []
        if flt.countries:
            clauses.append(_lower_in(s.c.country, flt.countries))
        if flt.exclude_countries:
            clauses.append(sa.or_(s.c.country.is_(None), ~_lower_in(s.c.country, flt.exclude_countries)))
        if flt.skus:
            clauses.append(s.c.sku.in_([v.strip() for v in flt.skus]))  # exact: 85123A and 85123a differ
        if flt.exclude_skus:
            clauses.append(s.c.sku.not_in([v.strip() for v in flt.exclude_skus]))
        if flt.products:
            clauses.append(sa.or_(*[s.c.product_name.ilike(f"%{frag.strip()}%") for frag in flt.products]))
        if flt.channels:
            clauses.append(_lower_in(s.c.channel, flt.channels))
        if flt.marketplaces:
            clauses.append(_lower_in(s.c.marketplace, flt.marketplaces))
        if flt.customers:
            clauses.append(s.c.customer_id.in_([v.strip() for v in flt.customers]))
        if flt.weekdays:
            numbers = sorted({(WEEKDAYS.index(d.strip().capitalize()) + 1) % 7 for d in flt.weekdays})
            clauses.append(self._dimension("weekday").in_(numbers))  # 0 = Sunday, as _dimension gives it
        if flt.categories:
            p = m.products
            cat_skus = self.scoped(p, p.c.sku).where(
                sa.or_(*[p.c.category.ilike(f"%{c.strip()}%") for c in flt.categories]))
            clauses.append(s.c.sku.in_(cat_skus))
        return stmt.where(*clauses) if clauses else stmt

    def _dimension(self, dim: str, timestamp: Any = None) -> Any:
        """SQL expression of a grouping key; time keys are text (or int for weekday/hour). `timestamp`
        replaces sales.sold_at (e.g. a subquery's column)."""
        s = m.sales
        pg = self.dialect == "postgresql"
        col = s.c.sold_at if timestamp is None else timestamp
        text = sa.type_coerce(col, sa.String)
        if dim == "day":
            return sa.func.to_char(col, "YYYY-MM-DD") if pg else sa.func.substr(text, 1, 10)
        if dim == "month":
            return sa.func.to_char(col, "YYYY-MM") if pg else sa.func.substr(text, 1, 7)
        if dim == "week":  # Monday of the ISO week
            if pg:
                return sa.func.to_char(sa.func.date_trunc("week", col), "YYYY-MM-DD")
            return sa.func.date(text, "weekday 0", "-6 days")
        if dim == "quarter":
            if pg:
                return sa.func.to_char(col, 'YYYY-"Q"Q')
            q = (sa.cast(sa.func.substr(text, 6, 2), sa.Integer) + 2) // 3
            return sa.func.substr(text, 1, 4) + "-Q" + sa.cast(q, sa.String)
        if dim == "weekday":  # 0 = Sunday on both
            if pg:
                return sa.cast(sa.extract("dow", col), sa.Integer)
            return sa.cast(sa.func.strftime("%w", text), sa.Integer)
        if dim == "hour":
            if pg:
                return sa.cast(sa.extract("hour", col), sa.Integer)
            return sa.cast(sa.func.substr(text, 12, 2), sa.Integer)
        if dim in ("country", "channel", "marketplace"):
            return sa.func.coalesce(s.c[dim], UNSPECIFIED)
        if dim == "sku":
            return s.c.sku
        if dim == "customer":
            return sa.func.coalesce(s.c.customer_id, NO_CUSTOMER)
        raise ValueError(f"unknown dimension {dim!r}; known: {DIMENSIONS}")
