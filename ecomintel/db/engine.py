"""Engines and migrations: one place that knows how to open SQLite or PostgreSQL and bring it up to date.

Why one place: SQLite needs pragmas (WAL so the app and a worker can share the file, foreign keys on),
PostgreSQL needs the psycopg 3 driver; everything above this module just passes an Engine around.

Why `migrate` first reads the stored revision itself: every CLI command migrates, and alembic costs ~0.1 s
to import plus ~0.3 s to load its scripts and compare — most of a quick `ecomintel ask`. When the database
already carries the newest revision (found by reading the `revision =` lines of the migration files, see
`head_revision`; a test keeps it equal to alembic's own answer), there is nothing to do and alembic is not
imported. Anything else (a new database, an older revision, several heads) goes through alembic as before.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ecomintel.config import sqlite_path
from ecomintel.db import rls
from ecomintel.errors import ServiceUnavailable

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK_KEY = 0x65636F6D  # "ecom": the pg_advisory_lock key `migrate` holds while it upgrades
_REVISION_LINE = re.compile(r"^(down_revision|revision)\s*(?::[^=]+)?=\s*(.+?)\s*$", re.MULTILINE)


SQLITE_PAGE_SIZE = 16384


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """Per connection: WAL, foreign keys, a 200 MB page cache, temporary sorts in memory; and for a new
    database file 16 KiB pages (SQLite's default is 4 KiB; only an empty database takes the setting, so
    existing files keep theirs). Why larger pages: answers scan the sales table and its covering indexes,
    and a first large load rebuilds those indexes; on the 541,909-line file the rebuild took ~2.0 s
    instead of ~2.4 s, with fewer, larger writes at commit (bench/ingest.py)."""
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")  # before WAL: the first write fixes the page size
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA cache_size=-200000")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.close()


def make_engine(url: str) -> sa.Engine:
    """An Engine for `url`; creates the SQLite file's folder. Normalises bare postgresql:// to psycopg 3."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
    rls.install(engine)  # every transaction of a tenant-scoped engine sets app.tenant_id (row-level security)
    return engine


def alembic_config(engine: sa.Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str | None:
    """The newest migration's revision id, read from the `revision = …` / `down_revision = …` lines of
    migrations/versions/*.py without importing alembic; None unless there is exactly one head."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for name, value in _REVISION_LINE.findall(path.read_text(encoding="utf-8")):
            ids = set(re.findall(r"['\"]([^'\"]+)['\"]", value))
            (revisions if name == "revision" else parents).update(ids)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def current_revision(conn: sa.Connection) -> str | None:
    """The revision the database is at (None for a database alembic never touched)."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    versions = [r[0] for r in conn.execute(sa.text("SELECT version_num FROM alembic_version"))]
    return versions[0] if len(versions) == 1 else None


def migrate(engine: sa.Engine) -> None:
    """Bring the schema to the newest migration (idempotent; without alembic when already there)."""
    try:
        with engine.connect() as conn:
            current = current_revision(conn)
    except sa.exc.OperationalError as exc:
        raise ServiceUnavailable(
            f"Cannot connect to the database at {engine.url.render_as_string(hide_password=True)}.",
            "Check ECOMINTEL_DATABASE_URL and that the server is running.",
        ) from exc
    if current is not None and current == head_revision():
        return
    from alembic import command

    with _migration_lock(engine):
        with engine.connect() as conn:  # another process may have migrated while we waited for the lock
            if current_revision(conn) == head_revision():
                return
        command.upgrade(alembic_config(rls.system_engine(engine)), "head")  # migrations may touch every tenant
        if engine.dialect.name == "postgresql":  # tenant tables added by any migration get their RLS policy
            with rls.system_engine(engine).begin() as conn:
                rls.apply_tenant_policies(conn)


@contextlib.contextmanager
def _migration_lock(engine: sa.Engine) -> Iterator[None]:
    """On PostgreSQL, one migrating process at a time (a session advisory lock): the app replicas and the
    scheduler of a deployment all migrate at start, and two concurrent `alembic upgrade`s of a new database
    collide on the same CREATE TABLE. SQLite serialises writers itself."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        try:
            yield
        finally:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
