"""Engines and migrations: one place that knows how to open SQLite or PostgreSQL and bring it up to date.

Why one place: SQLite needs pragmas (WAL so the app and a worker can share the file, foreign keys on),
PostgreSQL needs the psycopg 3 driver; everything above this module just passes an Engine around.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from ecomintel.config import sqlite_path
from ecomintel.errors import ServiceUnavailable

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
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
    return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def alembic_config(engine: sa.Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: sa.Engine) -> None:
    """Bring the schema to the newest migration (idempotent)."""
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        raise ServiceUnavailable(
            f"Cannot connect to the database at {engine.url.render_as_string(hide_password=True)}.",
            "Check ECOMINTEL_DATABASE_URL and that the server is running.",
        ) from exc
    command.upgrade(alembic_config(engine), "head")
