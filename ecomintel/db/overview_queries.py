"""What a tenant has, at a glance: counts, date ranges and revenue by day for the Home page.

Why its own mixin: the Home page must stay cheap on a 500k-line tenant, so it asks the database for a few
COUNT/MIN/MAX/SUM aggregates (GROUP BY day) instead of loading rows; the SQL lives next to the schema,
scoped through `RepositoryCore.scoped` like every other tenant query.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ecomintel.db import models as m
from ecomintel.db.sales_lines import adjustment_line, correction_line
from ecomintel.db.scoped import RepositoryCore

if TYPE_CHECKING:
    import pandas as pd


class OverviewQueries(RepositoryCore):
    """Counts and a daily revenue series for the tenant's dashboard."""

    def overview(self) -> dict[str, Any]:
        """Sales lines, date range, distinct SKUs, net revenue, stock adjustments and corrections (the line
        classes of docs/ask-contract.md: not sales, stated apart), products, reviews and the last ingest."""
        s, p, r, b = m.sales, m.products, m.reviews, m.ingestion_batches
        adjustment = adjustment_line()
        with self.engine.connect() as conn:
            lines, first, last, skus, revenue, adj_lines, adj_units, corr_lines = conn.execute(self.scoped(
                s, sa.func.count(), sa.func.min(s.c.sold_at), sa.func.max(s.c.sold_at),
                sa.func.count(sa.distinct(s.c.sku)), sa.func.sum(s.c.revenue),
                sa.func.sum(sa.case((adjustment, 1), else_=0)),
                sa.func.sum(sa.case((adjustment, -s.c.quantity), else_=0.0)),
                sa.func.sum(sa.case((correction_line(), 1), else_=0)))).one()
            products = conn.execute(self.scoped(p, sa.func.count())).scalar()
            reviews = conn.execute(self.scoped(r, sa.func.count())).scalar()
            last_ingest = conn.execute(self.scoped(b, sa.func.max(b.c.finished_at))
                                       .where(b.c.status == "done")).scalar()
            batches = conn.execute(self.scoped(b, sa.func.count())).scalar()
        return {
            "sales_lines": int(lines or 0),
            "sales_from": _as_datetime(first),
            "sales_to": _as_datetime(last),
            "sales_skus": int(skus or 0),
            "net_revenue": float(revenue or 0.0),
            "adjustment_lines": int(adj_lines or 0),
            "adjustment_units": float(adj_units or 0.0),
            "correction_lines": int(corr_lines or 0),
            "products": int(products or 0),
            "reviews": int(reviews or 0),
            "last_ingest": _as_datetime(last_ingest),
            "batches": int(batches or 0),
        }

    def revenue_by_day(self, days: int | None = None) -> pd.DataFrame:
        """Net revenue and lines per calendar day (columns day, revenue, lines), oldest first.

        `days` keeps only the last N days up to the tenant's latest sales date (not the wall clock).
        """
        import pandas as pd

        s = m.sales
        day = sa.func.date(s.c.sold_at).label("day")  # date() exists on SQLite and PostgreSQL
        stmt = self.scoped(s, day, sa.func.sum(s.c.revenue).label("revenue"),
                           sa.func.count().label("lines"))
        if days is not None:
            with self.engine.connect() as conn:
                latest = conn.execute(self.scoped(s, sa.func.max(s.c.sold_at))).scalar()
            latest_dt = _as_datetime(latest)
            if latest_dt is not None:
                start = datetime.combine(latest_dt.date() - timedelta(days=days - 1), datetime.min.time())
                stmt = stmt.where(s.c.sold_at >= start)
        frame = self.frame(stmt.group_by(day).order_by(day))
        if frame.empty:
            return pd.DataFrame({"day": pd.Series(dtype="datetime64[ns]"),
                                 "revenue": pd.Series(dtype=float), "lines": pd.Series(dtype=int)})
        frame["day"] = pd.to_datetime(frame["day"])
        frame["revenue"] = frame["revenue"].astype(float)
        frame["lines"] = frame["lines"].astype(int)
        return frame


def _as_datetime(value: Any) -> datetime | None:
    """SQLite returns aggregates of timestamps as text; PostgreSQL as datetime. Normalise both."""
    import pandas as pd

    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time())
    return pd.Timestamp(value).to_pydatetime()
