"""Pricing reads: our own price history from the sales lines, our catalogue, competitor listings and their
price history, and the stored matches between them.

Why our price from the sales lines: a sales-only tenant (no catalogue, no listings) still asks "which
products changed price by more than 5% between October and November?", and what it charged is in its lines.
Which lines count: priced sale lines only (sales_lines.sale_line(): not returns or cancellations, not stock
adjustments or corrections; revenue > 0 so free items do not pull the mean down). A bucket's price is the
mean unit price of its lines (AVG(revenue / quantity), computed from the covering index, which holds revenue
and quantity but not unit_price) — the mean over lines rather than revenue/units, so one bulk order at a
tier price does not decide a day's price; buckets with fewer than `min_lines` lines are left out.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import sqlalchemy as sa

from ecomintel.db import models as m
from ecomintel.db.sales_lines import SalesFilter, SalesLines, sale_line

if TYPE_CHECKING:
    import pandas as pd

GRAINS = ("day", "week", "month")


class PricingQueries(SalesLines):
    """Aggregates and small reads for the pricing agent; every statement starts from `self.scoped(...)`."""

    def our_price_history(self, grain: str, flt: SalesFilter, min_lines: int = 3) -> pd.DataFrame:
        """Per product and bucket of `grain` (day | week | month; a week is its Monday): columns sku, key,
        price (mean unit price), units, revenue, lines — buckets with at least `min_lines` priced sale lines."""
        if grain not in GRAINS:
            raise ValueError(f"grain must be one of {GRAINS}")
        s = m.sales
        key = self._dimension(grain).label("key")
        lines = sa.func.count().label("lines")
        stmt = self.scoped(s, s.c.sku.label("sku"), key, sa.func.avg(s.c.revenue / s.c.quantity).label("price"),
                           sa.func.sum(s.c.quantity).label("units"), sa.func.sum(s.c.revenue).label("revenue"), lines)
        stmt = self._where(stmt.where(_priced_sale()), flt)
        stmt = stmt.group_by(s.c.sku, key).having(sa.func.count() >= max(1, int(min_lines))).order_by(s.c.sku, key)
        frame = self.frame(stmt)
        if not frame.empty:
            frame["key"] = frame["key"].astype(str)
            frame["sku"] = frame["sku"].astype(str)
        return frame

    def our_price_counts(self, grain: str, flt: SalesFilter) -> pd.DataFrame:
        """Per product, bucket and unit price (to the cent): columns sku, key, price, lines — how many priced
        sale lines were sold at each price. Why: the price most lines of a bucket were sold at (its typical
        price, `typical_prices`) is what a repricing changes, while the mean also moves when a week simply has
        more lines at a quantity-tier price."""
        if grain not in GRAINS:
            raise ValueError(f"grain must be one of {GRAINS}")
        s = m.sales
        key = self._dimension(grain).label("key")
        unit = sa.func.round(sa.cast(s.c.revenue / s.c.quantity, sa.Numeric(18, 6)), 2).label("price")
        stmt = self.scoped(s, s.c.sku.label("sku"), key, unit, sa.func.count().label("lines"))
        stmt = self._where(stmt.where(_priced_sale()), flt).group_by(s.c.sku, key, unit)
        frame = self.frame(stmt)
        if not frame.empty:
            frame["key"] = frame["key"].astype(str)
            frame["sku"] = frame["sku"].astype(str)
            frame["price"] = frame["price"].astype(float)
        return frame

    def our_products(self) -> pd.DataFrame:
        """Our catalogue (products table): sku, name, brand, category, marketplace, price, list_price, cost,
        currency."""
        p = m.products
        return self.frame(self.scoped(p, p.c.sku, p.c.name, p.c.brand, p.c.category, p.c.marketplace, p.c.price,
                                      p.c.list_price, p.c.cost, p.c.currency).order_by(p.c.marketplace, p.c.sku))

    def competitor_listings(self) -> pd.DataFrame:
        """The latest observation per competitor offer: sku, title, brand, category, marketplace, seller, price,
        list_price, currency, url, observed_at."""
        li = m.listings
        return self.frame(self.scoped(li, li.c.sku, li.c.title, li.c.brand, li.c.category, li.c.marketplace,
                                      li.c.seller, li.c.price, li.c.list_price, li.c.currency, li.c.url,
                                      li.c.observed_at)
                          .where(li.c.is_own.is_(sa.false()), li.c.price.is_not(None))
                          .order_by(li.c.marketplace, li.c.seller, li.c.sku))

    def competitor_price_history(self, start: date | None = None, end: date | None = None) -> pd.DataFrame:
        """Every stored observation (uploads and the price tracker): marketplace, seller, sku, observed_at,
        price, list_price — within start..end (inclusive) when given, oldest first."""
        from datetime import datetime, timedelta

        ph = m.price_history
        stmt = self.scoped(ph, ph.c.marketplace, ph.c.seller, ph.c.sku, ph.c.observed_at, ph.c.price,
                           ph.c.list_price)
        if start is not None:
            stmt = stmt.where(ph.c.observed_at >= datetime.combine(start, datetime.min.time()))
        if end is not None:
            stmt = stmt.where(ph.c.observed_at < datetime.combine(end + timedelta(days=1), datetime.min.time()))
        return self.frame(stmt.order_by(ph.c.marketplace, ph.c.seller, ph.c.sku, ph.c.observed_at, ph.c.id))


def _priced_sale() -> sa.ColumnElement[bool]:
    """Sale lines (sales_lines.sale_line) with a price: what our price history is the mean of."""
    return sa.and_(sale_line(), m.sales.c.revenue > 0)
