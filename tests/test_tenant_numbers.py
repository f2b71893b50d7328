"""Per-tenant numbers (issue 12, migration 0014): batches, saved reports and sync runs are numbered 1, 2, 3 …
within each tenant; people see and type the number, resolved within their own tenant; the global id is never
shown. On real SQLite and PostgreSQL: independence of tenants, resolution, the ingest message and CLI output,
the migration's back-fill of existing rows, concurrent creates (threads), and a property over create orders."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecomintel.config import load_settings
from ecomintel.context import RequestContext
from ecomintel.db import models as m
from ecomintel.db.engine import alembic_config, make_engine
from ecomintel.db.repository import Repository
from ecomintel.db.sync_store import shown_run
from ecomintel.db.tenant_numbers import parse_number
from ecomintel.errors import InputError, NotFound
from ecomintel.ingest.pipeline import ingest_file
from tests.conftest import ROOT, SAMPLES, fresh_pg_database, new_tenant_ctx

SETTINGS = load_settings({})
HEADER = (SAMPLES / "online_retail_small.csv").read_text().splitlines()[0]


def sales_file(n: int, bad: bool = False) -> bytes:
    """A small sales file, different for each n (so it is not a re-upload); `bad` adds a rejected line."""
    lines = [HEADER, f"{n},A{n},thing,2,2011-12-01 08:00:00,1.5,17850,United Kingdom"]
    if bad:
        lines.append(f"{n}9,B{n},other,2,someday,1.5,17850,United Kingdom")
    return ("\n".join(lines) + "\n").encode()


def create(repo: Repository, name: str) -> int:
    return repo.create_batch(file_name=name, sha256=name, kind="sales")


def test_two_tenants_number_their_batches_reports_and_runs_independently(engine: sa.Engine) -> None:
    a, b = (Repository(engine, new_tenant_ctx(engine, p)) for p in ("na", "nb"))
    ids = {"a": [], "b": []}  # type: dict[str, list[int]]
    for i in range(3):  # interleaved: the global ids of a and b alternate
        ids["a"].append(create(a, f"a{i}.csv"))
        ids["b"].append(create(b, f"b{i}.csv"))
    assert [a.batch_number(i) for i in ids["a"]] == [1, 2, 3]
    assert [b.batch_number(i) for i in ids["b"]] == [1, 2, 3]
    assert [x["number"] for x in a.list_batches()] == [3, 2, 1]
    assert a.batch_by_number(2)["file_name"] == "a1.csv" and b.batch_by_number(2)["file_name"] == "b1.csv"
    assert a.batch_numbers(ids["a"] + ids["b"]) == [1, 2, 3]  # b's ids are not a's batches: they drop out
    with pytest.raises(NotFound):
        b.batch_number(ids["a"][0])

    saved = {r: [r.save_report(question=f"q{i}", mode="quick", intent=None, plan={}, report={"n": i},
                               confidence=None, data_version=0, elapsed_ms=1) for i in range(2)] for r in (a, b)}
    assert saved[a] == [1, 2] and saved[b] == [1, 2]
    assert a.get_report(2)["question"] == "q1" and "id" not in a.get_report(2)
    assert [r["number"] for r in b.list_reports()] == [2, 1] and all("id" not in r for r in b.list_reports())

    runs = [a.start_sync_run(source_id=None, source_name="feed", connector="http_feed") for _ in range(2)]
    b.start_sync_run(source_id=None, source_name="feed", connector="http_feed")
    a.finish_sync_run(runs[1], status="ok", batch_ids=[ids["a"][2]])
    assert [r["number"] for r in a.list_sync_runs()] == [2, 1] and b.list_sync_runs()[0]["number"] == 1
    latest = a.list_sync_runs()[0]
    assert latest["batches"] == [3] and set(shown_run(latest)) & {"id", "batch_ids", "tenant_id"} == set()


def test_another_tenants_number_resolves_only_within_the_callers_tenant(engine: sa.Engine) -> None:
    a, b = (Repository(engine, new_tenant_ctx(engine, p)) for p in ("ra", "rb"))
    for i in range(3):
        create(a, f"a{i}.csv")
        a.save_report(question=f"a{i}", mode="quick", intent=None, plan={}, report={}, confidence=None,
                      data_version=0, elapsed_ms=1)
    create(b, "b0.csv")
    b.save_report(question="b0", mode="quick", intent=None, plan={}, report={}, confidence=None, data_version=0,
                  elapsed_ms=1)
    with pytest.raises(NotFound):
        b.batch_by_number(3)  # a has a batch 3; b does not
    with pytest.raises(NotFound):
        b.get_report(3)
    assert b.get_report(1)["question"] == "b0" and b.batch_by_number(1)["file_name"] == "b0.csv"


def test_ingest_messages_and_rejected_rows_use_the_tenants_number(engine: sa.Engine) -> None:
    other = Repository(engine, new_tenant_ctx(engine, "busy"))
    for i in range(4):  # another tenant's imports push the global ids up
        create(other, f"o{i}.csv")
    repo = Repository(engine, new_tenant_ctx(engine, "quiet"))
    first = ingest_file(repo, "sales", sales_file(1, bad=True), settings=SETTINGS, file_name="first.csv")
    assert first.batch_number == 1 and first.batch_id != 1
    assert "[batch 1," in first.summary() and f"batch {first.batch_id}" not in first.summary()
    again = ingest_file(repo, "sales", io.BytesIO(sales_file(1, bad=True)), settings=SETTINGS, file_name="x.csv")
    assert re.findall(r"as batch (\d+) ", again.message) == ["1"] and again.batch_number == 2
    rows = repo.quality_rows("rejected", batch=1)
    assert len(rows) == 1 and "someday" in rows.to_string()
    with pytest.raises(NotFound):
        repo.quality_rows("rejected", batch=5)  # the other tenant has a batch 4, not this one
    batches = repo.quality_batches()
    assert batches["batch"].tolist() == [2, 1]


def test_parse_number_accepts_what_people_type() -> None:
    assert [parse_number(t, "batch") for t in ("3", "#3", " batch 3 ", 7)] == [3, 3, 3, 7]
    for bad in ("", "x", "0", "-2", "3.5"):
        with pytest.raises(InputError):
            parse_number(bad, "batch")


def cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ECOMINTEL_DATABASE_URL": f"sqlite:///{db}", "ECOMINTEL_DEMO_MODE": "1"}
    return subprocess.run([sys.executable, "-m", "ecomintel", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def test_cli_prints_and_accepts_per_tenant_numbers_only(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    files = []
    for i in range(3):
        files.append(tmp_path / f"s{i}.csv")
        files[-1].write_bytes(sales_file(i, bad=True))
    for f in files[:2]:
        assert cli(db, "ingest", "sales", str(f), "--tenant", "busy", "--default", "currency=GBP").returncode == 0
    out = cli(db, "ingest", "sales", str(files[2]), "--tenant", "quiet", "--default", "currency=GBP", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["batch_number"] == 1 and "batch_id" not in result  # global id 3 is never printed
    again = cli(db, "ingest", "sales", str(files[2]), "--tenant", "quiet", "--default", "currency=GBP")
    assert "as batch 1 (s2.csv)" in again.stdout and "[batch" not in again.stdout

    listed = json.loads(cli(db, "batches", "--tenant", "quiet", "--json").stdout)
    assert [b["number"] for b in listed] == [2, 1] and all("id" not in b for b in listed)
    text = cli(db, "batches", "--tenant", "quiet").stdout
    assert re.findall(r"^\s+(\d+)\s", text, flags=re.M) == ["2", "1"]
    rejected = cli(db, "batches", "--tenant", "quiet", "--rejected", "1")
    assert rejected.returncode == 0 and "batch 1 · s2.csv" in rejected.stdout and "someday" in rejected.stdout
    missing = cli(db, "batches", "--tenant", "quiet", "--rejected", "#3")  # tenant busy has no batch 3 either
    assert missing.returncode == 2 and "No import batch 3" in missing.stderr and "Traceback" not in missing.stderr
    other = cli(db, "batches", "--tenant", "busy", "--rejected", "2")
    assert other.returncode == 0 and "s1.csv" in other.stdout  # busy's batch 2, not quiet's
    assert "No questions asked yet." in cli(db, "reports", "--tenant", "quiet").stdout
    assert cli(db, "reports", "--tenant", "quiet", "--show", "1").returncode == 2


# -- migration 0014: back-fill of existing rows -------------------------------------------------------------
@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'mig14.db'}"
        return
    with fresh_pg_database(f"ecomintel_test_mig14_{os.getpid()}") as url:
        yield url


def test_migration_0014_back_fills_numbers_per_tenant_in_id_order(fresh_url: str) -> None:
    engine = make_engine(fresh_url)
    cfg = alembic_config(engine)
    command.upgrade(cfg, "0013")
    with engine.begin() as conn:
        t1, t2 = (conn.execute(sa.text("INSERT INTO tenants (slug, name) VALUES (:s, :s) RETURNING id"),
                               {"s": s}).scalar() for s in ("one", "two"))
        order = [t1, t2, t2, t1, t2, t1, t1]  # interleaved, as a busy install creates them
        for i, t in enumerate(order):
            conn.execute(sa.text("INSERT INTO ingestion_batches (tenant_id, file_name, sha256, kind) "
                                 "VALUES (:t, :f, 'h', 'sales')"), {"t": t, "f": f"f{i}"})
            conn.execute(sa.text("INSERT INTO reports (tenant_id, question) VALUES (:t, :q)"), {"t": t, "q": f"q{i}"})
            conn.execute(sa.text("INSERT INTO sync_runs (tenant_id, source_name, connector) VALUES (:t, :n, 'x')"),
                         {"t": t, "n": f"s{i}"})
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        for table, label in (("ingestion_batches", "file_name"), ("reports", "question"), ("sync_runs", "source_name")):
            got = conn.execute(sa.text(f"SELECT tenant_id, number, {label} FROM {table} ORDER BY id")).all()
            assert [(r[0], r[1]) for r in got] == [(t1, 1), (t2, 1), (t2, 2), (t1, 2), (t2, 3), (t1, 3), (t1, 4)]
    (unique,) = [ix for ix in sa.inspect(engine).get_indexes("reports") if ix["name"] == "uq_reports_tenant_id_number"]
    assert unique["unique"] and unique["column_names"] == ["tenant_id", "number"]
    repo = Repository(engine, RequestContext(tenant_id=t2, role="analyst"))
    assert repo.batch_number(create(repo, "new.csv")) == 4  # new rows continue after the back-filled ones
    assert repo.batch_by_number(2)["file_name"] == "f2"
    command.downgrade(cfg, "0013")
    with engine.connect() as conn:
        assert "number" not in {c["name"] for c in sa.inspect(conn).get_columns("ingestion_batches")}
        assert conn.execute(sa.text("SELECT count(*) FROM ingestion_batches")).scalar() == 8  # nothing lost
    command.upgrade(cfg, "head")
    engine.dispose()


# -- concurrency -----------------------------------------------------------------------------------------
def test_concurrent_creates_in_one_tenant_get_distinct_numbers(engine: sa.Engine) -> None:
    """Threads creating batches, reports and runs of one tenant at once (and of a second tenant alongside)."""
    ctx, other_ctx = new_tenant_ctx(engine, "race"), new_tenant_ctx(engine, "race2")
    workers, each = 6, 5
    batches: list[int] = []
    reports: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(workers + 1)

    def work(n: int) -> None:
        try:
            repo = Repository(engine, ctx)
            start.wait()
            for i in range(each):
                batch = create(repo, f"w{n}-{i}.csv")
                report = repo.save_report(question=f"w{n}-{i}", mode="quick", intent=None, plan={}, report={},
                                          confidence=None, data_version=0, elapsed_ms=1)
                with lock:
                    batches.append(batch)
                    reports.append(report)
        except BaseException as exc:  # surfaced below: a failed thread must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    start.wait()
    other = Repository(engine, other_ctx)
    others = [other.batch_number(create(other, f"o{i}.csv")) for i in range(each)]
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    repo = Repository(engine, ctx)
    assert sorted(repo.batch_number(b) for b in batches) == list(range(1, workers * each + 1))
    assert sorted(reports) == list(range(1, workers * each + 1))
    assert others == list(range(1, each + 1))


# -- property ----------------------------------------------------------------------------------------------
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.lists(st.integers(min_value=0, max_value=2), min_size=1, max_size=12))
def test_numbers_count_each_tenants_rows_in_creation_order(sqlite_engine: sa.Engine, order: list[int]) -> None:
    """Whatever the interleaving, tenant k's i-th batch is number i, and each number resolves to it."""
    repos = [Repository(sqlite_engine, new_tenant_ctx(sqlite_engine, f"p{k}")) for k in range(3)]
    made: list[list[int]] = [[], [], []]
    for k in order:
        made[k].append(create(repos[k], f"{k}-{len(made[k])}.csv"))
    for repo, ids in zip(repos, made, strict=True):
        assert [repo.batch_number(i) for i in ids] == list(range(1, len(ids) + 1))
        assert [repo.batch_by_number(n)["id"] for n in range(1, len(ids) + 1)] == ids
        with pytest.raises(NotFound):
            repo.batch_by_number(len(ids) + 1)
    with sqlite_engine.connect() as conn:  # every row got a number (none left NULL)
        assert conn.execute(sa.select(sa.func.count()).where(m.ingestion_batches.c.number.is_(None))).scalar() == 0
