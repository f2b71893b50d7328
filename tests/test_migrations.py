"""Migrations: 0003's frozen copy of the line key still equals today's ingest function; `migrate`'s fast path
agrees with alembic and skips it only when there is nothing to do; 0006 (cache_entries) up and down — on
SQLite and PostgreSQL."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from ecomintel.db.engine import (
    MIGRATIONS,
    alembic_config,
    current_revision,
    head_revision,
    make_engine,
    migrate,
)
from ecomintel.ingest.dedup import line_keys
from tests.conftest import ROOT, fresh_pg_database
from tests.sales_helpers import SMALL


def load_migration(name: str) -> ModuleType:
    path = next((MIGRATIONS / "versions").glob(f"{name}_*.py"))
    spec = importlib.util.spec_from_file_location(f"migration_{name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sample_lines() -> pd.DataFrame:
    """Real lines of the committed sample plus the representations the key must see through."""
    raw = pd.read_csv(SMALL, dtype=str, keep_default_na=False, nrows=3000)
    frame = pd.DataFrame({
        "order_id": raw["InvoiceNo"], "sku": raw["StockCode"],
        "quantity": pd.to_numeric(raw["Quantity"]), "unit_price": pd.to_numeric(raw["UnitPrice"]),
        "sold_at": pd.to_datetime(raw["InvoiceDate"]),
        "customer_id": raw["CustomerID"].str.replace(r"\.0$", "", regex=True).replace("", None),
    })
    odd = pd.DataFrame({
        "order_id": ["C1", "2", "3", "4"], "sku": ["A", "B", "POST", "D"], "quantity": [-1.0, 2.0, 1.0, 6.0],
        "unit_price": [-0.0, 0.0, 18.0, 2.55],
        "sold_at": pd.to_datetime(["2011-12-01 08:00:00.750", "2011-12-01 08:00:00", "2010-12-01", "2011-06-30 23:59:59"],
                                  format="ISO8601"),
        "customer_id": [None, "", "12583", "17850"],
    })
    return pd.concat([frame, odd], ignore_index=True)


def test_migration_0003_frozen_line_key_equals_todays_ingest_key() -> None:
    """If this fails, ingest's line key changed: stored lines no longer match re-uploads. Decide consciously
    (a new migration re-keying stored lines, like 0003 did) — do not edit 0003's frozen copy."""
    frozen = load_migration("0003").line_keys
    frame = sample_lines()
    assert frozen(frame).tolist() == line_keys(frame).tolist()
    assert frozen(frame.iloc[:0]).tolist() == []
    assert frozen is not line_keys


def test_head_revision_agrees_with_alembic(sqlite_engine: sa.Engine) -> None:
    heads = ScriptDirectory.from_config(alembic_config(sqlite_engine)).get_heads()
    assert len(heads) == 1 and heads == [head_revision()]
    with sqlite_engine.connect() as conn:
        assert current_revision(conn) == head_revision()


def test_migrate_skips_alembic_only_when_already_at_head(tmp_path: Path) -> None:
    """Every CLI command migrates: on an up-to-date database that must not even import alembic."""
    db = tmp_path / "fast.db"
    script = ("import sys; from ecomintel.db.engine import make_engine, migrate; "
              f"migrate(make_engine('sqlite:///{db}')); print('alembic' in sys.modules)")
    run = [sys.executable, "-c", script]
    first = subprocess.run(run, cwd=ROOT, capture_output=True, text=True, timeout=120)
    again = subprocess.run(run, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert (first.stdout.strip(), again.stdout.strip()) == ("True", "False"), first.stderr + again.stderr
    engine = make_engine(f"sqlite:///{db}")
    command.downgrade(alembic_config(engine), "0005")
    migrate(engine)  # an older revision goes through alembic again
    with engine.connect() as conn:
        assert current_revision(conn) == head_revision()
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'mig6.db'}"
        return
    with fresh_pg_database(f"ecomintel_test_mig6_{os.getpid()}") as url:
        yield url


def test_migration_0006_cache_entries_up_and_down(fresh_url: str) -> None:
    engine = make_engine(fresh_url)
    cfg = alembic_config(engine)
    command.upgrade(cfg, "0005")
    assert not sa.inspect(engine).has_table("cache_entries")
    command.upgrade(cfg, "head")
    inspector = sa.inspect(engine)
    assert {c["name"] for c in inspector.get_columns("cache_entries")} == {
        "id", "tenant_id", "data_version", "key", "value", "created_at", "expires_at"}
    (unique,) = [ix for ix in inspector.get_indexes("cache_entries")
                 if ix["name"] == "uq_cache_entries_tenant_id_data_version_key"]
    assert unique["unique"] and unique["column_names"] == ["tenant_id", "data_version", "key"]
    assert [fk["referred_table"] for fk in inspector.get_foreign_keys("cache_entries")] == ["tenants"]
    command.downgrade(cfg, "0005")
    assert not sa.inspect(engine).has_table("cache_entries")
    command.upgrade(cfg, "head")
    engine.dispose()


def test_processes_migrating_a_new_postgres_database_at_once_all_succeed() -> None:
    """A deployment's app replicas and scheduler all migrate at start (compose.yaml): on a new database their
    upgrades must take turns (engine._migration_lock), not collide on the same CREATE TABLE."""
    with fresh_pg_database(f"ecomintel_test_migrace_{os.getpid()}") as url:
        script = f"from ecomintel.db.engine import make_engine, migrate; migrate(make_engine({url!r}))"
        procs = [subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(3)]
        outcomes = [(p.wait(timeout=180), p.communicate()[1]) for p in procs]
        assert [code for code, _ in outcomes] == [0, 0, 0], [err[-800:] for _, err in outcomes]
        engine = make_engine(url)
        with engine.connect() as conn:
            assert current_revision(conn) == head_revision()
        engine.dispose()


def test_a_new_sqlite_database_gets_large_pages_and_an_existing_one_keeps_its_own(tmp_path: Path) -> None:
    import sqlite3

    from ecomintel.db.engine import SQLITE_PAGE_SIZE

    migrate(make_engine(f"sqlite:///{tmp_path / 'new.db'}"))
    old = tmp_path / "old.db"
    with sqlite3.connect(old) as conn:  # a file created before: 4 KiB pages, WAL
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE t (x INTEGER)")
    migrate(make_engine(f"sqlite:///{old}"))
    sizes = [sqlite3.connect(p).execute("PRAGMA page_size").fetchone()[0] for p in (tmp_path / "new.db", old)]
    assert sizes == [SQLITE_PAGE_SIZE, 4096]
