"""The sales rollup gives the same numbers as the lines, for any filter and grouping it is used for, and follows
the data: a new upload rebuilds it. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecomintel.db import models as m
from ecomintel.db.repository import Repository
from ecomintel.db.sales_lines import SalesFilter
from ecomintel.db.sales_rollup import needs_lines
from tests.planner_data import load_planner_tenant
from tests.sales_helpers import insert_sales

COUNTRIES = ("United Kingdom", "France", "Germany", "EIRE", "USA")
DIMS = (None, "day", "week", "month", "quarter", "weekday", "hour", "country", "customer")


def class_lines() -> pd.DataFrame:
    """One line of every class, in orders that also hold other lines and other countries."""
    rows = [  # order, sku, qty, price, when, customer, country
        ("800001", "85123A", -5, 0.0, datetime(2011, 11, 9, 15, 0), None, "United Kingdom"),   # stock adjustment
        ("800002", "22423", 3, 0.0, datetime(2011, 11, 9, 15, 0), None, "United Kingdom"),     # correction
        ("C800003", "22423", -2, 12.75, datetime(2011, 11, 10, 9, 30), "12345", "USA"),        # cancellation
        ("800004", "85123A", 4, 2.95, datetime(2011, 10, 5, 8, 0), None, "France"),           # no customer
        ("800005", "85123A", 1, 0.0, datetime(2011, 10, 5, 8, 0), "17850", "France"),          # free sample
        ("800005", "22423", 2, 12.75, datetime(2011, 10, 5, 8, 0), "17850", "Germany"),        # 2 countries, 1 order
        ("800006", "85123A", -1, 2.95, datetime(2011, 10, 6, 9, 0), "17850", "France"),       # return, no C
    ]
    df = pd.DataFrame(rows, columns=["order_id", "sku", "quantity", "unit_price", "sold_at", "customer_id",
                                     "country"])
    df["product_name"] = df.sku
    df["revenue"] = df.quantity * df.unit_price
    df["is_return"] = df.order_id.str.startswith("C") | (df.quantity < 0)
    df["line_key"] = [f"class{i:027d}" for i in range(len(df))]
    return df


@pytest.fixture
def loaded(repo: Repository) -> Repository:
    load_planner_tenant(repo)
    insert_sales(repo, class_lines(), "classes.csv")
    return repo


def both_ways(repo: Repository, call: str, *args: object) -> tuple[object, object]:
    repo.use_rollup = False
    lines = getattr(repo, call)(*args)
    repo.use_rollup = True
    return lines, getattr(repo, call)(*args)


def assert_frames_equal(a: pd.DataFrame, b: pd.DataFrame) -> None:
    a, b = a.sort_values("key").reset_index(drop=True), b.sort_values("key").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b[a.columns], check_dtype=False, atol=1e-6)


filters = st.builds(
    SalesFilter,
    start=st.sampled_from([None, date(2011, 10, 1), date(2011, 10, 6), date(2011, 11, 9)]),
    end=st.sampled_from([None, date(2011, 10, 31), date(2011, 11, 9), date(2011, 11, 30)]),
    countries=st.lists(st.sampled_from(COUNTRIES), max_size=2, unique=True).map(tuple),
    exclude_countries=st.lists(st.sampled_from(COUNTRIES), max_size=1).map(tuple),
    weekdays=st.lists(st.sampled_from(["Monday", "Wednesday", "Thursday", "Sunday"]), max_size=2,
                      unique=True).map(tuple),
    customers=st.lists(st.sampled_from(["17850", "12345", "13047"]), max_size=1).map(tuple),
).filter(lambda f: f.start is None or f.end is None or f.start <= f.end)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flt=filters, dim=st.sampled_from(DIMS))
def test_rollup_numbers_equal_the_lines(loaded: Repository, flt: SalesFilter, dim: str | None) -> None:
    if dim is None:
        lines, rolled = both_ways(loaded, "sales_totals_and_batches", flt)
        assert lines[1] == rolled[1]  # type: ignore[index]  # the same batches (lineage)
        assert lines[0] == pytest.approx(rolled[0])  # type: ignore[index]
    else:
        for distinct, details in ((True, True), (False, False)):
            repo = loaded
            repo.use_rollup = False
            a = repo.sales_by(dim, flt, distinct=distinct, details=details)
            repo.use_rollup = True
            b = repo.sales_by(dim, flt, distinct=distinct, details=details)
            assert_frames_equal(a, b)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flt=filters, grain=st.sampled_from(["day", "week", "month"]))
def test_customer_queries_equal_the_lines(loaded: Repository, flt: SalesFilter, grain: str) -> None:
    a, b = both_ways(loaded, "new_returning", grain, flt)
    assert_frames_equal(a[0], b[0])  # type: ignore[index]
    assert a[1] == b[1]  # type: ignore[index]
    a, b = both_ways(loaded, "orders_per_customer", flt)
    pd.testing.assert_frame_equal(a, b)  # type: ignore[arg-type]
    a, b = both_ways(loaded, "cohort_activity", flt)
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))  # type: ignore[union-attr]


def test_rollup_is_much_smaller_and_rebuilt_after_an_upload(loaded: Repository) -> None:
    before = loaded.sales_totals()
    with loaded.engine.connect() as conn:
        groups = conn.execute(sa.select(sa.func.count()).select_from(m.sales_rollup)
                              .where(m.sales_rollup.c.tenant_id == loaded.tenant_id)).scalar()
        lines = conn.execute(sa.select(sa.func.count()).select_from(m.sales)
                             .where(m.sales.c.tenant_id == loaded.tenant_id)).scalar()
    assert groups and lines and groups < lines / 3
    more = class_lines().iloc[[3]].assign(line_key="more" + "0" * 28, order_id="800099")
    insert_sales(loaded, more, "more.csv")  # a new batch bumps data_version: the rollup is rebuilt
    after = loaded.sales_totals()
    assert after["revenue"] == pytest.approx(before["revenue"] + float(more.revenue.iloc[0]))
    assert after["orders"] == before["orders"] + 1


def test_product_questions_read_the_lines() -> None:
    assert needs_lines(SalesFilter(skus=("85123A",)), None)
    assert needs_lines(SalesFilter(categories=("Dresses",)), "month")
    assert needs_lines(SalesFilter(), "sku")
    assert not needs_lines(SalesFilter(countries=("France",), weekdays=("Monday",)), "customer")


def test_concurrent_first_questions_build_the_rollup_once(loaded: Repository) -> None:
    """The agents of one answer (threads) asking at once after an upload: the groups are inserted once, so the
    totals equal the lines' (two builds in parallel would double them)."""
    import threading

    from ecomintel.db import sales_rollup

    loaded.use_rollup = False
    want = loaded.sales_totals()
    loaded.use_rollup = True
    insert_sales(loaded, class_lines().iloc[[3]].assign(line_key="late" + "0" * 28, order_id="800098"), "late.csv")
    want_after = want["revenue"] + float(class_lines().revenue.iloc[3])
    sales_rollup._BUILT.clear()
    results: list[float] = []
    threads = [threading.Thread(target=lambda: results.append(Repository(loaded.engine, loaded.ctx)
                                                              .sales_totals()["revenue"])) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == pytest.approx([want_after] * 4)
