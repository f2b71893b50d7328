"""The fast sales load path: 64-bit line keys (same-line semantics), a tenant's first large load with its
unique index rebuilt after the load, and migration 0003 (lean sales table, stored lines re-keyed) — on
SQLite AND PostgreSQL."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg
import pytest
import sqlalchemy as sa
from alembic import command
from hypothesis import given, settings
from hypothesis import strategies as st

from ecomintel.config import load_settings
from ecomintel.db import models as m
from ecomintel.db.engine import alembic_config, make_engine, migrate
from ecomintel.db.repository import Repository
from ecomintel.ingest.dedup import line_keys
from ecomintel.ingest.normalize import TEXT
from ecomintel.ingest.pipeline import ingest_file
from tests.conftest import fresh_pg_database, new_tenant_ctx

SETTINGS = load_settings({})
HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"


def csv(*lines: str) -> bytes:
    return (HEADER + "".join(line + "\n" for line in lines)).encode()


def lines(**overrides: list[object]) -> pd.DataFrame:
    base: dict[str, list[object]] = {"order_id": ["536365"], "sku": ["85123A"], "quantity": [6.0],
                                     "unit_price": [2.55], "sold_at": [pd.Timestamp("2010-12-01 08:26:00")],
                                     "customer_id": ["17850"]}
    base.update(overrides)
    frame = pd.DataFrame(base)
    frame["sold_at"] = pd.to_datetime(frame["sold_at"])
    return frame


def test_line_keys_are_pinned() -> None:
    """Stored lines carry these keys: if a pandas upgrade changed its hash, re-uploads would stop deduplicating
    against stored data — this must fail first."""
    frame = pd.DataFrame({"order_id": ["536365", "C536379"], "sku": ["85123A", "D"], "quantity": [6.0, -1.0],
                          "unit_price": [2.55, 27.5],
                          "sold_at": pd.to_datetime(["2010-12-01 08:26:00", "2010-12-01 09:41:00"]),
                          "customer_id": ["17850", None]})
    assert line_keys(frame).tolist() == ["ed1ea4e3f550946c", "528624668149aed0"]
    arrow = frame.astype({c: TEXT for c in ("order_id", "sku", "customer_id")})
    assert line_keys(arrow).tolist() == ["ed1ea4e3f550946c", "528624668149aed0"]


def test_same_line_same_key_whatever_the_representation() -> None:
    key = line_keys(lines()).iloc[0]
    assert len(key) == 16 and int(key, 16) >= 0
    same = [lines(quantity=[6]), lines(unit_price=[2.550]), lines(sold_at=[pd.Timestamp("2010-12-01 08:26:00.400")])]
    assert all(line_keys(f).iloc[0] == key for f in same)  # numbers as values; sold_at to the second
    assert line_keys(lines(unit_price=[-0.0])).iloc[0] == line_keys(lines(unit_price=[0.0])).iloc[0]
    assert line_keys(lines(customer_id=[None])).iloc[0] == line_keys(lines(customer_id=[""])).iloc[0]
    different = [lines(order_id=["536366"]), lines(sku=["85123a"]), lines(quantity=[-6.0]), lines(unit_price=[2.56]),
                 lines(sold_at=[pd.Timestamp("2010-12-01 08:26:01")]), lines(customer_id=["17851"]),
                 lines(customer_id=[None]), lines(order_id=["85123A"], sku=["536365"])]
    assert all(line_keys(f).iloc[0] != key for f in different)


line_tuples = st.tuples(st.sampled_from(["1", "2", "C3", "10"]), st.sampled_from(["A", "B", "85123A"]),
                        st.sampled_from([1.0, 2.0, -1.0, 0.5]), st.sampled_from([0.0, 1.25, 2.5]),
                        st.integers(0, 3), st.sampled_from([None, "17850", "1"]))


@settings(max_examples=60, deadline=None)
@given(st.lists(line_tuples, min_size=1, max_size=40))
def test_keys_are_equal_exactly_when_the_lines_are(rows: list[tuple[object, ...]]) -> None:
    frame = pd.DataFrame(rows, columns=["order_id", "sku", "quantity", "unit_price", "sold_at", "customer_id"])
    frame["sold_at"] = pd.Timestamp("2011-01-01") + pd.to_timedelta(frame["sold_at"], unit="s")
    frame.index = frame.index * 7 + 3  # keys depend on the values only, not on the row positions
    keys = line_keys(frame)
    assert keys.index.equals(frame.index)
    ident = frame.fillna({"customer_id": ""}).astype(str).agg("|".join, axis=1)
    assert keys.nunique() == ident.nunique()
    assert (keys.groupby(ident).nunique() == 1).all()
    arrow = frame.astype({c: TEXT for c in ("order_id", "sku", "customer_id")})  # what ingest hands line_keys
    assert line_keys(arrow).tolist() == keys.tolist()


def _indexes(engine: sa.Engine) -> set[str]:
    return {ix["name"] for ix in sa.inspect(engine).get_indexes("sales")}


def test_first_large_load_rebuilds_the_unique_index_and_still_deduplicates(fresh_url: str, monkeypatch) -> None:
    from ecomintel.ingest import pipeline

    engine = make_engine(fresh_url)  # an empty database: the load is "at least as large as the table"
    migrate(engine)

    monkeypatch.setattr(pipeline, "DEFER_INDEXES_MIN_ROWS", 100)
    rebuilt: list[list[str]] = []
    real = Repository.deferred_indexes

    @contextlib.contextmanager
    def recording(self: Repository, conn: sa.Connection, table: sa.Table, **kw: bool) -> Iterator[list[str]]:
        with real(self, conn, table, **kw) as names:  # the real rebuild, recording which indexes it dropped
            rebuilt.append(names)
            yield names

    monkeypatch.setattr(Repository, "deferred_indexes", recording)
    before = _indexes(engine)
    assert "uq_sales_tenant_id_line_key" in before and "ix_sales_batch_id" not in before
    repo = Repository(engine, new_tenant_ctx(engine, "first"))
    body = [f"{i},S{i % 31},item,{1 + i % 4},2011-11-{1 + i % 28:02d} 10:00:00,1.5,{i % 40},UK" for i in range(3000)]
    repeats = body[:500]  # the same lines again in a later chunk: duplicates, not a failed load
    first = ingest_file(repo, "sales", csv(*body, *repeats), settings=SETTINGS.replace(ingest_chunk_rows=700))
    assert (first.status, first.accepted, first.duplicates) == ("done", 3000, 500)
    assert _indexes(engine) == before
    assert rebuilt and "uq_sales_tenant_id_line_key" in rebuilt[0]  # first load: unique index rebuilt too
    again = ingest_file(repo, "sales", csv(*body[2500:], "9999,NEW,item,1,2011-11-30 10:00:00,2,,UK"),
                        settings=SETTINGS.replace(ingest_chunk_rows=700))  # tenant has sales now: ON CONFLICT path
    assert (again.accepted, again.duplicates) == (1, 500)
    assert all("uq_sales_tenant_id_line_key" not in names for names in rebuilt[1:])
    assert repo.sales_totals()["lines"] == 3001
    engine.dispose()


def test_a_repeat_that_slipped_past_dedup_still_fails_on_the_unique_index(engine: sa.Engine) -> None:
    repo = Repository(engine, new_tenant_ctx(engine, "slip"))
    r = ingest_file(repo, "sales", csv("1,A,x,2,2011-12-01 08:00:00,1.5,,UK"), settings=SETTINGS)
    stored = repo.frame(repo.scoped(m.sales, *[m.sales.c[c] for c in ("line_key", "order_id", "sku", "quantity",
                                                                        "unit_price", "revenue", "sold_at")]))
    integrity = (sa.exc.IntegrityError, sqlite3.IntegrityError, psycopg.IntegrityError)  # raw driver cursors
    with pytest.raises(integrity), repo.engine.begin() as conn:  # the tenant's transaction (RLS)
        repo.bulk_write(conn, m.sales, stored.assign(batch_id=r.batch_id, is_return=False), keys=["line_key"],
                        none_stored=True)
    assert repo.sales_totals()["lines"] == 1


# -- migration 0003 ---------------------------------------------------------------------------------------
def _old_md5_key(order_id: str, sku: str, quantity: float, unit_price: float, sold_at: str, customer: str) -> str:
    """The line key before migration 0003 (md5 of the joined canonical text)."""
    def num(v: float) -> str:
        text = repr(float(v))
        return text[:-2] if text.endswith(".0") else text
    joined = "\x1f".join([order_id, sku, num(quantity), num(unit_price), sold_at.replace(" ", "T"), customer])
    return hashlib.md5(joined.encode()).hexdigest()


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'mig.db'}"
        return
    with fresh_pg_database(f"ecomintel_test_mig_{os.getpid()}") as url:
        yield url


def test_migration_0003_rekeys_stored_lines_so_reuploads_still_deduplicate(fresh_url: str) -> None:
    engine = make_engine(fresh_url)
    cfg = alembic_config(engine)
    command.upgrade(cfg, "0002")
    old = [("1", "A", 2.0, 1.5, "2011-12-01 08:00:00", "17850"), ("1", "B", 1.0, 0.0, "2011-12-01 08:00:00", ""),
           ("C2", "A", -1.0, 1.5, "2011-12-02 09:30:00", "")]
    with engine.begin() as conn:
        tenant = conn.execute(sa.text("INSERT INTO tenants (slug, name) VALUES ('old', 'Old') RETURNING id")).scalar()
        for order_id, sku, qty, price, sold, customer in old:
            conn.execute(sa.text(
                "INSERT INTO sales (tenant_id, line_key, order_id, sku, quantity, unit_price, revenue, customer_id, "
                "sold_at, is_return) VALUES (:t, :k, :o, :s, :q, :p, :r, :c, :d, :ret)"),
                {"t": tenant, "k": _old_md5_key(order_id, sku, qty, price, sold, customer), "o": order_id, "s": sku,
                 "q": qty, "p": price, "r": qty * price, "c": customer or None, "d": pd.Timestamp(sold).to_pydatetime(),
                 "ret": qty < 0})
    command.upgrade(cfg, "head")
    inspector = sa.inspect(engine)
    assert inspector.get_foreign_keys("sales") == []
    assert "ix_sales_batch_id" not in _indexes(engine) and "ix_sales_tenant_id" in _indexes(engine)  # 0004
    unique = [ix for ix in inspector.get_indexes("sales") if ix["name"] == "uq_sales_tenant_id_line_key"]
    assert unique and unique[0]["unique"] and unique[0]["column_names"] == ["tenant_id", "line_key"]
    with engine.connect() as conn:
        keys = [r[0] for r in conn.execute(sa.text("SELECT line_key FROM sales ORDER BY id"))]
    expected = line_keys(pd.DataFrame(old, columns=["order_id", "sku", "quantity", "unit_price", "sold_at",
                                                    "customer_id"]).assign(sold_at=lambda f: pd.to_datetime(f["sold_at"]),
                                                                           customer_id=lambda f: f["customer_id"].replace("", None)))
    assert keys == expected.tolist()
    from ecomintel.context import RequestContext

    repo = Repository(engine, RequestContext(tenant_id=int(tenant), role="admin"))
    again = ingest_file(repo, "sales", csv("1,A,x,2,2011-12-01 08:00:00,1.50,17850,UK",
                                           "1,B,y,1,2011-12-01 08:00:00,0,,UK", "C2,A,x,-1,2011-12-02 09:30:00,1.5,,UK",
                                           "3,A,x,1,2011-12-03 10:00:00,1.5,,UK"), settings=SETTINGS)
    assert (again.accepted, again.duplicates) == (1, 3)
    engine.dispose()


def test_sqlite_scans_a_tenant_in_row_order(sqlite_engine: sa.Engine) -> None:
    """A whole-tenant scan no covering index serves (the sales currency) must walk ix_sales_tenant_id
    (rowid order), not the unique index (hash order = random reads: 10x slower on 536k lines; migration 0004)."""
    with sqlite_engine.connect() as conn:
        plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT currency FROM sales WHERE tenant_id = 1 AND currency IS NOT NULL LIMIT 1"))
    assert "ix_sales_tenant_id" in plan, plan


def test_rows_encoded_ahead_are_written_as_they_are_and_must_match_the_frame(engine: sa.Engine) -> None:
    repo = Repository(engine, new_tenant_ctx(engine, "enc"))
    frame = pd.DataFrame({"line_key": ["k1", "k2"], "order_id": ["1", "2"], "sku": ["A", "B"], "quantity": [1.0, 2.0],
                          "unit_price": [1.5, 0.0], "revenue": [1.5, 0.0], "customer_id": [None, "17850"],
                          "sold_at": pd.to_datetime(["2011-12-01 08:00:00", "2011-12-02 09:30:15"]),
                          "is_return": [False, False]})
    encoded = repo.encode_rows(m.sales, frame)
    with repo.engine.begin() as conn:  # the tenant's transaction (RLS)
        with pytest.raises(ValueError):
            repo.bulk_write(conn, m.sales, frame.head(1), keys=["line_key"], none_stored=True, encoded=encoded)
        assert repo.bulk_write(conn, m.sales, frame, keys=["line_key"], none_stored=True, encoded=encoded) == (2, 0)
    stored = repo.frame(repo.scoped(m.sales).order_by(m.sales.c.line_key))
    assert stored["tenant_id"].tolist() == [repo.tenant_id] * 2  # stamped with this repository's tenant
    assert stored["customer_id"].tolist()[1] == "17850" and pd.isna(stored["customer_id"].tolist()[0])
    assert stored["sold_at"].tolist() == list(frame["sold_at"]) and stored["unit_price"].tolist() == [1.5, 0.0]


number_texts = st.one_of(st.floats(allow_nan=False, allow_infinity=False, width=64).map(repr),
                         st.integers(-10**12, 10**12).map(str),
                         st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: f"{v:.2f}"),
                         st.sampled_from(["+5", ".5", "5.", "1e5", "1E-2", "007", "-0", "0x10", "1_000", "abc", "nan"]))


@settings(max_examples=150, deadline=None)
@given(st.lists(number_texts, min_size=1, max_size=20))
def test_fast_number_parsing_agrees_with_pandas(texts: list[str]) -> None:
    """parse_number's Arrow fast path reads what pd.to_numeric reads as plain numbers, to the last bit of the
    correctly rounded value (Python's float(); signed zero aside) — pandas 2's own parser can be a unit or two in
    the last place off, so it only decides which texts are plain."""
    from ecomintel.ingest.normalize import parse_number

    got = parse_number(pd.Series(texts, dtype="str")).to_numpy()
    messy = [t for t in texts if pd.isna(pd.to_numeric(t, errors="coerce"))]
    if not messy:  # all plain: the fast path must be exact
        assert (got == np.array([float(t) for t in texts])).all()


def test_constant_columns_are_stated_once_and_stored_like_bound_ones(sqlite_engine: sa.Engine) -> None:
    """SQLite states columns that are constant in a chunk as literals: quotes, NULLs and ints survive."""
    from ecomintel.db.bulk_load import _sqlite_literals

    frame = pd.DataFrame({"sku": ["O'Neil"] * 3, "name": [None] * 3, "inventory_level": [7, 7, 7],
                          "price": [1.5, 1.5, 1.5], "brand": ["a", "b", "a"]})
    literals = _sqlite_literals(m.products, frame, list(frame.columns))
    assert literals == {"sku": "'O''Neil'", "name": "NULL", "inventory_level": "7"}  # floats and varying stay bound
    repo = Repository(sqlite_engine, new_tenant_ctx(sqlite_engine, "lit"))
    r = ingest_file(repo, "products", b"sku,name,brand,price,inventory_level\nO'Neil,,Acme,1.5,7\nX,,Acme,2,7\n",
                    settings=SETTINGS, defaults={"marketplace": "m'x"})
    assert r.accepted == 2
    stored = repo.frame(repo.scoped(m.products).order_by(m.products.c.sku))
    assert stored["sku"].tolist() == ["O'Neil", "X"] and stored["marketplace"].tolist() == ["m'x", "m'x"]
    assert stored["name"].isna().all() and stored["inventory_level"].tolist() == [7, 7]
    assert stored["tenant_id"].tolist() == [repo.tenant_id] * 2
    with sqlite_engine.begin() as conn:  # a row whose every column is a literal is still written (once)
        written = repo.bulk_write(conn, m.products, pd.DataFrame({"sku": ["Y"], "marketplace": ["m'x"]}),
                                  keys=["marketplace", "sku"], update=[])
    assert written == (1, 0) and len(repo.frame(repo.scoped(m.products))) == 3
