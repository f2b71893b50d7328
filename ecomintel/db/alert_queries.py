"""The SQL behind the Home page's alerts: price moves, stock cover, negative-review share, failed imports/syncs,
and data freshness per source. Plain functions over a tenant's repository (`repo.scoped` filters by tenant).

Why aggregates in SQL: alerts are read on every visit to Home; each is one GROUP BY over an indexed tenant
slice, never a table pulled into Python.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ecomintel.db import models as m
from ecomintel.db.scoped import RepositoryCore


def price_moves(repo: RepositoryCore, threshold_pct: float, limit: int = 20) -> list[dict[str, Any]]:
    """Competitor prices whose latest observation moved more than threshold_pct from the one before
    (per sku, marketplace, seller): sku, marketplace, seller, previous, price, change_pct, observed_at."""
    p = m.price_history
    ranked = repo.scoped(p, p.c.sku, p.c.marketplace, p.c.seller, p.c.price, p.c.observed_at,
                         sa.func.row_number().over(partition_by=(p.c.sku, p.c.marketplace, p.c.seller),
                                                   order_by=(p.c.observed_at.desc(), p.c.id.desc())).label("rn")
                         ).subquery()
    latest, before = ranked.alias("latest"), ranked.alias("before")
    change = (latest.c.price - before.c.price) * 100.0 / before.c.price
    stmt = (sa.select(latest.c.sku, latest.c.marketplace, latest.c.seller, before.c.price.label("previous"),
                      latest.c.price, change.label("change_pct"), latest.c.observed_at)
            .join(before, sa.and_(before.c.sku == latest.c.sku, before.c.marketplace == latest.c.marketplace,
                                  sa.func.coalesce(before.c.seller, "") == sa.func.coalesce(latest.c.seller, ""),
                                  before.c.rn == 2))
            .where(latest.c.rn == 1, before.c.price > 0, sa.func.abs(change) > threshold_pct)
            .order_by(sa.func.abs(change).desc()).limit(limit))
    with repo.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]


def stock_cover(repo: RepositoryCore, data_end: datetime, days: int = 28, limit: int = 20) -> list[dict[str, Any]]:
    """Products whose stock lasts fewer days than their lead time at the last `days` days' sales rate:
    sku, name, inventory_level, lead_time_days, daily_units, days_of_cover."""
    p, s = m.products, m.sales
    since = data_end - timedelta(days=days)
    sold = (repo.scoped(s, s.c.sku, (sa.func.sum(s.c.quantity) / float(days)).label("daily_units"))
            .where(s.c.sold_at > since, s.c.is_return.is_(sa.false())).group_by(s.c.sku).subquery())
    cover = (p.c.inventory_level / sold.c.daily_units)
    stmt = (repo.scoped(p, p.c.sku, p.c.name, p.c.inventory_level, p.c.lead_time_days, sold.c.daily_units,
                        cover.label("days_of_cover"))
            .join(sold, sold.c.sku == p.c.sku)
            .where(p.c.inventory_level.is_not(None), sold.c.daily_units > 0,
                   cover < sa.func.coalesce(p.c.lead_time_days, 14))
            .order_by(cover).limit(limit))
    with repo.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]


def negative_review_share(repo: RepositoryCore, days: int = 30) -> dict[str, Any] | None:
    """Share of 1-2 star reviews in the latest `days` days of review dates vs the `days` before (spam left out):
    {recent, recent_negative, before, before_negative, end}; None without dated reviews."""
    r = m.reviews
    with repo.engine.connect() as conn:
        end = conn.execute(repo.scoped(r, sa.func.max(r.c.created_at))).scalar()
        if end is None:
            return None
        end = end if isinstance(end, datetime) else datetime.fromisoformat(str(end))
        mid, start = end - timedelta(days=days), end - timedelta(days=2 * days)

        def window(lo: datetime, hi: datetime) -> tuple[int, int]:
            row = conn.execute(repo.scoped(r, sa.func.count(), sa.func.sum(sa.case((r.c.rating <= 2, 1), else_=0)))
                               .where(r.c.created_at > lo, r.c.created_at <= hi, r.c.is_spam.is_(sa.false()),
                                      r.c.rating.is_not(None))).one()
            return int(row[0] or 0), int(row[1] or 0)

        recent, recent_neg = window(mid, end)
        before, before_neg = window(start, mid)
    return {"recent": recent, "recent_negative": recent_neg, "before": before, "before_negative": before_neg,
            "end": end}


def rejected_imports(repo: RepositoryCore, limit: int = 5) -> list[dict[str, Any]]:
    """The latest batches with rejected rows or a failure: id, file_name, kind, rows_total, rows_rejected, status."""
    b = m.ingestion_batches
    stmt = (repo.scoped(b, b.c.id, b.c.file_name, b.c.kind, b.c.rows_total, b.c.rows_rejected, b.c.status,
                        b.c.finished_at, b.c.created_at)
            .where(sa.or_(b.c.rows_rejected > 0, b.c.status == "failed")).order_by(b.c.id.desc()).limit(limit))
    with repo.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]


def failed_syncs(repo: RepositoryCore, since: datetime, limit: int = 5) -> list[dict[str, Any]]:
    t = m.sync_runs
    stmt = (repo.scoped(t, t.c.source_name, t.c.status, t.c.started_at, t.c.message)
            .where(t.c.started_at >= since, t.c.status.in_(("failed", "partial"))).order_by(t.c.id.desc()).limit(limit))
    with repo.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]


def freshness(repo: RepositoryCore) -> list[dict[str, Any]]:
    """Per source: rows, the latest data date, the last import (or sync) — what Home's freshness table shows."""
    b = m.ingestion_batches
    sources = [("Sales lines", m.sales, "sold_at", "sales"), ("Products", m.products, "updated_at", "products"),
               ("Reviews", m.reviews, "created_at", "reviews"), ("Listings", m.listings, "observed_at", "listings"),
               ("Price history", m.price_history, "observed_at", "listings")]
    out = []
    with repo.engine.connect() as conn:
        last_by_kind: dict[str, Any] = dict(conn.execute(repo.scoped(b, b.c.kind, sa.func.max(b.c.finished_at))
                                                         .where(b.c.status == "done").group_by(b.c.kind)).tuples().all())
        for label, table, column, kind in sources:
            rows, latest = conn.execute(repo.scoped(table, sa.func.count(), sa.func.max(table.c[column]))).one()
            out.append({"source": label, "rows": int(rows or 0), "latest_data": latest,
                        "last_import": last_by_kind.get(kind)})
        t = m.sync_runs
        last_sync = conn.execute(repo.scoped(t, sa.func.max(t.c.finished_at))).scalar()
        syncs = conn.execute(repo.scoped(t, sa.func.count())).scalar()
    out.append({"source": "Syncs", "rows": int(syncs or 0), "latest_data": None, "last_import": last_sync})
    return out
