"""Data-quality aggregates in the database: per-column completeness, suspicious-value counts, the daily sales
series, value distributions (prices, quantities) and the rows behind each check.

Why in SQL: the Data QA run must stay within seconds on a 541,909-line tenant (bench/data_qa.py), so every
check reads a GROUP BY or a single pass of conditional counts, never the table itself; pandas only sees a few
thousand groups (one per day, per SKU×price, per distinct quantity). The rows behind a check (`quality_rows`)
are a filtered, limited SELECT of the same condition, so what the page downloads is what was counted.
Checks live in ecomintel/quality/checks.py and work on these frames, so they are testable on small frames.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ecomintel.db import models as m
from ecomintel.db.scoped import RepositoryCore
from ecomintel.db.tenant_numbers import id_of_number
from ecomintel.errors import NotFound

if TYPE_CHECKING:
    import pandas as pd

# The columns whose completeness the QA run reports, per dataset (table, columns). Text columns count '' as empty.
QUALITY_TABLES: dict[str, tuple[sa.Table, tuple[str, ...]]] = {
    "sales": (m.sales, ("order_id", "sku", "product_name", "quantity", "unit_price", "currency", "customer_id",
                        "country", "channel", "marketplace", "sold_at")),
    "products": (m.products, ("sku", "name", "brand", "category", "marketplace", "price", "list_price", "cost",
                              "currency", "inventory_level", "lead_time_days", "rating", "rating_count")),
    "listings": (m.listings, ("sku", "title", "brand", "category", "marketplace", "seller", "price",
                              "list_price", "currency", "url", "observed_at")),
    "reviews": (m.reviews, ("sku", "product_name", "category", "rating", "title", "text", "author", "created_at",
                            "verified", "helpful_count")),
}
DATE_COLUMN = {"sales": "sold_at", "listings": "observed_at", "reviews": "created_at", "products": "updated_at"}


def _empty(col: sa.Column[Any]) -> Any:
    """NULL, or '' for a text column."""
    if isinstance(col.type, sa.String | sa.Text):
        return sa.or_(col.is_(None), col == "")
    return col.is_(None)


def _count(cond: Any) -> Any:
    return sa.func.coalesce(sa.func.sum(sa.case((cond, 1), else_=0)), 0)


def _no_text(t: sa.Table) -> Any:
    return sa.or_(t.c.text.is_(None), t.c.text == "")


def _no_customer() -> Any:
    s = m.sales
    return sa.or_(s.c.customer_id.is_(None), s.c.customer_id == "")


def _stock_adjustment() -> Any:
    """As ecomintel/db/sales_lines.py: zero price, no customer, not a C invoice, quantity < 0."""
    s = m.sales
    return sa.and_(s.c.revenue == 0, _no_customer(), sa.not_(s.c.order_id.ilike("c%")), s.c.quantity < 0)


def row_conditions(dataset: str, now: datetime) -> dict[str, Any]:
    """The named row conditions a check's rows are selected by (`quality_rows`); the counts in
    `quality_profile` use the same expressions."""
    if dataset == "sales":
        s = m.sales
        return {
            "zero_price_sale": sa.and_(s.c.unit_price == 0, sa.not_(_no_customer())),
            "negative_price": s.c.unit_price < 0,
            "future_date": s.c.sold_at > now,
            "stock_adjustment": _stock_adjustment(),
            "no_customer": _no_customer(),
            "no_name": _empty(s.c.product_name),
        }
    if dataset == "products":
        p = m.products
        return {
            "no_price": p.c.price.is_(None),
            "zero_price": p.c.price == 0,
            "price_above_list": sa.and_(p.c.price.is_not(None), p.c.list_price.is_not(None),
                                        p.c.price > p.c.list_price),
            "no_name": _empty(p.c.name),
            "no_rating": p.c.rating.is_(None),
        }
    if dataset == "listings":
        t = m.listings
        return {
            "no_price": t.c.price.is_(None),
            "zero_price": t.c.price <= 0,
            "future_date": t.c.observed_at > now,
            "price_above_list": sa.and_(t.c.price.is_not(None), t.c.list_price.is_not(None),
                                        t.c.price > t.c.list_price),
        }
    if dataset == "reviews":
        r = m.reviews
        return {
            "no_text": _no_text(r),
            "no_rating": r.c.rating.is_(None),
            "no_date": r.c.created_at.is_(None),
            "future_date": r.c.created_at > now,
            "spam": r.c.is_spam.is_(True),
        }
    raise KeyError(dataset)


ROW_COLUMNS: dict[str, tuple[str, ...]] = {
    "sales": ("order_id", "sku", "product_name", "quantity", "unit_price", "currency", "customer_id", "country",
              "sold_at", "batch_id"),
    "products": ("sku", "name", "brand", "category", "marketplace", "price", "list_price", "currency", "rating",
                 "batch_id"),
    "listings": ("sku", "title", "marketplace", "seller", "price", "list_price", "currency", "observed_at",
                 "batch_id"),
    "reviews": ("review_key", "sku", "product_name", "rating", "title", "text", "author", "created_at",
                "spam_reasons", "batch_id"),
}
SEARCH_COLUMNS: dict[str, tuple[str, ...]] = {
    "sales": ("order_id", "sku", "product_name", "customer_id"),
    "products": ("sku", "name", "brand", "category"),
    "listings": ("sku", "title", "seller", "marketplace"),
    "reviews": ("sku", "product_name", "title", "text", "category"),
}
BROWSE_COLUMNS: dict[str, tuple[str, ...]] = {
    "sales": ("order_id", "sku", "product_name", "quantity", "unit_price", "revenue", "currency", "customer_id",
              "country", "channel", "marketplace", "sold_at", "is_return", "batch_id"),
    "products": ("sku", "name", "brand", "category", "marketplace", "price", "list_price", "cost", "currency",
                 "inventory_level", "rating", "rating_count", "batch_id"),
    "listings": ("sku", "title", "brand", "marketplace", "seller", "price", "list_price", "currency", "url",
                 "observed_at", "batch_id"),
    "reviews": ("review_key", "sku", "product_name", "category", "rating", "title", "text", "created_at",
                "is_spam", "spam_reasons", "attributes", "batch_id"),
}
FILTER_COLUMNS: dict[str, tuple[str, ...]] = {
    "sales": ("country", "currency", "marketplace"),
    "products": ("marketplace", "category", "currency"),
    "listings": ("marketplace", "seller", "currency"),
    "reviews": ("category",),
}


class QualityQueries(RepositoryCore):
    """Reads the Data QA run needs (ecomintel/quality/run.py). Every statement starts from `self.scoped`."""

    def quality_profile(self, dataset: str, now: datetime) -> dict[str, Any]:
        """One pass over a dataset: rows, empty cells per column, each named condition's count, and the date
        range. {rows, empty: {column: n}, counts: {condition: n}, first, last}."""
        table, columns = QUALITY_TABLES[dataset]
        conditions = row_conditions(dataset, now)
        date_col = table.c[DATE_COLUMN[dataset]]
        exprs = [sa.func.count().label("rows")]
        exprs += [_count(_empty(table.c[c])).label(f"e_{c}") for c in columns]
        exprs += [_count(cond).label(f"c_{name}") for name, cond in conditions.items()]
        exprs += [sa.func.min(date_col).label("first"), sa.func.max(date_col).label("last")]
        with self.engine.connect() as conn:
            row = conn.execute(self.scoped(table, *exprs)).one()._mapping
        return {"rows": int(row["rows"] or 0),
                "empty": {c: int(row[f"e_{c}"] or 0) for c in columns},
                "counts": {name: int(row[f"c_{name}"] or 0) for name in conditions},
                "first": row["first"], "last": row["last"]}

    def quality_sales_daily(self) -> pd.DataFrame:
        """Per calendar day with sales: lines, revenue, lines without a customer id (day as 'YYYY-MM-DD')."""
        s = m.sales
        day = sa.func.date(s.c.sold_at).label("day")  # date() exists on SQLite and PostgreSQL
        stmt = (self.scoped(s, day, sa.func.count().label("lines"), sa.func.sum(s.c.revenue).label("revenue"),
                            _count(_no_customer()).label("no_customer"))
                .group_by(day).order_by(day))
        frame = self.frame(stmt)
        frame["day"] = frame["day"].astype(str).str.slice(0, 10)
        return frame

    def quality_period_batch_ids(self, start: date, end: date) -> list[int]:
        """The import batches (global ids) whose sales lines fall in [start, end]: the imports behind a period
        (a range scan of the tenant's sold_at index, DISTINCT batch_id)."""
        s = m.sales
        lo = datetime.combine(start, datetime.min.time())
        hi = datetime.combine(end + timedelta(days=1), datetime.min.time())
        stmt = (self.scoped(s, s.c.batch_id).where(s.c.sold_at >= lo, s.c.sold_at < hi, s.c.batch_id.is_not(None))
                .distinct())
        return [int(v) for v in self.frame(stmt)["batch_id"]]

    def quality_sales_items(self) -> pd.DataFrame:
        """Lines per (sku, product_name, currency, unit_price): the distributions behind price outliers, SKUs with
        several names and products in several currencies, in one GROUP BY (~25k groups on Online Retail)."""
        s = m.sales
        stmt = (self.scoped(s, s.c.sku, s.c.product_name, s.c.currency, s.c.unit_price,
                            sa.func.count().label("lines"))
                .group_by(s.c.sku, s.c.product_name, s.c.currency, s.c.unit_price))
        return self.frame(stmt)

    def quality_sales_quantities(self) -> pd.DataFrame:
        """Lines per (sku, quantity): the distribution behind quantity outliers."""
        s = m.sales
        stmt = self.scoped(s, s.c.sku, s.c.quantity, sa.func.count().label("lines")).group_by(s.c.sku, s.c.quantity)
        return self.frame(stmt)

    def quality_value_groups(self, dataset: str, key: str, value: str) -> pd.DataFrame:
        """Rows per (key, value) of a small table (products / listings prices by sku or category, currencies)."""
        table = QUALITY_TABLES[dataset][0]
        stmt = (self.scoped(table, table.c[key].label("key"), table.c[value].label("value"),
                            sa.func.count().label("rows"))
                .where(table.c[value].is_not(None)).group_by(table.c[key], table.c[value]))
        return self.frame(stmt)

    def quality_repeated_text(self, dataset: str, column: str, min_count: int = 2) -> pd.DataFrame:
        """Values of a text column that occur on several rows (lower-cased, trimmed): value, rows, keys."""
        table = QUALITY_TABLES[dataset][0]
        norm = sa.func.lower(sa.func.trim(table.c[column]))
        stmt = (self.scoped(table, norm.label("value"), sa.func.count().label("rows"),
                            sa.func.count(sa.distinct(table.c.sku)).label("skus"))
                .where(sa.not_(_empty(table.c[column]))).group_by(norm)
                .having(sa.func.count() >= min_count))
        return self.frame(stmt)

    def quality_daily_counts(self, dataset: str) -> pd.DataFrame:
        """Rows per day of a dataset's date column (reviews by created_at, listings by observed_at)."""
        table = QUALITY_TABLES[dataset][0]
        col = table.c[DATE_COLUMN[dataset]]
        day = sa.func.date(col).label("day")
        stmt = self.scoped(table, day, sa.func.count().label("rows")).where(col.is_not(None)).group_by(day).order_by(day)
        frame = self.frame(stmt)
        frame["day"] = frame["day"].astype(str).str.slice(0, 10)
        return frame

    def quality_currencies(self, datasets: Sequence[str] = ("products", "listings")) -> dict[str, dict[str, int]]:
        """Rows per currency code (NULL as '') in each dataset that carries one (the sales lines' currencies come
        with `quality_sales_items`, which scans them anyway)."""
        out: dict[str, dict[str, int]] = {}
        with self.engine.connect() as conn:
            for dataset in datasets:
                t = QUALITY_TABLES[dataset][0]
                code = sa.func.coalesce(t.c.currency, "")
                rows = conn.execute(self.scoped(t, code.label("code"), sa.func.count()).group_by(code)).all()
                out[dataset] = {str(c): int(n) for c, n in rows}
        return out

    def quality_sales_currency_codes(self) -> list[str]:
        """The distinct non-empty currency codes of the sales lines (at most 10)."""
        s = m.sales
        stmt = (self.scoped(s, s.c.currency).where(s.c.currency.is_not(None), s.c.currency != "").distinct()
                .limit(10))
        with self.engine.connect() as conn:
            return sorted(str(r[0]) for r in conn.execute(stmt))

    def quality_sales_currency_days(self) -> list[tuple[str, str]]:
        """(day 'YYYY-MM-DD', currency) for every day and currency that occur together in the sales lines — a
        few hundred rows even for years of sales in two currencies (the quality gate asks only then)."""
        s = m.sales
        day = sa.func.date(s.c.sold_at).label("day")
        stmt = (self.scoped(s, day, s.c.currency).where(s.c.currency.is_not(None), s.c.currency != "")
                .group_by(day, s.c.currency).order_by(day))
        with self.engine.connect() as conn:
            return [(str(d)[:10], str(c)) for d, c in conn.execute(stmt)]

    def tenant_currency(self) -> str | None:
        """The tenant's currency: the code on most rows across sales, products and listings (None: none stated)."""
        counts: dict[str, int] = {}
        s = m.sales
        with self.engine.connect() as conn:
            for code, n in conn.execute(self.scoped(s, s.c.currency, sa.func.count())
                                        .where(s.c.currency.is_not(None), s.c.currency != "")
                                        .group_by(s.c.currency)):
                counts[str(code)] = counts.get(str(code), 0) + int(n)
        for per in self.quality_currencies().values():
            for code, n in per.items():
                if code:
                    counts[code] = counts.get(code, 0) + n
        return max(counts, key=lambda c: counts[c]) if counts else None

    def quality_batches(self, limit: int = 200) -> pd.DataFrame:
        """The import history: one row per ingestion batch with its counts, newest first. `batch` is the
        number people see (per tenant), `batch_id` the global id to look rows up by (not for display)."""
        b = m.ingestion_batches
        stmt = (self.scoped(b, b.c.number.label("batch"), b.c.id.label("batch_id"), b.c.kind, b.c.file_name, b.c.source, b.c.status,
                            b.c.created_at, b.c.rows_total, b.c.rows_accepted, b.c.rows_rejected, b.c.rows_duplicate,
                            b.c.rows_returns, b.c.message, b.c.profile)
                .order_by(b.c.id.desc()).limit(limit))
        return self.frame(stmt)

    def quality_rejected_reasons(self) -> pd.DataFrame:
        """Rejected rows per batch and reason text (the first reason of each row): batch_id, reason, rows."""
        t = m.rejected_rows
        stmt = (self.scoped(t, t.c.batch_id, t.c.reasons.label("reason"), sa.func.count().label("rows"))
                .group_by(t.c.batch_id, t.c.reasons))
        return self.frame(stmt)

    def browse(self, dataset: str, *, search: str = "", equals: dict[str, str] | None = None,
               start: Any = None, end: Any = None, limit: int = 500) -> tuple[pd.DataFrame, int]:
        """What is loaded, for the Data Quality page's browser: (up to `limit` rows, rows matching in all).
        `search` matches (case-insensitive, as a fragment) the dataset's identifying text columns; `equals`
        are exact column values (a country, a marketplace); start/end bound the date column (inclusive)."""
        table = QUALITY_TABLES[dataset][0]
        conds: list[Any] = []
        if search.strip():
            pattern = f"%{search.strip().lower()}%"
            cols = [c for c in SEARCH_COLUMNS[dataset] if c in table.c]
            conds.append(sa.or_(*(sa.func.lower(table.c[c]).like(pattern) for c in cols)))
        for column, value in (equals or {}).items():
            if column in table.c and value not in (None, ""):
                conds.append(table.c[column] == value)
        date_col = table.c[DATE_COLUMN[dataset]]
        if start is not None:
            conds.append(date_col >= start)
        if end is not None:
            conds.append(sa.func.date(date_col) <= str(end)[:10])
        shown = [table.c[c] for c in BROWSE_COLUMNS[dataset] if c in table.c]
        stmt = self.scoped(table, *shown).where(*conds).order_by(table.c.id).limit(limit)
        with self.engine.connect() as conn:
            total = int(conn.execute(self.scoped(table, sa.func.count()).where(*conds)).scalar() or 0)
        frame = self.frame(stmt)
        if "attributes" in frame:  # JSON → text, so a table widget shows it as written
            frame["attributes"] = [json.dumps(a, ensure_ascii=False) if a else "" for a in frame["attributes"]]
        return frame, total

    def distinct_values(self, dataset: str, column: str, limit: int = 200) -> list[str]:
        """The values of a low-cardinality column (country, marketplace, category) for the browser's filters."""
        table = QUALITY_TABLES[dataset][0]
        stmt = (self.scoped(table, table.c[column]).where(table.c[column].is_not(None), table.c[column] != "")
                .group_by(table.c[column]).order_by(sa.func.count().desc()).limit(limit))
        with self.engine.connect() as conn:
            return [str(r[0]) for r in conn.execute(stmt)]

    def quality_rows(self, dataset: str, *, condition: str | None = None, skus: Sequence[str] = (),
                     days: Sequence[str] = (), prices: Sequence[tuple[str, float]] = (),
                     quantities: Sequence[tuple[str, float]] = (), currencies: Sequence[str] = (),
                     texts: Sequence[str] = (), batch_id: int | None = None, batch: int | None = None,
                     now: datetime | None = None, limit: int = 200) -> pd.DataFrame:
        """The rows behind one check: a named condition (`row_conditions`), or rows of given SKUs, days,
        (sku, price) / (sku, quantity) pairs, currencies or repeated texts; rejected rows of a batch (`batch`:
        the tenant's batch number, as in a locator; `batch_id`: the global id)."""
        if batch is not None:
            with self.engine.connect() as conn:
                batch_id = id_of_number(conn, m.ingestion_batches, self.tenant_id, batch)
            if batch_id is None:
                raise NotFound(f"No import batch {batch}.")
        if dataset == "rejected":
            return self.rejected(int(batch_id or 0), limit=limit)  # type: ignore[attr-defined]
        table = QUALITY_TABLES[dataset][0]
        stmt = self.scoped(table, *(table.c[c] for c in ROW_COLUMNS[dataset]))
        if condition is not None:
            stmt = stmt.where(row_conditions(dataset, now or datetime.now())[condition])
        if skus:
            stmt = stmt.where(table.c.sku.in_(list(skus)))
        if days:
            col = table.c[DATE_COLUMN[dataset]]
            stmt = stmt.where(sa.func.date(col).in_(list(days)))
        value = "unit_price" if dataset == "sales" else "price"
        if prices:
            stmt = stmt.where(sa.or_(*(sa.and_(table.c.sku == s, table.c[value] == p) for s, p in prices)))
        if quantities:
            stmt = stmt.where(sa.or_(*(sa.and_(table.c.sku == s, table.c.quantity == q) for s, q in quantities)))
        if currencies:
            stmt = stmt.where(sa.func.coalesce(table.c.currency, "").in_(list(currencies)))
        text_column = {"reviews": "text", "products": "name", "listings": "title"}.get(dataset)
        if texts and text_column:
            stmt = stmt.where(sa.func.lower(sa.func.trim(table.c[text_column])).in_(list(texts)))
        if batch_id is not None:
            stmt = stmt.where(table.c.batch_id == batch_id)
        return self.frame(stmt.order_by(table.c.id).limit(limit))
