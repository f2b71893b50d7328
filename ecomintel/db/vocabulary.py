"""What a tenant's questions can refer to: the sales date range, countries, SKUs and product names,
categories, channels and marketplaces.

Why its own mixin: planners resolve "November", "the UK" or "white hanging heart" against the tenant's
*own* data (time is anchored to the latest sales date; names are matched to real SKUs), so they need this
small vocabulary on every question. The DISTINCT scans cost a few hundred ms on a 500k-line tenant, so the
result is memoised per (database, tenant, data_version): every ingest bumps data_version, so a memoised
vocabulary can never outlive the data it was read from, and the memo is bounded (a few tenants' worth).
Behind the memo, the vocabulary is kept in the tenant's cache entries (vocab_store.py), so a new process
(each `ecomintel ask`, an app restart) reads it back instead of rescanning the sales lines.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from ecomintel.db import models as m
from ecomintel.db.cache_entries import CacheEntries
from ecomintel.db.sales_queries import display_names
from ecomintel.db.scoped import as_date
from ecomintel.db.vocab import Vocab
from ecomintel.db.vocab_store import load_vocab, store_vocab

__all__ = ["Vocab", "Vocabulary"]


_MEMO: OrderedDict[tuple[str, int, int], Vocab] = OrderedDict()
_MEMO_LOCK = threading.Lock()
_MEMO_SIZE = 16


class Vocabulary(CacheEntries):
    """Cheap, tenant-scoped lookups of the values a question may name."""

    def sales_date_range(self) -> tuple[date, date] | None:
        """(first, last) sales date, or None when the tenant has no sales (uses the sold_at index).

        The last is the latest date up to tomorrow (UTC) — the anchor of "last month", "november" and the
        forecast origin: one line dated in the future (a mistyped year) would otherwise move them all years
        ahead, and answers would be about a period without data. The data-quality check reports such lines.
        Only when every line lies in the future is the latest of them used."""
        s = m.sales
        horizon = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=1)
        with self.engine.connect() as conn:
            lo, hi = conn.execute(self.scoped(s, sa.func.min(s.c.sold_at), sa.func.max(s.c.sold_at))).one()
            last = as_date(hi)
            if last is not None and last > horizon.date():
                hi = conn.execute(self.scoped(s, sa.func.max(s.c.sold_at)).where(s.c.sold_at <= horizon)).scalar()
                last = as_date(hi) or last
        first = as_date(lo)
        return (first, last) if first and last else None

    def _distinct(self, table: sa.Table, column: str) -> tuple[str, ...]:
        col = table.c[column]
        stmt = self.scoped(table, col).where(col.is_not(None), col != "").group_by(col).order_by(col)
        with self.engine.connect() as conn:
            return tuple(str(v).strip() for (v,) in conn.execute(stmt) if str(v).strip())

    def distinct_countries(self) -> tuple[str, ...]:
        return self._distinct(m.sales, "country")

    def countries_by_lines(self) -> tuple[str, ...]:
        """Countries with the most sales lines first (one GROUP BY, the same scan as the distinct list):
        the first is the home market that "international" and "domestic" are relative to."""
        s = m.sales
        n = sa.func.count().label("n")
        stmt = (self.scoped(s, s.c.country, n).where(s.c.country.is_not(None), s.c.country != "")
                .group_by(s.c.country).order_by(n.desc(), s.c.country))
        with self.engine.connect() as conn:
            return tuple(str(v).strip() for v, _ in conn.execute(stmt) if str(v).strip())

    def sku_catalogue(self) -> dict[str, str]:
        """SKU → display name: the most frequent description in the tenant's sales lines (ties: the
        alphabetically first; docs/ask-contract.md); SKUs that only the products table knows take its name."""
        s, p = m.sales, m.products
        counted = (self.scoped(s, s.c.sku, s.c.product_name, sa.func.count().label("n"))
                   .where(s.c.product_name.is_not(None)).group_by(s.c.sku, s.c.product_name))
        with self.engine.connect() as conn:
            catalogue = display_names(conn.execute(counted))
            listed = conn.execute(self.scoped(p, p.c.sku, p.c.name).where(p.c.name.is_not(None))
                                  .order_by(p.c.sku, p.c.name))
            for sku, name in listed:
                if str(name).strip() and sku not in catalogue:
                    catalogue[sku] = str(name).strip()
        return catalogue

    def categories(self) -> tuple[str, ...]:
        return tuple(sorted(set(self._distinct(m.products, "category"))
                            | set(self._distinct(m.reviews, "category"))))

    def channels(self) -> tuple[str, ...]:
        return self._distinct(m.sales, "channel")

    def marketplaces(self) -> tuple[str, ...]:
        return tuple(sorted(set(self._distinct(m.sales, "marketplace"))
                            | set(self._distinct(m.products, "marketplace"))))

    def sales_currency(self) -> str | None:
        """The currency code of the tenant's sales lines (first non-empty one), for formatting amounts; read once
        per data_version with the rest of the vocabulary."""
        s = m.sales
        stmt = self.scoped(s, s.c.currency).where(s.c.currency.is_not(None), s.c.currency != "").limit(1)
        with self.engine.connect() as conn:
            value = conn.execute(stmt).scalar()
        return str(value) if value else None

    def review_dates(self) -> tuple[date, date] | None:
        """(first, last) review created_at, or None when no review carries a date."""
        r = m.reviews
        with self.engine.connect() as conn:
            lo, hi = conn.execute(self.scoped(r, sa.func.min(r.c.created_at), sa.func.max(r.c.created_at))).one()
        first, last = as_date(lo), as_date(hi)
        return (first, last) if first and last else None

    def dataset_counts(self) -> dict[str, int]:
        """Rows per dataset besides sales (one COUNT each on small tables): which questions can be answered."""
        p = m.products
        stmts = {
            "products": self.scoped(p, sa.func.count()),
            "cost": self.scoped(p, sa.func.count()).where(p.c.cost.is_not(None)),
            "inventory": self.scoped(p, sa.func.count()).where(p.c.inventory_level.is_not(None)),
            "reviews": self.scoped(m.reviews, sa.func.count()),
            "listings": self.scoped(m.listings, sa.func.count()),
        }
        with self.engine.connect() as conn:
            return {name: int(conn.execute(stmt).scalar() or 0) for name, stmt in stmts.items()}

    def vocabulary(self) -> Vocab:
        """All of the above, memoised per data_version (see the module docstring for why)."""
        key = (str(self.engine.url), self.tenant_id, self.data_version())
        with _MEMO_LOCK:
            if key in _MEMO:
                _MEMO.move_to_end(key)
                return _MEMO[key]
        vocab = load_vocab(self, key[2])  # built by an earlier process for this data_version (vocab_store.py)
        if vocab is None:
            span = self.sales_date_range()
            reviews = self.review_dates()
            ranked = self.countries_by_lines()
            vocab = Vocab(
                sales_start=span[0] if span else None, sales_end=span[1] if span else None,
                countries=tuple(sorted(ranked)), main_country=ranked[0] if ranked else None,
                catalogue=self.sku_catalogue(),
                categories=self.categories(), channels=self.channels(), marketplaces=self.marketplaces(),
                datasets=self.dataset_counts(), currency=self.sales_currency(),
                review_start=reviews[0] if reviews else None, review_end=reviews[1] if reviews else None)
            store_vocab(self, key[2], vocab)
        with _MEMO_LOCK:
            _MEMO[key] = vocab
            while len(_MEMO) > _MEMO_SIZE:
                _MEMO.popitem(last=False)
        return vocab
