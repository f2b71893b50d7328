"""Customer aggregations in the database: new vs returning customers per period, orders per customer (repeat
customers) and first-purchase-month cohorts. Customer ids only; there is no personal data.

Why in SQL: a customer's first purchase is a MIN over all of their lines, and "bought in this week" is a
DISTINCT over the period's lines; both are GROUP BYs the database does on the covering index, and pandas only
sees one row per (period, customer group) or per (cohort, month).
Definitions (docs/ask-contract.md): only sale lines count (sales_lines.py: not returns, adjustments or
corrections) and only lines with a customer id. A customer's first purchase is looked for over all of the
tenant's data with the same non-period filters (country, product, …), so "new in November" means no earlier
purchase at all, not "none earlier in the question's period".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa

from ecomintel.db import models as m
from ecomintel.db.sales_lines import SalesFilter, SalesLines, has_customer, sale_line, week_label
from ecomintel.db.sales_rollup import SalesRollup
from ecomintel.db.scoped import as_date

if TYPE_CHECKING:
    import pandas as pd


class CustomerQueries(SalesLines, SalesRollup):
    """Reads about customers (ids) over the sales lines. Every statement starts from `self.scoped(m.sales)`
    (run over the rollup when no product is named: sales_rollup.py).

    Why two small aggregates joined in pandas rather than one SQL join: the join of "who bought in which
    bucket" with "when did each customer first buy" has no index to use on either side (both are derived
    tables), and SQLite answers it as a nested loop (seconds on a year of Online Retail); the two aggregates
    are a few thousand rows each, and merging them in pandas takes milliseconds."""

    def first_purchases(self, flt: SalesFilter, grain: str | None = None) -> pd.DataFrame:
        """Each customer's first sale line under the filter's non-period filters: columns customer_id,
        first_day (date) and, with a grain, first_key (the bucket of the first purchase, as `_dimension`
        writes it). One row per customer."""
        import pandas as pd

        s = m.sales
        stmt = self.scoped(s, s.c.customer_id.label("customer_id"), sa.func.min(s.c.sold_at).label("first_ts"))
        stmt = self._where(stmt.where(sale_line(), has_customer()), flt, dates=False).group_by(s.c.customer_id)
        sub = stmt.subquery("firsts")
        cols = [sub.c.customer_id, sub.c.first_ts]
        if grain is not None:
            cols.append(self._dimension(grain, sub.c.first_ts).label("first_key"))
        frame = self.frame(self.on_rollup(sa.select(*cols), flt))
        if frame.empty:
            return pd.DataFrame({"customer_id": pd.Series(dtype=str), "first_day": pd.Series(dtype=object),
                                 **({"first_key": pd.Series(dtype=str)} if grain else {})})
        frame["customer_id"] = frame["customer_id"].astype(str)
        frame["first_day"] = [as_date(v) for v in frame.pop("first_ts")]
        if grain is not None:
            frame["first_key"] = frame["first_key"].astype(str)
        return frame

    def buyers_by(self, grain: str, flt: SalesFilter) -> pd.DataFrame:
        """The distinct (key, customer_id) of the filtered sale lines: who bought in which bucket of `grain`
        (keys as `_dimension` writes them: a week is its Monday)."""
        import pandas as pd

        s = m.sales
        key = self._dimension(grain).label("key")
        stmt = self._where(self.scoped(s, key, s.c.customer_id.label("customer_id"))
                           .where(sale_line(), has_customer()), flt).distinct()
        frame = self.frame(self.on_rollup(stmt, flt, grain))
        if frame.empty:
            return pd.DataFrame({"key": pd.Series(dtype=str), "customer_id": pd.Series(dtype=str)})
        return frame.astype({"key": str, "customer_id": str})

    def new_returning(self, grain: str, flt: SalesFilter) -> tuple[pd.DataFrame, dict[str, int]]:
        """Per time bucket of `grain` (day/week/month/quarter) inside the filter's period: `customers` who
        bought, `new_customers` whose first purchase falls in that bucket (and inside the period),
        `returning_customers` the rest; columns key, new_customers, returning_customers, customers (week keys
        as ISO labels "2011-W48"; buckets without buyers are absent). Also the same three numbers over the
        whole period (new = first purchase inside the period)."""
        buyers = self.buyers_by(grain, flt)
        firsts = self.first_purchases(flt, grain)
        both = buyers.merge(firsts, on="customer_id", how="left")
        both["first_inside"] = [flt.start is None or d >= flt.start for d in both["first_day"]]
        both["new"] = (both["first_key"] == both["key"]) & both["first_inside"]
        frame = (both.groupby("key").agg(customers=("customer_id", "size"), new_customers=("new", "sum"))
                 .reset_index().sort_values("key"))
        frame = frame.astype({"customers": int, "new_customers": int})
        frame["returning_customers"] = frame["customers"] - frame["new_customers"]
        frame["key"] = frame["key"].astype(str).map(week_label) if grain == "week" else frame["key"].astype(str)
        per_customer = both.drop_duplicates("customer_id")
        customers, new = len(per_customer), int(per_customer["first_inside"].sum())
        totals = {"customers": customers, "new_customers": new, "returning_customers": customers - new}
        return frame[["key", "new_customers", "returning_customers", "customers"]].reset_index(drop=True), totals

    def orders_per_customer(self, flt: SalesFilter) -> pd.DataFrame:
        """How many customers placed n distinct orders (sale lines) in the filter's period: columns orders,
        customers, ascending by orders."""
        import pandas as pd

        s = m.sales
        per = (self._where(self.scoped(s, s.c.customer_id, sa.func.count(sa.distinct(s.c.order_id)).label("n"))
                           .where(sale_line(), has_customer()), flt)
               .group_by(s.c.customer_id).subquery("per_customer"))
        stmt = sa.select(per.c.n.label("orders"), sa.func.count().label("customers")).group_by(per.c.n)
        frame = self.frame(self.on_rollup(stmt.order_by(per.c.n), flt))
        if frame.empty:
            return pd.DataFrame({"orders": pd.Series(dtype=int), "customers": pd.Series(dtype=int)})
        return frame.astype({"orders": int, "customers": int})

    def cohort_activity(self, flt: SalesFilter) -> pd.DataFrame:
        """Customers by (cohort, month): cohort = month of the first sale line under the non-period filters,
        month = a month (up to the filter's end) in which they bought; only cohorts starting inside the
        filter's period. Columns cohort ("2011-01"), month ("2011-03"), customers."""
        import pandas as pd

        firsts = self.first_purchases(flt, "month")
        if flt.start is not None:
            firsts = firsts[firsts["first_key"] >= f"{flt.start.year:04d}-{flt.start.month:02d}"]
        if flt.end is not None:
            firsts = firsts[firsts["first_key"] <= f"{flt.end.year:04d}-{flt.end.month:02d}"]
        start = None if firsts.empty else min(firsts["first_day"])
        active = self.buyers_by("month", flt.with_period(start, flt.end)) if start is not None else \
            pd.DataFrame({"key": pd.Series(dtype=str), "customer_id": pd.Series(dtype=str)})
        both = active.merge(firsts[["customer_id", "first_key"]], on="customer_id", how="inner")
        frame = (both.groupby(["first_key", "key"]).size().rename("customers").reset_index()
                 .rename(columns={"first_key": "cohort", "key": "month"}))
        if frame.empty:
            return pd.DataFrame({"cohort": pd.Series(dtype=str), "month": pd.Series(dtype=str),
                                 "customers": pd.Series(dtype=int)})
        return frame.astype({"cohort": str, "month": str, "customers": int}).sort_values(["cohort", "month"])
