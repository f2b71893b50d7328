"""Shared fixtures: real SQLite, real PostgreSQL, real Redis.

PostgreSQL and Redis tests skip when the service is unreachable, except when ECOMINTEL_REQUIRE_SERVICES=1
(set by .ci/run): then they fail, so CI can never go green by skipping them.
Each pytest run and xdist worker gets its own PostgreSQL database, and each Redis test its own key
namespace, so parallel workers (and parallel pytest runs on one machine) never collide.
PostgreSQL tests connect as a role that cannot bypass row-level security (`pg_url`, `pg_engine`), like a
deployment; the owner (`pg_owner_url`, `pg_owner_engine`) only migrates, creates roles and runs test DDL.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from ecomintel.context import RequestContext
from ecomintel.db.engine import make_engine, migrate
from ecomintel.db.repository import Repository
from ecomintel.db.tenants import ensure_tenant

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
PG_ADMIN_URL = os.environ.get("ECOMINTEL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("ECOMINTEL_TEST_REDIS_URL", "redis://127.0.0.1:6379")
REQUIRE_SERVICES = os.environ.get("ECOMINTEL_REQUIRE_SERVICES") == "1"


def _unavailable(what: str, exc: Exception) -> None:
    message = f"{what} is not reachable ({exc.__class__.__name__}: {exc})"
    if REQUIRE_SERVICES:
        pytest.fail(message + " and ECOMINTEL_REQUIRE_SERVICES=1", pytrace=False)
    pytest.skip(message)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "gw0")


def _run_id() -> str:
    """Same for all workers of one pytest run: the controller's pid (workers are its children)."""
    return str(os.getppid() if "PYTEST_XDIST_WORKER" in os.environ else os.getpid())


@contextlib.contextmanager
def fresh_pg_database(name: str) -> Iterator[str]:
    """An empty PostgreSQL database called `name` (dropped first if left over, and dropped afterwards)."""
    try:
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        _unavailable("PostgreSQL", exc)
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_owner_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this xdist worker, migrated by its owner (the superuser): the URL that
    runs migrations and creates roles. It bypasses row-level security; tests of the app use `pg_url`."""
    with fresh_pg_database(f"ecomintel_test_{_run_id()}_{_worker()}") as url:
        engine = make_engine(url)
        migrate(engine)
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def pg_url(pg_owner_url: str) -> Iterator[str]:
    """The test database as the app connects in a deployment: a role that cannot bypass row-level security
    (`ecomintel db app-role`, rls.create_app_role), so every PostgreSQL test also exercises RLS."""
    from ecomintel.db import rls

    role = f"ecomintel_app_{_run_id()}_{_worker()}"
    owner = make_engine(pg_owner_url)
    with owner.begin() as conn:
        rls.create_app_role(conn, role)
    yield sa.make_url(pg_owner_url).set(username=role).render_as_string(hide_password=False)
    with owner.begin() as conn:  # the database is dropped next; the role is cluster-wide
        conn.exec_driver_sql(f'DROP OWNED BY "{role}"')
        conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{role}"')
    owner.dispose()


@pytest.fixture(scope="session")
def pg_engine(pg_url: str) -> Iterator[sa.Engine]:
    """The app's engine on PostgreSQL: bound by row-level security."""
    engine = make_engine(pg_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def pg_owner_engine(pg_owner_url: str) -> Iterator[sa.Engine]:
    """The owner's engine (superuser, bypasses RLS): DDL in tests and checks that must see every tenant."""
    engine = make_engine(pg_owner_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """The same test on SQLite and on PostgreSQL. On PostgreSQL, each test uses fresh tenants."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_engine")
    else:
        yield request.getfixturevalue("pg_engine")


_tenant_counter = iter(range(1, 10**9))


def new_tenant_ctx(engine: sa.Engine, prefix: str = "t", role: str = "analyst") -> RequestContext:
    """A brand-new tenant (unique name, so PostgreSQL tests sharing a database never see each other)."""
    tenant = ensure_tenant(engine, f"{prefix}-{_worker()}-{os.getpid()}-{next(_tenant_counter)}")
    return RequestContext(tenant_id=tenant.id, role=role)


@pytest.fixture
def ctx(engine: sa.Engine) -> RequestContext:
    return new_tenant_ctx(engine)


@pytest.fixture
def repo(engine: sa.Engine, ctx: RequestContext) -> Repository:
    return Repository(engine, ctx)


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A reachable Redis URL. Tests isolate by key namespace (`redis_namespace`), never by FLUSHDB."""
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL)
        client.ping()
    except Exception as exc:
        _unavailable("Redis", exc)
    yield REDIS_URL
    client.close()


@pytest.fixture
def redis_namespace(redis_url: str) -> Iterator[str]:
    """A unique key prefix / queue-name suffix for one test; its keys are deleted afterwards."""
    import uuid

    import redis

    namespace = f"ecomintel-test-{uuid.uuid4().hex[:10]}"
    yield namespace
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"*{namespace}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def restore_loggers() -> Iterator[None]:
    """setup_logging changes process-wide loggers; put them back so caplog in other tests still works."""
    import logging

    names = ("ecomintel", "workers", "rq")
    saved = {n: (list(logging.getLogger(n).handlers), logging.getLogger(n).level,
                 logging.getLogger(n).propagate) for n in names}
    yield
    for n, (handlers, level, propagate) in saved.items():
        logger = logging.getLogger(n)
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate
