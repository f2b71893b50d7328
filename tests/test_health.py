"""`ecomintel health` with each dependency down: database, migrations, Redis, workers, scheduler, last sync —
and healthy when everything is there (a real RQ worker registration, a real scheduler registration)."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from rq import Queue, Worker

from ecomintel.cli import run
from ecomintel.config import load_settings
from ecomintel.context import RequestContext
from ecomintel.db.engine import make_engine, migrate
from ecomintel.db.repository import Repository
from ecomintel.db.tenants import ensure_tenant
from ecomintel.health import run_checks
from ecomintel.sync.runner import run_source
from ecomintel.sync.scheduler import SyncScheduler
from ecomintel.sync.sources import configure_source
from tests.sync_helpers import sync_settings
from tests.sync_servers import Reply, ScriptedServer


def failing(checks: list) -> dict[str, str]:
    return {c.name: c.detail for c in checks if not c.ok}


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    return url


def test_healthy_embedded_default_exits_zero(db: str, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ECOMINTEL_DATABASE_URL", db)
    monkeypatch.delenv("ECOMINTEL_REDIS_URL", raising=False)
    assert run(["health"]) == 0
    out = capsys.readouterr().out
    assert "ok   database" in out and "FAIL" not in out


def test_database_down(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ECOMINTEL_DATABASE_URL", "postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    monkeypatch.delenv("ECOMINTEL_REDIS_URL", raising=False)
    assert run(["health", "--json"]) == 1
    out = capsys.readouterr().out
    assert '"healthy": false' in out and "secret" not in out
    bad = failing(run_checks(load_settings()))
    assert "unreachable" in bad["database"] and set(bad) == {"database", "migrations", "last sync"}


def test_migrations_behind(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    bad = failing(run_checks(load_settings({"ECOMINTEL_DATABASE_URL": url})))
    assert "run `ecomintel init`" in bad["migrations"]
    engine = make_engine(url)
    assert not sa.inspect(engine).has_table("alembic_version")  # health reports, it does not migrate
    engine.dispose()


def test_redis_down(db: str) -> None:
    bad = failing(run_checks(load_settings({"ECOMINTEL_DATABASE_URL": db, "ECOMINTEL_REDIS_URL": "redis://127.0.0.1:1/0"})))
    assert set(bad) == {"redis", "workers", "scheduler"} and "unreachable" in bad["redis"]


def test_no_worker_then_a_worker(db: str, redis_url: str, redis_namespace: str) -> None:
    settings = load_settings({"ECOMINTEL_DATABASE_URL": db, "ECOMINTEL_REDIS_URL": redis_url,
                              "ECOMINTEL_RQ_QUEUE": f"health-{redis_namespace}"})
    assert "workers" in failing(run_checks(settings))
    connection = redis.Redis.from_url(redis_url)
    worker = Worker([Queue(settings.rq_queue, connection=connection)], connection=connection,
                    name=f"w-{redis_namespace}")
    worker.register_birth()
    try:
        assert "workers" not in failing(run_checks(settings))
    finally:
        worker.register_death()


def test_failed_last_sync_and_missing_scheduler(db: str, redis_url: str, redis_namespace: str) -> None:
    engine = make_engine(db)
    repo = Repository(engine, RequestContext(tenant_id=ensure_tenant(engine, "h").id))
    settings = load_settings({"ECOMINTEL_DATABASE_URL": db, "ECOMINTEL_REDIS_URL": redis_url,
                              "ECOMINTEL_RQ_QUEUE": f"health-{redis_namespace}"})
    with ScriptedServer() as server:
        server.route("/f.csv", Reply(503))
        configure_source(repo, name="nightly", connector="http_feed", schedule="every 1d",
                         options={"url": server.url("/f.csv"), "kind": "products"})
        run_source(repo, sync_settings(sync_retries=0), "nightly")
        bad = failing(run_checks(settings))
        assert "nightly: last run failed" in bad["last sync"]
        connection = redis.Redis.from_url(redis_url)
        scheduler = SyncScheduler(connection, engine, settings.rq_queue, name=f"s-{redis_namespace}")
        if "scheduler" in bad:  # (another process's scheduler may be registered on this shared Redis)
            assert "start `ecomintel scheduler`" in bad["scheduler"]
        scheduler.cron.register_birth()
        try:
            assert "scheduler" not in failing(run_checks(settings))
        finally:
            scheduler.cron.register_death()
        server.route("/f.csv", Reply(200, "sku,price\nA,1\n"))
        run_source(repo, sync_settings(), "nightly")
        assert "last sync" not in failing(run_checks(settings))
    engine.dispose()


@pytest.mark.postgres
def test_postgres_role_that_bypasses_row_level_security_fails(pg_url: str, pg_owner_url: str) -> None:
    """The app's role (made like `ecomintel db app-role`) is bound by RLS; the superuser owner is reported."""
    names = [c.name for c in run_checks(load_settings({"ECOMINTEL_DATABASE_URL": pg_url}))]
    assert names[:4] == ["database", "migrations", "row-level security", "redis"]
    assert "row-level security" not in failing(run_checks(load_settings({"ECOMINTEL_DATABASE_URL": pg_url})))
    bad = failing(run_checks(load_settings({"ECOMINTEL_DATABASE_URL": pg_owner_url})))
    assert "BYPASSRLS" in bad["row-level security"] and "ecomintel db app-role" in bad["row-level security"]
