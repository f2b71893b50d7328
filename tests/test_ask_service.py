"""ask() end to end on real SQLite and PostgreSQL: planner → cache → agents → report → history/audit, checked
against pandas over the same CSV; degraded reports when an agent fails or is late."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from ecomintel.ask.plan import Filters, Period, Plan
from ecomintel.ask.service import answer_plan, ask
from ecomintel.cache import MemoryCache
from ecomintel.config import Settings, load_settings
from ecomintel.db.repository import Repository
from ecomintel.errors import InputError
from tests import ask_helpers
from tests.conftest import new_tenant_ctx
from tests.sales_helpers import is_product, load_via_ingest, retail_engine, select, truth_metrics

NOV = Period(start="2011-11-01", end="2011-11-30", label="Nov 2011")  # type: ignore[arg-type]
OCT = Period(start="2011-10-01", end="2011-10-31", label="Oct 2011")  # type: ignore[arg-type]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def retail(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[Repository, pd.DataFrame]]:
    pg_url = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    engine = retail_engine(request.param, tmp_path_factory.mktemp("ask"), pg_url)
    repo = Repository(engine, new_tenant_ctx(engine, "ask"))
    truth = load_via_ingest(repo)
    yield repo, truth
    engine.dispose()


@pytest.fixture
def settings() -> Settings:
    return load_settings({"ECOMINTEL_LLM_PROVIDER": "none"}).replace(quick_timeout_s=5.0)


@pytest.fixture(autouse=True)
def release_blocked() -> Iterator[None]:
    ask_helpers.RELEASE.clear()
    yield
    ask_helpers.RELEASE.set()


def test_top_products_question(retail: tuple[Repository, pd.DataFrame], settings: Settings) -> None:
    repo, df = retail
    report = ask("top 5 products by revenue in November 2011", repo=repo, settings=settings)
    part = select(df, "2011-11-01", "2011-11-30")
    want = (part[part.sku.map(is_product)].groupby("sku").revenue.sum().reset_index()
            .sort_values(["revenue", "sku"], ascending=[False, True]).head(5))
    t0 = report["tables"][0]
    assert t0["columns"][:3] == ["sku", "product", "revenue"]
    assert [r[0] for r in t0["rows"]] == want.sku.tolist()
    assert report["intent"] == "top_items" and report["cached"] is False
    # the planner may clip the month to the data's last day (2011-11-10); the lines selected are the same
    assert report["periods"][0]["start"] == "2011-11-01" and report["periods"][0]["end"] in ("2011-11-30",
                                                                                          "2011-11-10")
    for k, v in truth_metrics(part).items():
        assert report["metrics"][k] == pytest.approx(v)
    assert report["agents"][0]["agent"] == "sales" and report["agents"][0]["status"] == "ok"
    assert 0 < report["confidence"] <= 1 and report["data_version"] == repo.data_version()
    saved = repo.get_report(report["report_id"])
    assert saved["question"] == "top 5 products by revenue in November 2011"
    assert saved["report"]["tables"][0]["rows"] == t0["rows"]
    audit = repo.audit_entries(5)
    assert any(a["action"] == "ask" and a["detail"]["report_id"] == report["report_id"] for a in audit)


def test_cache_hit_and_invalidation_by_data_version(retail: tuple[Repository, pd.DataFrame],
                                                    settings: Settings) -> None:
    repo, _ = retail
    cache = MemoryCache(max_entries=64, default_ttl_s=600)  # fresh: the per-process shared one may hold entries
    first = ask("revenue by country in November 2011", repo=repo, settings=settings, cache=cache, save=False)
    second = ask("revenue by country in November 2011", repo=repo, settings=settings, cache=cache, save=False)
    assert first["cached"] is False and second["cached"] is True
    assert second["tables"] == first["tables"] and second["metrics"] == first["metrics"]
    assert second["report_id"] is None
    repo.bump_data_version()  # what every ingest does
    third = ask("revenue by country in November 2011", repo=repo, settings=settings, cache=cache, save=False)
    assert third["cached"] is False and third["data_version"] == first["data_version"] + 1


def test_compare_and_why_questions(retail: tuple[Repository, pd.DataFrame], settings: Settings) -> None:
    repo, df = retail
    report = ask("how did revenue change from October to November 2011 and why", repo=repo, settings=settings,
                 save=False)
    cur = select(df, "2011-11-01", "2011-11-30").revenue.sum()
    prev = select(df, "2011-10-01", "2011-10-31").revenue.sum()
    assert report["metrics"]["revenue"] == pytest.approx(cur)
    assert report["metrics"]["revenue_previous"] == pytest.approx(prev)
    assert report["metrics"]["revenue_change"] == pytest.approx(cur - prev)
    assert report["metrics"]["revenue_change_pct"] == pytest.approx((cur - prev) / prev * 100)
    for p in report["periods"]:  # the resolved dates are stated
        assert f"{p['start']}..{p['end']}" in report["summary"]


def test_failing_agent_gives_degraded_report(retail: tuple[Repository, pd.DataFrame], settings: Settings) -> None:
    repo, df = retail
    plan = Plan(intent="overview", agents=["sales", "test_failing"], periods=[NOV], planner="test", confidence=1.0)
    cache = MemoryCache(max_entries=64, default_ttl_s=600)
    report = answer_plan(plan, question="overview Nov", repo=repo, settings=settings, cache=cache, save=False)
    statuses = {a["agent"]: a["status"] for a in report["agents"]}
    assert statuses == {"sales": "ok", "test_failing": "failed"}
    assert any("test_failing analysis failed" in w for w in report["warnings"])
    assert report["metrics"]["revenue"] == pytest.approx(select(df, "2011-11-01", "2011-11-30").revenue.sum())
    healthy = answer_plan(plan.model_copy(update={"agents": ["sales"]}), question="overview Nov", repo=repo,
                          settings=settings, save=False)
    assert report["confidence"] < healthy["confidence"]
    again = answer_plan(plan, question="overview Nov", repo=repo, settings=settings, cache=cache, save=False)
    assert again["cached"] is False  # degraded answers are not cached


def test_late_agent_times_out_and_answer_still_arrives(retail: tuple[Repository, pd.DataFrame],
                                                       settings: Settings) -> None:
    repo, _ = retail
    plan = Plan(intent="top_items", agents=["sales", "test_blocking"], periods=[NOV], group_by="product",
                filters=Filters(countries=["France"]))
    report = answer_plan(plan, question="top in France", repo=repo, settings=settings.replace(quick_timeout_s=0.5),
                         save=False)
    statuses = {a["agent"]: a["status"] for a in report["agents"]}
    assert statuses == {"sales": "ok", "test_blocking": "timeout"}
    assert report["tables"][0]["columns"][0] == "sku"
    assert any("did not finish within 0.5 s" in w for w in report["warnings"])


def test_deep_mode_and_progress(retail: tuple[Repository, pd.DataFrame], settings: Settings) -> None:
    repo, _ = retail
    seen: list[tuple[float, str]] = []
    report = ask("top 10 products by revenue in November 2011", repo=repo, settings=settings, mode="deep",
                 save=False, progress=lambda f, m: seen.append((f, m)))
    assert [a["agent"] for a in report["agents"]] == ["sales", "sales_deep"]
    assert report["mode"] == "deep" and len(report["tables"]) > 5
    assert report["tables"][0]["columns"][:2] == ["sku", "product"]  # the quick answer stays first
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any(m.startswith("sales_deep") for _, m in seen)


def test_bad_questions(retail: tuple[Repository, pd.DataFrame], settings: Settings) -> None:
    repo, _ = retail
    with pytest.raises(InputError):
        ask("   ", repo=repo, settings=settings)
    with pytest.raises(InputError):
        ask("x" * 600, repo=repo, settings=settings)
    with pytest.raises(InputError):
        ask("revenue", repo=repo, settings=settings, mode="turbo")


def test_empty_tenant_cannot_answer_and_says_to_upload(retail: tuple[Repository, pd.DataFrame],
                                                       settings: Settings) -> None:
    repo, _ = retail
    empty = Repository(repo.engine, new_tenant_ctx(repo.engine, "ask-empty"))
    report = ask("top 10 products last month", repo=empty, settings=settings, save=False)
    assert report["status"] == "cannot_answer" and report["missing"] == "sales"
    assert "no sales data" in report["summary"].lower()
    assert report["metrics"] == {} and report["tables"] == []
    assert any("Upload" in s for s in report["suggestions"])


def test_a_second_metric_is_shown_or_said_to_be_unanswered(retail: tuple[Repository, pd.DataFrame],
                                                          settings: Settings) -> None:
    """One answer has one metric; another metric the question joins with "and" is either in the table (said
    so) or listed as not answered with the confidence capped — never dropped silently."""
    repo, _ = retail
    missing = ask("weekly units plus orders for nov 2011", repo=repo, settings=settings)
    assert missing["plan"]["metric"] == "units" and missing["plan"]["also_metrics"] == ["orders"]
    assert "orders" not in missing["tables"][0]["columns"]
    assert "orders" in missing["not_understood"] and "Not answered: orders" in missing["summary"]
    assert missing["confidence"] <= 0.6
    shown = ask("best 5 clients by spend and orders in nov 2011", repo=repo, settings=settings)
    assert shown["plan"]["also_metrics"] == ["orders"] and "orders" in shown["tables"][0]["columns"]
    assert "orders" not in shown["not_understood"] and "also shows orders" in shown["summary"]
    ranked = ask("top 3 countries by rev in nov 2011 and their average order value", repo=repo, settings=settings)
    assert ranked["intent"] == "top_items" and ranked["plan"]["metric"] == "revenue"  # "by rev" ranks
    assert ranked["plan"]["also_metrics"] == ["aov"]


def test_a_filtered_answer_names_its_filter_in_the_summary(retail: tuple[Repository, pd.DataFrame],
                                                           settings: Settings) -> None:
    """A headline of one country or product must not read like the whole shop's."""
    repo, df = retail
    country = df[df.country != "United Kingdom"].country.value_counts().index[0]
    report = ask(f"what did {country} spend in nov 2011", repo=repo, settings=settings)
    assert report["plan"]["filters"]["countries"] == [country]
    assert f"Filtered to country {country}." in report["summary"]
    whole = ask("what did we take in nov 2011", repo=repo, settings=settings)
    assert "Filtered to" not in whole["summary"]


def test_the_asked_metric_leads_an_overview(retail: tuple[Repository, pd.DataFrame], settings: Settings) -> None:
    """"avg order value in nov 2011" answers with the AOV first, not the revenue headline it sits in."""
    repo, _ = retail
    report = ask("avg order value in nov 2011", repo=repo, settings=settings)
    assert report["intent"] == "overview" and report["plan"]["metric"] == "aov"
    assert report["summary"].startswith("AOV in Nov 2011"), report["summary"]
    units = ask("how many units did we shift in nov 2011", repo=repo, settings=settings)
    assert units["summary"].startswith("Units in Nov 2011"), units["summary"]


def test_a_data_question_about_one_check_leads_with_that_check(retail: tuple[Repository, pd.DataFrame],
                                                              settings: Settings) -> None:
    """"blank customer ids?" is answered by the missing-values check first (then the scores), not by the
    generic biggest deductions; a check that found nothing says so."""
    repo, df = retail
    report = ask("how many blank customer ids are in the orders", repo=repo, settings=settings)
    assert report["intent"] == "data_quality" and report["plan"]["thresholds"]["check_missing_values"] == 1.0
    assert report["plan"]["thresholds"]["field_customer_id"] == 1.0  # the field named, not every column
    assert report["summary"].startswith("Asked about missing values (customer_id): sales: customer_id is missing on"), \
        report["summary"]
    asked = next(t for t in report["tables"] if t["title"] == "Asked about: missing values (customer_id)")
    assert all(row[2].startswith("customer_id ") for row in asked["rows"])
    assert any(row[2].startswith("customer_id is missing") and row[3] == int((df.customer_id.fillna("") == "").sum())
               for row in asked["rows"]), asked
    dupes = ask("were any sales lines double-counted", repo=repo, settings=settings)
    assert dupes["summary"].startswith("Asked about duplicate rows: "), dupes["summary"]
