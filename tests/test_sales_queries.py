"""SalesQueries on real SQLite and PostgreSQL: every aggregate checked against pandas over the same CSV
(cleaned independently in tests/sales_helpers.py), and the two databases checked against each other."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from ecomintel.db.repository import Repository
from ecomintel.db.sales_lines import SalesFilter, week_label
from tests.conftest import new_tenant_ctx
from tests.sales_helpers import load_via_ingest, retail_engine, select, truth_metrics

OCT = SalesFilter(date(2011, 10, 1), date(2011, 10, 31))
NOV = SalesFilter(date(2011, 11, 1), date(2011, 11, 30))


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def retail(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[Repository, pd.DataFrame]]:
    """online_retail_small.csv loaded once per database through the real ingest pipeline (tests only read)."""
    pg_url = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    engine = retail_engine(request.param, tmp_path_factory.mktemp("sq"), pg_url)
    repo = Repository(engine, new_tenant_ctx(engine, "sq"))
    truth = load_via_ingest(repo)
    yield repo, truth
    engine.dispose()


def approx(value: float) -> object:
    return pytest.approx(value, rel=1e-9, abs=1e-6)


def test_totals_match_pandas_for_each_period(retail: tuple[Repository, pd.DataFrame]) -> None:
    repo, df = retail
    for flt, (start, end) in ((OCT, ("2011-10-01", "2011-10-31")), (NOV, ("2011-11-01", "2011-11-30")),
                              (SalesFilter(), (None, None))):
        got = repo.sales_totals(flt)
        want = truth_metrics(select(df, start, end))
        for k, v in want.items():
            assert got[k] == approx(v), k
        part = select(df, start, end)
        assert got["returned_units"] == approx(-part[part.returned].quantity.sum())
        assert got["gross"] == approx(part[part.sold].revenue.sum())
        assert got["lines"] == len(part)


def test_by_country_with_exclusion_matches_pandas(retail: tuple[Repository, pd.DataFrame]) -> None:
    repo, df = retail
    flt = SalesFilter(NOV.start, NOV.end, exclude_countries=("united kingdom",))  # case-insensitive
    got = repo.sales_by("country", flt).set_index("key")
    part = select(df, "2011-11-01", "2011-11-30")
    part = part[part.country != "United Kingdom"]
    want = part.groupby("country").revenue.sum()
    assert "United Kingdom" not in got.index
    assert sorted(got.index) == sorted(want.index)
    for country, value in want.items():
        assert got.loc[country, "revenue"] == approx(value)
    orders = part[part.sold].groupby("country").order_id.nunique()
    for country, value in orders.items():
        assert got.loc[country, "orders"] == value


def test_by_sku_lean_and_keys(retail: tuple[Repository, pd.DataFrame]) -> None:
    repo, df = retail
    part = select(df, "2011-10-01", "2011-10-31")
    want = part.groupby("sku").agg(revenue=("revenue", "sum"), units=("units", "sum"))
    lean = repo.sales_by("sku", OCT, distinct=False).set_index("key")
    assert "orders" not in lean.columns
    assert set(lean.index) == set(want.index)
    for sku in want.index[:200]:
        assert lean.loc[sku, "revenue"] == approx(want.loc[sku, "revenue"])
        assert lean.loc[sku, "units"] == approx(want.loc[sku, "units"])
    top = want.revenue.sort_values(ascending=False).index[:5].tolist()
    detail = repo.sales_by("sku", OCT, keys=top).set_index("key")
    assert sorted(detail.index) == sorted(top)
    sold = part[part.sold]
    for sku in top:
        assert detail.loc[sku, "orders"] == sold[sold.sku == sku].order_id.nunique()
        assert detail.loc[sku, "customers"] == sold[sold.sku == sku].customer_id.dropna().nunique()


def test_time_dimensions_match_pandas(retail: tuple[Repository, pd.DataFrame]) -> None:
    repo, df = retail
    keys = {
        "day": df.sold_at.dt.strftime("%Y-%m-%d"),
        "month": df.sold_at.dt.strftime("%Y-%m"),
        "week": df.sold_at.dt.normalize().map(lambda d: week_label((d - pd.Timedelta(days=d.weekday()))
                                                                   .strftime("%Y-%m-%d"))),
        "quarter": df.sold_at.dt.year.astype(str) + "-Q" + df.sold_at.dt.quarter.astype(str),
        "weekday": df.sold_at.dt.day_name(),
        "hour": df.sold_at.dt.hour,
    }
    for dim, key in keys.items():
        got = repo.sales_by(dim, SalesFilter()).set_index("key")
        want = df.groupby(key).revenue.sum()
        assert {str(k) for k in got.index} == {str(k) for k in want.index}, dim
        for k, v in want.items():
            assert got.loc[k, "revenue"] == approx(v), (dim, k)
    weekdays = repo.sales_by("weekday", SalesFilter()).key.tolist()
    assert set(weekdays) == {"Wednesday", "Thursday"}  # 2011-10-05/06 and 2011-11-09/10
    assert set(repo.sales_by("week", SalesFilter()).key) == {"2011-W40", "2011-W45"}


@pytest.mark.parametrize("dim", ["day", "week", "month", "quarter", "weekday", "hour"])
@pytest.mark.parametrize("distinct", [True, False])
def test_fast_time_paths_match_pandas(retail: tuple[Repository, pd.DataFrame], dim: str, distinct: bool) -> None:
    """Bounded calendar groupings (UNION ALL of ranges) and lean weekday/hour (per-timestamp, then grouped)
    give the same groups and values as pandas, with and without the distinct counts."""
    repo, df = retail
    flt = SalesFilter(date(2011, 10, 6), date(2011, 11, 9), countries=("United Kingdom",))
    part = select(df, "2011-10-06", "2011-11-09")
    part = part[part.country == "United Kingdom"]
    ts = part.sold_at
    key = {"day": ts.dt.strftime("%Y-%m-%d"), "month": ts.dt.strftime("%Y-%m"),
           "week": ts.dt.strftime("%G-W%V"), "quarter": ts.dt.year.astype(str) + "-Q" + ts.dt.quarter.astype(str),
           "weekday": ts.dt.day_name(), "hour": ts.dt.hour}[dim]
    got = repo.sales_by(dim, flt, distinct=distinct).set_index("key")
    want = part.groupby(key).agg(revenue=("revenue", "sum"), units=("units", "sum"), lines=("sku", "size"))
    assert sorted(map(str, got.index)) == sorted(map(str, want.index))
    for k, row in want.iterrows():
        assert got.loc[k, "revenue"] == approx(row.revenue) and got.loc[k, "lines"] == row.lines, (dim, k)
        assert got.loc[k, "units"] == approx(row.units)
    if distinct:
        sold = part[part.sold]
        orders = sold.groupby(key[part.sold]).order_id.nunique()
        for k, v in orders.items():
            assert got.loc[k, "orders"] == v
    else:
        assert "orders" not in got.columns


def test_filters_skus_products_and_countries(retail: tuple[Repository, pd.DataFrame]) -> None:
    repo, df = retail
    got = repo.sales_totals(SalesFilter(skus=("85099B",)))  # SKU codes match exactly (85123A ≠ 85123a)
    assert got["revenue"] == approx(df[df.sku == "85099B"].revenue.sum())
    assert repo.sales_totals(SalesFilter(skus=("85099b",)))["lines"] == 0
    frag = repo.sales_totals(SalesFilter(products=("lunch bag",)))
    names = df.product_name.fillna("").str.lower()
    assert frag["revenue"] == approx(df[names.str.contains("lunch bag", regex=False)].revenue.sum())
    assert frag["lines"] > 0
    fr = repo.sales_totals(SalesFilter(countries=("France", "Germany")))
    assert fr["revenue"] == approx(df[df.country.isin(["France", "Germany"])].revenue.sum())
    assert repo.sales_totals(SalesFilter(channels=("nowhere",)))["lines"] == 0


def test_data_range_batches_and_names(retail: tuple[Repository, pd.DataFrame]) -> None:
    repo, _ = retail
    assert repo.sales_data_range() == (date(2011, 10, 5), date(2011, 11, 10))
    assert repo.sales_data_range(NOV) == (date(2011, 11, 9), date(2011, 11, 10))
    totals, batches = repo.sales_totals_and_batches(NOV)
    assert totals["lines"] > 0
    assert len(batches) == 1 and repo.get_batch(batches[0])["kind"] == "sales"
    assert repo.sales_batches(NOV) == batches
    names = repo.product_names(["85099B", "22423", "NO-SUCH-SKU"])
    assert names["85099B"] == "JUMBO BAG RED RETROSPOT"
    assert names["22423"] == "REGENCY CAKESTAND 3 TIER"
    assert "NO-SUCH-SKU" not in names


def test_category_dimension_uses_products_table(retail: tuple[Repository, pd.DataFrame]) -> None:
    """Without products every line is '(unspecified)'; the total still matches."""
    repo, df = retail
    got = repo.sales_by("category", NOV)
    assert got.key.tolist() == ["(unspecified)"]
    assert got.revenue.iloc[0] == approx(select(df, "2011-11-01", "2011-11-30").revenue.sum())


def test_tenant_isolation(retail: tuple[Repository, pd.DataFrame]) -> None:
    repo, _ = retail
    other = Repository(repo.engine, new_tenant_ctx(repo.engine, "other"))
    assert other.sales_totals()["lines"] == 0
    assert other.sales_by("sku").empty
    assert other.sales_data_range() == (None, None)


@pytest.mark.postgres
def test_sqlite_and_postgres_agree(pg_url: str, tmp_path: Path) -> None:
    """The same file on both databases gives the same groups and values for every dimension."""
    repos = []
    for kind in ("sqlite", "postgres"):
        engine = retail_engine(kind, tmp_path, pg_url)
        repo = Repository(engine, new_tenant_ctx(engine, "agree"))
        load_via_ingest(repo)
        repos.append(repo)
    lite, pg = repos
    assert lite.sales_totals() == pytest.approx(pg.sales_totals(), rel=1e-9)
    for dim in ("day", "week", "month", "quarter", "weekday", "hour", "country", "sku"):
        for distinct in (True, False):
            a = lite.sales_by(dim, NOV, distinct=distinct).sort_values("key").reset_index(drop=True)
            b = pg.sales_by(dim, NOV, distinct=distinct).sort_values("key").reset_index(drop=True)
            assert a.key.tolist() == b.key.tolist(), dim
            pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, check_dtype=False)
    assert lite.product_names(["23084", "85123A"]) == pg.product_names(["23084", "85123A"])
    for repo in repos:
        repo.engine.dispose()


def test_sqlite_uses_covering_indexes(tmp_path: Path) -> None:
    """The date-range aggregate reads only the covering index, and long SKU groupings stream through the
    SKU-ordered one without a sort (the speed of big questions depends on it)."""
    engine = retail_engine("sqlite", tmp_path, None)
    repo = Repository(engine, new_tenant_ctx(engine, "plan"))
    from ecomintel.db import models as m

    def plan_of(stmt: sa.Select) -> str:  # type: ignore[type-arg]
        sql = str(stmt.compile(engine, compile_kwargs={"literal_binds": True}))
        with engine.connect() as conn:
            return " | ".join(r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))

    totals = repo._where(repo.scoped(m.sales, *repo._metric_columns()), NOV)
    assert "COVERING INDEX ix_sales_cover_sold_at" in plan_of(totals)
    key = repo._dimension("sku").label("key")
    year = SalesFilter(date(2011, 1, 1), date(2011, 12, 31))
    by_sku = repo._where(repo.scoped(m.sales, key, *repo._metric_columns(False)), year, stream=True).group_by(key)
    text = plan_of(by_sku)
    assert "COVERING INDEX ix_sales_cover_sku" in text and "TEMP B-TREE FOR GROUP BY" not in text
    engine.dispose()


@pytest.mark.postgres
def test_postgres_statistics_refreshed_after_a_load(pg_url: str, pg_owner_url: str, tmp_path: Path) -> None:
    """Right after a bulk load the table has no planner statistics; the refresh runs VACUUM (ANALYZE) once
    and then only again when much has changed. VACUUM needs the table's owner: an app role beside a separate
    owner skips it (autovacuum analyzes) instead of failing. On SQLite it is a no-op."""
    app = retail_engine("postgres", tmp_path, pg_url)
    app_repo = Repository(app, new_tenant_ctx(app, "stats"))
    load_via_ingest(app_repo)
    assert app_repo.refresh_sales_statistics(force=True) is False  # not the owner: skipped, no error
    app.dispose()
    engine = retail_engine("postgres", tmp_path, pg_owner_url)  # the owner (the README's own-role setup)
    repo = Repository(engine, app_repo.ctx)
    assert repo.refresh_sales_statistics(force=True) is True
    with engine.connect() as conn:
        analyzed = conn.execute(sa.text("SELECT last_analyze FROM pg_stat_user_tables "
                                        "WHERE relname = 'sales' AND schemaname = current_schema()")).scalar()
    assert analyzed is not None
    assert repo.refresh_sales_statistics() is False  # fresh: nothing to do
    engine.dispose()
    lite = retail_engine("sqlite", tmp_path, None)
    assert Repository(lite, new_tenant_ctx(lite, "stats")).refresh_sales_statistics(force=True) is False
    lite.dispose()
