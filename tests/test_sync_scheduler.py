"""Scheduling: schedule parsing, rq's CronScheduler fed from the sources table with a REAL Redis and a real
burst worker process running the sync, and the in-process scheduler used without Redis."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa

from ecomintel.context import RequestContext
from ecomintel.db import models as m
from ecomintel.db.engine import make_engine, migrate
from ecomintel.db.repository import Repository
from ecomintel.db.scoped import utcnow
from ecomintel.db.tenants import ensure_tenant
from ecomintel.errors import InputError
from ecomintel.jobs import LocalRunner
from ecomintel.sync.local_scheduler import LocalScheduler
from ecomintel.sync.schedule import daily_cron, parse_schedule
from ecomintel.sync.scheduler import PURGE_JOB_NAME, SyncScheduler
from ecomintel.sync.sources import configure_source
from tests.conftest import ROOT
from tests.sync_servers import Reply, ScriptedServer
from tests.worker_procs import worker_env

FEED = "sku,name,price\nK-1,Kettle,30.00\nK-2,Toaster,25.50\n"
PURGE_CRON = "30 3 * * *"


@contextlib.contextmanager
def cron_scheduler(redis_url: str, engine: sa.Engine, queue: str, name: str,
                   purge_cron: str | None = None) -> Iterator[SyncScheduler]:
    """A SyncScheduler on the real Redis, registered as dead afterwards (as `run` does when it stops)."""
    scheduler = SyncScheduler(redis.Redis.from_url(redis_url), engine, queue, name=name, purge_cron=purge_cron)
    try:
        yield scheduler
    finally:
        scheduler.cron.register_death()


def run_burst_worker(redis_url: str, db_url: str, queue: str) -> None:
    """A real `python -m workers.worker --burst` process: runs what the scheduler enqueued, then exits."""
    env = {**worker_env(redis_url), "ECOMINTEL_DATABASE_URL": db_url, "ECOMINTEL_WORKER_METRICS_PORT": "0"}
    done = subprocess.run([sys.executable, "-m", "workers.worker", "--queue", queue, "--burst"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def test_schedule_forms() -> None:
    assert parse_schedule("every 6h").interval_s == 21600  # type: ignore[union-attr]
    assert parse_schedule("30m").interval_s == 1800  # type: ignore[union-attr]
    assert parse_schedule("0 3 * * *").cron == "0 3 * * *"  # type: ignore[union-attr]
    assert parse_schedule("") is None
    for bad in ("every 10s", "sometimes", "61 * * * *"):
        with pytest.raises(InputError):
            parse_schedule(bad)
    every = parse_schedule("every 2h")
    assert every is not None
    t = datetime(2026, 1, 1, 12, 0)
    assert every.is_due(None, t) and not every.is_due(t - timedelta(hours=1), t) and every.is_due(t - timedelta(hours=2), t)
    nightly = parse_schedule("0 3 * * *")
    assert nightly is not None and not nightly.is_due(None, t)  # a cron source waits for its slot
    assert nightly.is_due(datetime(2026, 1, 1, 2, 0), t) and not nightly.is_due(datetime(2026, 1, 1, 3, 30), t)


def tenant_db(tmp_path: Path, url_path: str, server: ScriptedServer, schedule: str) -> tuple[str, Repository]:
    url = f"sqlite:///{tmp_path / 'sched.db'}"
    engine = make_engine(url)
    migrate(engine)
    repo = Repository(engine, RequestContext(tenant_id=ensure_tenant(engine, "sched").id))
    configure_source(repo, name="nightly", connector="http_feed", schedule=schedule,
                     options={"url": server.url(url_path), "kind": "products"})
    return url, repo


def test_cron_scheduler_enqueues_and_a_burst_worker_runs_the_sync(tmp_path: Path, redis_url: str,
                                                                   redis_namespace: str) -> None:
    queue = f"sync-{redis_namespace}"
    with ScriptedServer() as server:
        server.route("/feed.csv", Reply(200, FEED))
        url, repo = tenant_db(tmp_path, "/feed.csv", server, "every 1h")
        with cron_scheduler(redis_url, repo.engine, queue, f"test-{redis_namespace}", PURGE_CRON) as scheduler:
            assert scheduler.refresh() == [f"ecomintel-sync:{repo.tenant_id}:nightly", PURGE_JOB_NAME]
            # the sync never ran: due now; the purge (never ran) waits for its first 03:30
            assert scheduler.tick() == [f"ecomintel-sync:{repo.tenant_id}:nightly"]
            assert scheduler.tick() == []  # enqueued once, next in an hour
            scheduler.refresh()
            assert scheduler.tick() == [], "an unchanged schedule keeps its timing across refreshes"
            run_burst_worker(redis_url, url, queue)
        runs = repo.list_sync_runs()
        assert [(r["trigger"], r["status"], r["rows"]) for r in runs] == [("schedule", "ok", 2)], runs
        # a restarted scheduler resumes from the last run instead of running everything at once
        with cron_scheduler(redis_url, repo.engine, queue, f"test2-{redis_namespace}") as again:
            again.refresh()
            assert again.tick() == []
            # a schedule edited in Settings is picked up at the next refresh
            configure_source(repo, name="nightly", connector="http_feed", schedule="every 2h",
                             options={"url": server.url("/feed.csv"), "kind": "products"})
            configure_source(repo, name="off", connector="http_feed", schedule="every 2h", enabled=False,
                             options={"url": server.url("/feed.csv"), "kind": "products"})
            assert again.refresh() == [f"ecomintel-sync:{repo.tenant_id}:nightly"], "no purge_cron: no purge job"


def test_in_process_scheduler_runs_due_sources_without_redis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with ScriptedServer() as server:
        server.route("/feed.csv", Reply(200, FEED))
        url, repo = tenant_db(tmp_path, "/feed.csv", server, "every 1h")
        monkeypatch.setenv("ECOMINTEL_DATABASE_URL", url)  # the job reads its settings like a worker does
        runner = LocalRunner()
        scheduler = LocalScheduler(repo.engine, runner)
        try:
            submitted = scheduler.tick()
            assert len(submitted) == 1
            assert scheduler.tick() == [], "a running or just-run source is not submitted twice"
            status = runner.status(submitted[0])
            for _ in range(600):
                if status.done:
                    break
                import time

                time.sleep(0.05)
                status = runner.status(submitted[0])
        finally:
            runner.shutdown()
    assert status.state == "finished", status
    assert scheduler.due() == []
    later = LocalScheduler(repo.engine, runner, clock=lambda: datetime.utcnow() + timedelta(hours=2))
    assert [s["name"] for s in later.due()] == ["nightly"]
    with repo.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM products")).scalar() == 2


def test_purge_time_setting() -> None:
    assert daily_cron("03:30") == PURGE_CRON and daily_cron("0:05") == "5 0 * * *"
    assert daily_cron("off") is None and daily_cron("") is None
    for bad in ("25:00", "3.30", "every 1h"):
        with pytest.raises(InputError):
            daily_cron(bad)


def purge_db(tmp_path: Path, *, last_purge_days_ago: int | None) -> tuple[str, sa.Engine, int]:
    """A tenant with an audit entry older than its policy keeps (24 months), and optionally a past purge."""
    url = f"sqlite:///{tmp_path / 'purge.db'}"
    engine = make_engine(url)
    migrate(engine)
    tenant_id = ensure_tenant(engine, "purged").id
    rows = [{"tenant_id": tenant_id, "action": "login_ok", "created_at": utcnow() - timedelta(days=800)}]
    if last_purge_days_ago is not None:
        rows.append({"tenant_id": tenant_id, "action": "retention_purge",
                     "created_at": utcnow() - timedelta(days=last_purge_days_ago)})
    with engine.begin() as conn:
        conn.execute(sa.insert(m.audit_log), rows)
    return url, engine, tenant_id


def audit_actions(engine: sa.Engine, tenant_id: int) -> list[str]:
    t = m.audit_log
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(sa.select(t.c.action).where(t.c.tenant_id == tenant_id).order_by(t.c.id))]


def test_rq_scheduler_runs_a_missed_daily_purge_on_a_burst_worker(tmp_path: Path, redis_url: str,
                                                                  redis_namespace: str) -> None:
    queue = f"purge-{redis_namespace}"
    url, engine, tenant_id = purge_db(tmp_path, last_purge_days_ago=2)  # yesterday's 03:30 was missed
    with cron_scheduler(redis_url, engine, queue, f"purge-{redis_namespace}", PURGE_CRON) as scheduler:
        assert scheduler.refresh() == [PURGE_JOB_NAME]
        assert scheduler.tick() == [PURGE_JOB_NAME]
        assert scheduler.tick() == [], "enqueued once, next at tomorrow's 03:30"
        run_burst_worker(redis_url, url, queue)
    assert audit_actions(engine, tenant_id) == ["retention_purge", "retention_purge"], "the 800-day entry is gone"
    with cron_scheduler(redis_url, engine, queue, f"purge2-{redis_namespace}", PURGE_CRON) as again:
        again.refresh()
        assert again.tick() == [], "a restarted scheduler counts from the purge that just ran"


def wait_done(runner: LocalRunner, job_id: str) -> str:
    import time

    for _ in range(600):
        status = runner.status(job_id)
        if status.done:
            return status.state
        time.sleep(0.05)
    return runner.status(job_id).state


def test_in_process_scheduler_runs_the_daily_purge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url, engine, tenant_id = purge_db(tmp_path, last_purge_days_ago=None)
    monkeypatch.setenv("ECOMINTEL_DATABASE_URL", url)  # the job opens the database from the settings
    now = [datetime(2026, 3, 1, 3, 0)]
    runner = LocalRunner()
    scheduler = LocalScheduler(engine, runner, purge_cron=PURGE_CRON, clock=lambda: now[0])
    try:
        assert scheduler.tick() == [], "never purged: waits for the next 03:30 after it started"
        now[0] = datetime(2026, 3, 1, 3, 31)
        submitted = scheduler.tick()
        assert len(submitted) == 1
        assert scheduler.tick() == [], "a running or just-run purge is not submitted twice"
        assert wait_done(runner, submitted[0]) == "finished"
        assert scheduler.tick() == [] and not scheduler.purge_due()
        now[0] = datetime(2026, 3, 2, 3, 30)
        assert scheduler.purge_due(), "the next day's slot"
    finally:
        runner.shutdown()
    assert audit_actions(engine, tenant_id) == ["retention_purge"]
    # restarted after a missed night: the last purge in the audit log makes it due at once
    later = LocalScheduler(engine, runner, purge_cron=PURGE_CRON, clock=lambda: utcnow() + timedelta(days=2))
    assert later.purge_due()
    assert not LocalScheduler(engine, runner, clock=lambda: utcnow() + timedelta(days=2)).purge_due(), "off"
