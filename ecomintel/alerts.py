"""Alerts for the Home page: what needs a look now, from every part that watches the data.

Why a table of sources: price moves, stock-outs, review sentiment and data quality are watched by different
agents; each contributes one function `(repo, prefs) -> list[Alert]` and one line in ALERT_SOURCES, and Home
shows them together, most severe first. A source that fails is left out with a warning, never an error page.
The thresholds come from the user's preferences (price-change %, the forecast horizon for cover).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ecomintel.db import alert_queries as q
from ecomintel.db.scoped import RepositoryCore, utcnow
from ecomintel.preferences import Preferences

log = logging.getLogger("ecomintel.alerts")
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
NEGATIVE_SPIKE_POINTS = 10.0  # share of 1-2 star reviews up by this many points
MIN_REVIEWS = 20
STALE_IMPORT_DAYS = 14
PER_SOURCE = 3


@dataclass(frozen=True)
class Alert:
    severity: str  # high | medium | low
    source: str  # the agent or check that raised it
    title: str
    detail: str = ""
    at: datetime | None = None
    page: str | None = None  # the page that explains it (pages/<name>.py)


AlertSource = Callable[[RepositoryCore, Preferences], list[Alert]]


def price_alerts(repo: RepositoryCore, prefs: Preferences) -> list[Alert]:
    out = []
    for r in q.price_moves(repo, prefs.price_change_pct):
        who = " · ".join(str(v) for v in (r["marketplace"], r["seller"]) if v)
        out.append(Alert("high" if abs(r["change_pct"]) >= 2 * prefs.price_change_pct else "medium", "pricing",
                         f"Price of {r['sku']} {'rose' if r['change_pct'] > 0 else 'fell'} "
                         f"{abs(r['change_pct']):.1f}% at {who or 'a competitor'}",
                         f"{r['previous']:,.2f} → {r['price']:,.2f} (threshold {prefs.price_change_pct:g}%)",
                         r["observed_at"], "pages/pricing.py"))
    return out


def stock_alerts(repo: RepositoryCore, prefs: Preferences) -> list[Alert]:
    end = repo_sales_end(repo)
    if end is None:
        return []
    return [Alert("high" if r["days_of_cover"] < 7 else "medium", "forecast",
                  f"{r['sku']} may run out in {r['days_of_cover']:.0f} days",
                  f"{r['name'] or ''} · stock {r['inventory_level']:,} · selling {r['daily_units']:.1f}/day · "
                  f"lead time {r['lead_time_days'] or 14} days", None, "pages/forecast.py")
            for r in q.stock_cover(repo, end)]


def sentiment_alerts(repo: RepositoryCore, prefs: Preferences) -> list[Alert]:
    share = q.negative_review_share(repo)
    if not share or share["recent"] < MIN_REVIEWS or share["before"] < MIN_REVIEWS:
        return []
    now = 100.0 * share["recent_negative"] / share["recent"]
    before = 100.0 * share["before_negative"] / share["before"]
    if now - before < NEGATIVE_SPIKE_POINTS:
        return []
    return [Alert("medium", "sentiment", f"Negative reviews up to {now:.0f}% (from {before:.0f}%)",
                  f"1-2 star share in the 30 days to {share['end']:%Y-%m-%d} vs the 30 days before "
                  f"({share['recent']} and {share['before']} reviews)", share["end"], "pages/sentiment.py")]


def quality_alerts(repo: RepositoryCore, prefs: Preferences) -> list[Alert]:
    out = [Alert("high" if b["status"] == "failed" else "low", "data_quality",
                 f"{b['file_name']}: " + ("import failed" if b["status"] == "failed"
                                          else f"{b['rows_rejected']:,} of {b['rows_total']:,} rows rejected"),
                 f"{b['kind']} import; the rejected rows and their reasons are on the Data quality page (Imports)",
                 b["finished_at"] or b["created_at"], "pages/upload.py") for b in q.rejected_imports(repo)]
    out += [Alert("medium", "sync", f"Sync {r['source_name']} {r['status']}", str(r["message"] or "")[:200],
                  r["started_at"], None) for r in q.failed_syncs(repo, utcnow() - timedelta(days=7))]
    return out


def freshness_alerts(repo: RepositoryCore, prefs: Preferences) -> list[Alert]:
    out = []
    for row in q.freshness(repo):
        last = row["last_import"]
        if row["rows"] and last is not None and last < utcnow() - timedelta(days=STALE_IMPORT_DAYS):
            out.append(Alert("low", "freshness", f"{row['source']}: no new data for {(utcnow() - last).days} days",
                             f"last import {last:%Y-%m-%d}", last, "pages/upload.py"))
    return out


def repo_sales_end(repo: RepositoryCore) -> datetime | None:
    import sqlalchemy as sa

    from ecomintel.db import models as m

    with repo.engine.connect() as conn:
        end = conn.execute(repo.scoped(m.sales, sa.func.max(m.sales.c.sold_at))).scalar()
    if end is None:
        return None
    return end if isinstance(end, datetime) else datetime.fromisoformat(str(end))


# One line per source; an agent that can raise alerts adds its function here.
ALERT_SOURCES: dict[str, AlertSource] = {
    "pricing": price_alerts,
    "stock": stock_alerts,
    "sentiment": sentiment_alerts,
    "data_quality": quality_alerts,
    "freshness": freshness_alerts,
}


def latest_alerts(repo: RepositoryCore, prefs: Preferences, limit: int = 10,
                  sources: dict[str, AlertSource] | None = None) -> tuple[list[Alert], list[str]]:
    """(alerts, most severe first then newest; warnings naming the sources that could not be read)."""
    found: list[Alert] = []
    warnings: list[str] = []
    for name, source in (sources or ALERT_SOURCES).items():
        try:  # at most PER_SOURCE from each source, so one busy source does not hide the others
            found.extend(sorted(source(repo, prefs), key=lambda a: SEVERITY_ORDER.get(a.severity, 3))[:PER_SOURCE])
        except Exception as exc:
            log.warning("alert source %s failed for tenant %s", name, repo.tenant_id, exc_info=exc)
            warnings.append(f"The {name.replace('_', ' ')} alerts could not be read this time.")
    found.sort(key=lambda a: (SEVERITY_ORDER.get(a.severity, 3), -(a.at.timestamp() if a.at else 0)))
    return found[:limit], warnings


def as_rows(alerts: list[Alert]) -> list[dict[str, Any]]:
    return [{"severity": a.severity, "source": a.source, "title": a.title, "detail": a.detail,
             "at": a.at, "page": a.page} for a in alerts]
