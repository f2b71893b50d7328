"""Forecast questions through the planner and `ask`, the stored forecasts going stale after an upload, the
stockout answer with and without stock levels, and the catalogue fit as a job (local runner and RQ on Redis).
The tenant is synthetic (tests/forecast_helpers.py): known weekly pattern, never trades on Saturdays."""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from ecomintel.ask.offline_planner import offline_plan
from ecomintel.ask.service import ask
from ecomintel.cache import redis_client
from ecomintel.config import load_settings
from ecomintel.db.engine import make_engine, migrate
from ecomintel.db.repository import Repository
from ecomintel.forecasting.service import SeriesSpec, forecast_specs
from ecomintel.jobs import LocalRunner, RQRunner
from tests.conftest import new_tenant_ctx
from tests.forecast_helpers import END, load, load_stock, write_sales, write_stock
from tests.worker_procs import start_worker, stop_worker, worker_output

SETTINGS = load_settings({"ECOMINTEL_LLM_PROVIDER": "none"})

# written the way analysts type them, before the reading was written
QUESTIONS = [
    ("forecast demand for the next 4 weeks for A100", "forecast", {"skus": ["A100"], "horizon": 28}),
    ("forecast total units per day for the next 28 days", "forecast", {"horizon": 28, "group_by": "day"}),
    ("how many units will we sell next month?", "forecast", {"period": (date(2011, 11, 1), date(2011, 11, 30))}),
    ("projected revenue for January", "forecast", {"metric": "revenue", "period": (date(2012, 1, 1), date(2012, 1, 31))}),
    ("predict sales of the red mug next week", "forecast", {"skus_or_products": True}),
    ("B200 weekly forecast next 3 months", "forecast", {"skus": ["B200"], "group_by": "week"}),
    ("what's the outlook for units over the coming weeks", "forecast", {}),
    ("what will q1 2012 revenue be", "forecast", {"metric": "revenue", "period": (date(2012, 1, 1), date(2012, 3, 31))}),
    ("forecast 2012", "forecast", {"period": (date(2012, 1, 1), date(2012, 12, 31))}),
    ("revenue in january 2012", "forecast", {"metric": "revenue", "period": (date(2012, 1, 1), date(2012, 1, 31))}),
    ("units next week", "forecast", {"period": (date(2011, 10, 31), date(2011, 11, 6))}),
    ("what is our seasonality?", "seasonality", {}),
    ("how seasonal is A100", "seasonality", {"skus": ["A100"]}),
    ("which products will stock out before the next delivery?", "stockout", {}),
    ("what should we reorder", "stockout", {}),
]
SALES = ["revenue last month", "what is the trend in units", "busiest weekday", "top 5 products by revenue",
         "revenue in september vs august", "revenue in september", "units this month", "revenue in q3 2011",
         "how many units did we adjust out of stock in september"]


@pytest.fixture
def tenant(sqlite_engine: sa.Engine, tmp_path: Path) -> Repository:
    repo = Repository(sqlite_engine, new_tenant_ctx(sqlite_engine, "fc"))
    load(repo, write_sales(tmp_path / "sales.csv"))
    return repo


def test_forecast_questions_are_read_as_forecasts(tenant: Repository, tmp_path: Path) -> None:
    load_stock(tenant, write_stock(tmp_path / "stock.csv", {"A100": (50, 14), "B200": (900, 7)}))
    vocab = tenant.vocabulary()
    assert vocab.sales_end == END
    for question, intent, want in QUESTIONS:
        plan = offline_plan(question, vocab)
        assert plan.intent == intent, (question, plan)
        assert plan.agents == ["forecast"] and plan.not_understood == [], (question, plan.not_understood)
        if "skus" in want:
            assert plan.filters.skus == want["skus"], question
        if "horizon" in want:
            assert plan.horizon_days == want["horizon"], question
            assert plan.periods[0].start == END + timedelta(days=1)
            assert plan.periods[0].end == END + timedelta(days=want["horizon"])
        if "period" in want:
            assert (plan.periods[0].start, plan.periods[0].end) == want["period"], question
        if "group_by" in want:
            assert plan.group_by == want["group_by"], question
        if "metric" in want:
            assert plan.metric == want["metric"], question
        if "skus_or_products" in want:
            assert plan.filters.skus == ["A100"] or plan.filters.products, question
    for question in SALES:  # sales questions are not stolen
        assert offline_plan(question, vocab).intent not in ("forecast", "seasonality", "stockout"), question


def test_honest_refusals(tenant: Repository, sqlite_engine: sa.Engine) -> None:
    plan = offline_plan("which products will stock out before the next delivery?", tenant.vocabulary())
    assert plan.intent == "cannot_answer" and plan.gap is not None and plan.gap.need == "inventory"
    assert "inventory_level" in plan.gap.message
    empty = Repository(sqlite_engine, new_tenant_ctx(sqlite_engine, "empty"))
    plan = offline_plan("forecast units for the next 4 weeks", empty.vocabulary())
    assert plan.intent == "cannot_answer" and plan.gap is not None and plan.gap.need == "sales"


def test_ask_returns_a_forecast_table_with_intervals(tenant: Repository) -> None:
    report = ask("forecast demand for the next 4 weeks for A100", repo=tenant, settings=SETTINGS)
    assert report["status"] == "ok" and report["intent"] == "forecast"
    table = report["tables"][0]
    assert table["columns"][:6] == ["date", "forecast", "lower_80", "upper_80", "lower_95", "upper_95"]
    assert len(table["rows"]) == 28 and table["rows"][0][0] == str(END + timedelta(days=1))
    for row in table["rows"]:
        saturday = date.fromisoformat(row[0]).weekday() == 5
        assert all(v >= 0 for v in row[1:6]) and row[2] <= row[1] <= row[3] and row[4] <= row[2]
        assert (row[1] == 0 and not row[6]) if saturday else row[6]
    assert "Forecast, not actual sales" in report["summary"] and report["metrics"]["forecast_total"] > 0
    assert report["confidence"] > 0.5
    weekly = ask("weekly forecast of total units for the next 8 weeks", repo=tenant, settings=SETTINGS)
    assert weekly["tables"][0]["columns"][:4] == ["date", "week", "days", "forecast"]


def test_stored_forecasts_are_read_and_go_stale_after_an_upload(tenant: Repository, tmp_path: Path) -> None:
    spec = SeriesSpec.for_sku("A100")
    first = forecast_specs(tenant, [spec], 28)
    assert first.source == "fitted" and first.run["data_version"] == tenant.data_version()
    again = forecast_specs(tenant, [spec], 28)
    assert again.source == "stored" and again.run["id"] == first.run["id"]
    assert again.values[["yhat", "lo80", "hi80"]].round(6).equals(first.values[["yhat", "lo80", "hi80"]].round(6))
    # an upload (more days of sales) bumps the data version: the stored run is stale and a refit happens
    load(tenant, write_sales(tmp_path / "more.csv", days=14, start=END + timedelta(days=1), seed=9))
    assert tenant.latest_forecast_run("sku:A100")["stale"] is True
    after = forecast_specs(tenant, [spec], 28)
    assert after.source == "fitted" and any("predates the latest upload" in n for n in after.notes)
    assert after.run["cutoff"] == END + timedelta(days=14)


def test_stockout_answer_sorted_by_risk(tenant: Repository, tmp_path: Path) -> None:
    load_stock(tenant, write_stock(tmp_path / "stock.csv", {"A100": (5, 14), "B200": (5000, 7), "C300": (40, 21)}))
    report = ask("which products will stock out before the next delivery?", repo=tenant, settings=SETTINGS)
    table = report["tables"][0]
    col = table["columns"].index("stockout_probability")
    probs = [row[col] for row in table["rows"]]
    assert probs == sorted(probs, reverse=True) and table["rows"][0][0] == "A100" and probs[0] > 0.99
    b200 = next(r for r in table["rows"] if r[0] == "B200")
    assert b200[col] < 0.01 and b200[table["columns"].index("suggested_order")] == 0
    assert any(f["severity"] == "critical" and "A100" in f["text"] for f in report["findings"])
    assert any("overstock" in f["text"] for f in report["findings"])


def _poll(status, limit_s: float = 240.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        current = status()
        if current.done:
            return current
        time.sleep(0.1)
    raise AssertionError(f"job not done: {status()}")


def _check_job(done, repo: Repository) -> None:  # type: ignore[no-untyped-def]
    assert done.state == "finished", done
    assert any(0.0 < p < 1.0 for p, _ in done.steps), done.steps
    assert done.result["series"] == 3 and done.result["status"] == "ok"
    run = repo.latest_forecast_run("catalogue")
    assert run is not None and not run["stale"] and run["series_count"] == 3
    from ecomintel.models.registry import open_registry

    mv = open_registry(SETTINGS, repo.engine).active("forecast", tenant_id=repo.tenant_id)
    assert mv is not None and mv.version == done.result["model_version"] and mv.metrics["wape"] > 0
    # Ask now reads the catalogue run
    assert forecast_specs(repo, [SeriesSpec.for_sku("B200")], 28).source == "stored"


def test_catalogue_fit_as_local_job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ecomintel.forecasting.tasks import run_forecast_job

    url = f"sqlite:///{tmp_path / 'fc.db'}"
    engine = make_engine(url)
    migrate(engine)
    repo = Repository(engine, new_tenant_ctx(engine, "fcjob"))
    load(repo, write_sales(tmp_path / "sales.csv"))
    monkeypatch.delenv("ECOMINTEL_REDIS_URL", raising=False)
    monkeypatch.setenv("ECOMINTEL_DATABASE_URL", url)
    monkeypatch.setenv("ECOMINTEL_DATA_DIR", str(tmp_path))
    runner = LocalRunner(retry_intervals_s=(0,))
    try:
        job_id = runner.submit(run_forecast_job, tenant_id=repo.tenant_id)
        done = _poll(lambda: runner.status(job_id))
    finally:
        runner.shutdown()
    _check_job(done, repo)
    engine.dispose()


@pytest.mark.postgres
def test_catalogue_fit_on_an_rq_worker(pg_url: str, redis_url: str, redis_namespace: str, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from ecomintel.forecasting.tasks import run_forecast_job

    engine = make_engine(pg_url)
    repo = Repository(engine, new_tenant_ctx(engine, "fcrq"))
    load(repo, write_sales(tmp_path / "sales.csv"))
    runner = RQRunner(redis_client(redis_url), redis_namespace, job_timeout_s=600, retry_intervals_s=(0,))
    job_id = runner.submit(run_forecast_job, tenant_id=repo.tenant_id)
    monkeypatch.setenv("ECOMINTEL_DATABASE_URL", pg_url)
    monkeypatch.setenv("ECOMINTEL_DATA_DIR", str(tmp_path))
    worker = start_worker(redis_url, redis_namespace)
    try:
        done = _poll(lambda: runner.status(job_id))
        output = worker_output(worker)
    finally:
        stop_worker(worker)
    assert done.state == "finished", (done, output)
    _check_job(done, repo)
    engine.dispose()
