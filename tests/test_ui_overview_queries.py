"""The Home page's aggregates (OverviewQueries) on SQLite and PostgreSQL, tenant-scoped."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ecomintel.db import models as m
from ecomintel.db.repository import Repository
from tests.conftest import new_tenant_ctx


def _sale(i: int, sku: str, qty: float, price: float, when: str) -> dict[str, object]:
    return {"line_key": f"k{i}", "order_id": f"O{i}", "sku": sku, "quantity": qty, "unit_price": price,
            "revenue": qty * price, "sold_at": datetime.fromisoformat(when), "is_return": qty < 0}


def _insert(repo: Repository, rows: list[dict[str, object]]) -> None:
    with repo.engine.begin() as conn:
        conn.execute(sa.insert(m.sales), repo.stamp(rows))


def test_overview_of_empty_tenant(repo: Repository) -> None:
    ov = repo.overview()
    assert ov["sales_lines"] == 0 and ov["products"] == 0 and ov["reviews"] == 0
    assert ov["sales_from"] is None and ov["last_ingest"] is None
    assert repo.revenue_by_day().empty


def test_overview_counts_and_daily_revenue(engine: sa.Engine, repo: Repository) -> None:
    _insert(repo, [
        _sale(1, "A", 2, 10.0, "2011-11-01 09:00"),
        _sale(2, "B", 1, 5.5, "2011-11-01 17:30"),
        _sale(3, "A", -1, 10.0, "2011-11-03 10:00"),
        _sale(4, "C", 4, 1.25, "2011-11-05 23:59"),
    ])
    other = Repository(engine, new_tenant_ctx(engine, "other"))
    _insert(other, [_sale(9, "Z", 100, 100.0, "2011-11-02 12:00")])

    ov = repo.overview()
    assert ov["sales_lines"] == 4
    assert ov["sales_skus"] == 3
    assert ov["net_revenue"] == 2 * 10 + 5.5 - 10 + 5
    assert ov["sales_from"] == datetime(2011, 11, 1, 9, 0)
    assert ov["sales_to"] == datetime(2011, 11, 5, 23, 59)

    daily = repo.revenue_by_day()
    assert [d.strftime("%Y-%m-%d") for d in daily["day"]] == ["2011-11-01", "2011-11-03", "2011-11-05"]
    assert daily["revenue"].tolist() == [25.5, -10.0, 5.0]
    assert daily["lines"].tolist() == [2, 1, 1]

    # "last N days" is anchored to the tenant's latest sale (2011-11-05), not the wall clock
    last3 = repo.revenue_by_day(days=3)
    assert [d.strftime("%Y-%m-%d") for d in last3["day"]] == ["2011-11-03", "2011-11-05"]
    assert other.revenue_by_day()["revenue"].tolist() == [10000.0]
