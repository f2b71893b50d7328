"""Deep questions as background jobs, end to end: a real worker process answers from a real PostgreSQL
tenant via RQ; the local thread pool answers from a SQLite tenant. Expected numbers come from pandas over
the sample CSV (tests/sales_helpers.clean_retail), not from ecomintel code."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from ecomintel.cache import redis_client
from ecomintel.config import load_settings
from ecomintel.db.engine import make_engine, migrate
from ecomintel.db.repository import Repository
from ecomintel.jobs import JobStatus, LocalRunner, RQRunner
from tests.conftest import new_tenant_ctx
from tests.sales_helpers import SMALL, clean_retail, insert_sales
from tests.worker_procs import start_worker, stop_worker, worker_output

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not (ROOT / "ecomintel" / "ask" / "service.py").exists(),
                                reason="ecomintel.ask.service (owned by the ask engineer) is not there yet")

QUESTION = "top 10 products by revenue in November 2011"
NON_PRODUCT = {"POST", "DOT", "M", "D", "C2", "CRUK", "PADS", "B", "S", "BANK CHARGES", "AMAZONFEE"}


def expected_top(truth: pd.DataFrame, n: int = 10) -> pd.Series:
    nov = truth[(truth.sold_at >= "2011-11-01") & (truth.sold_at < "2011-12-01")]
    sku = nov.sku.str.upper()
    products = nov[~sku.isin(NON_PRODUCT) & ~sku.str.startswith("GIFT_0001")]
    return products.groupby("sku").revenue.sum().sort_values(ascending=False).head(n)


def load_tenant(repo: Repository) -> pd.DataFrame:
    """The sample into the tenant: through the ingest pipeline when it exists, else the test loader."""
    if (ROOT / "ecomintel" / "ingest" / "pipeline.py").exists():
        from ecomintel.ingest.pipeline import ingest_file

        result = ingest_file(repo, "sales", SMALL, settings=load_settings({}))
        assert result.status == "done", result
    else:
        insert_sales(repo, clean_retail(SMALL), SMALL.name)
    return clean_retail(SMALL)


def check_report(report: dict[str, Any], truth: pd.DataFrame, data_version: int) -> None:
    assert report["question"] == QUESTION and report["mode"] == "deep"
    assert report["data_version"] == data_version
    table = report["tables"][0]
    assert table["columns"][:3] == ["sku", "product", "revenue"]
    want = expected_top(truth)
    got = [(str(row[0]), float(row[2])) for row in table["rows"][:10]]
    assert [s for s, _ in got] == list(want.index)
    assert [v for _, v in got] == pytest.approx(list(want.values), abs=0.01)


def poll(status: Callable[[], JobStatus], limit_s: float = 180) -> tuple[JobStatus, list[float]]:
    seen: list[float] = []
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        current = status()
        seen.append(current.progress)
        if current.done:
            return current, seen
        time.sleep(0.05)
    raise AssertionError(f"job not done in time: {status()}")


def test_deep_question_on_rq_worker_against_postgres(pg_url: str, redis_url: str, redis_namespace: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from ecomintel.ask.tasks import run_ask_job

    engine = make_engine(pg_url)
    ctx = new_tenant_ctx(engine, "askjob")
    repo = Repository(engine, ctx)
    truth = load_tenant(repo)
    runner = RQRunner(redis_client(redis_url), redis_namespace, job_timeout_s=300, retry_intervals_s=(0,))
    job_id = runner.submit(run_ask_job, tenant_id=ctx.tenant_id, user_id=None, question=QUESTION, mode="deep")
    # the worker gets the app's settings through its environment, as in production
    monkeypatch.setenv("ECOMINTEL_DATABASE_URL", pg_url)
    monkeypatch.setenv("ECOMINTEL_LLM_PROVIDER", "none")
    worker = start_worker(redis_url, redis_namespace)
    try:
        done, seen = poll(lambda: runner.status(job_id))
        output = worker_output(worker)
    finally:
        stop_worker(worker)
    assert done.state == "finished", (done, output)
    assert seen[0] < 1.0 and done.progress == 1.0
    assert any(0.0 < p < 1.0 for p, _ in done.steps), done.steps  # ask reported intermediate progress
    check_report(done.result, truth, repo.data_version())
    engine.dispose()


def test_deep_question_on_local_runner_against_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ecomintel.ask.tasks import run_ask_job

    url = f"sqlite:///{tmp_path / 'ask.db'}"
    engine = make_engine(url)
    migrate(engine)
    ctx = new_tenant_ctx(engine, "askjob")
    repo = Repository(engine, ctx)
    truth = load_tenant(repo)
    for name in ("ECOMINTEL_REDIS_URL", "OPENAI_API_KEY", "GEMINI_API_KEY", "ECOMINTEL_LLM_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ECOMINTEL_DATABASE_URL", url)
    monkeypatch.setenv("ECOMINTEL_LLM_PROVIDER", "none")
    runner = LocalRunner(retry_intervals_s=(0,))
    try:
        job_id = runner.submit(run_ask_job, tenant_id=ctx.tenant_id, user_id=None, question=QUESTION,
                               mode="deep")
        done, _ = poll(lambda: runner.status(job_id))
    finally:
        runner.shutdown()
    assert done.state == "finished", done
    assert any(0.0 < p < 1.0 for p, _ in done.steps), done.steps
    check_report(done.result, truth, repo.data_version())
    with engine.connect() as conn:  # ask saved the report for the tenant's history
        assert conn.execute(sa.text("select count(*) from reports where tenant_id = :t"),
                            {"t": ctx.tenant_id}).scalar() >= 1
    engine.dispose()


def test_unknown_tenant_fails_without_retry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ecomintel.ask.tasks import run_ask_job

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    migrate(make_engine(url))
    monkeypatch.setenv("ECOMINTEL_DATABASE_URL", url)
    monkeypatch.delenv("ECOMINTEL_REDIS_URL", raising=False)
    runner = LocalRunner(retry_intervals_s=(0,))
    job_id = runner.submit(run_ask_job, tenant_id=999_999, user_id=None, question=QUESTION)
    done, _ = poll(lambda: runner.status(job_id))
    runner.shutdown()
    assert done.state == "failed" and done.attempts == 1 and "999999" in (done.error or "")


@pytest.mark.skipif(not (ROOT / "ecomintel" / "llm" / "usage.py").exists(), reason="llm.usage not there yet")
def test_background_jobs_use_the_budget_governed_llm(sqlite_engine: sa.Engine) -> None:
    from ecomintel.ask.tasks import make_governed_llm
    from ecomintel.llm.usage import GovernedLLM

    repo = Repository(sqlite_engine, new_tenant_ctx(sqlite_engine))
    assert make_governed_llm(load_settings({"ECOMINTEL_LLM_PROVIDER": "none"}), repo) is None
    settings = load_settings({"ECOMINTEL_LLM_PROVIDER": "openai", "ECOMINTEL_LLM_BASE_URL": "http://127.0.0.1:9/v1",
                              "OPENAI_API_KEY": "test-key", "ECOMINTEL_LLM_MODEL": "local-model"})
    llm = make_governed_llm(settings, repo)
    assert isinstance(llm, GovernedLLM) and llm.repo is repo and llm.model == "local-model"
