"""A tenant's first large sales load prepared by a forked process (ingest/chunk_work.py) stores exactly what
the threaded path stores: the same lines, counts, rejected rows, warnings and profile — and a failure in the
child reaches the caller. Run in fresh single-threaded interpreters, where forking is used (never in the
multi-threaded test worker itself)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

SCRIPT = r"""
import json, sys
from ecomintel.config import load_settings
from ecomintel.context import RequestContext
from ecomintel.db.engine import make_engine, migrate
from ecomintel.db.repository import Repository
from ecomintel.db.tenants import ensure_tenant
from ecomintel.ingest import chunk_work, pipeline

path, url, mode = sys.argv[1], sys.argv[2], sys.argv[3]
used = []
real = pipeline.forked_chunks
pipeline.forked_chunks = lambda *a, **k: (used.append("fork"), real(*a, **k))[1]
if mode == "thread":
    chunk_work.FORK_MIN_ROWS = 10**12
if mode == "fail":  # the third chunk's preparation fails (in the child)
    prepare, calls = pipeline.PREPARERS["sales"], []

    def failing(*a, **k):
        calls.append(1)
        if len(calls) == 3:
            raise ValueError("the validator broke on chunk 3")
        return prepare(*a, **k)

    pipeline.PREPARERS["sales"] = failing
engine = make_engine(url)
migrate(engine)
repo = Repository(engine, RequestContext(tenant_id=ensure_tenant(engine, "t").id, role="admin"))
settings = load_settings({"ECOMINTEL_DATABASE_URL": url, "ECOMINTEL_INGEST_CHUNK_ROWS": "20000"})
r = pipeline.ingest_file(repo, "sales", path, settings=settings, defaults={"currency": "GBP"})
with engine.connect() as conn:
    lines = [list(map(str, row)) for row in conn.exec_driver_sql(
        "SELECT line_key, order_id, sku, quantity, unit_price, customer_id, country, sold_at, is_return "
        "FROM sales ORDER BY line_key")]
    rejected = conn.exec_driver_sql("SELECT count(*) FROM rejected_rows").scalar()
print(json.dumps({"used": used, "status": r.status, "message": r.message, "accepted": r.accepted, "rejected": r.rejected,
                  "duplicates": r.duplicates, "returns": r.returns, "warnings": r.warnings,
                  "warning_rows": r.warning_rows, "profile": {k: v for k, v in r.profile.items()},
                  "lines": lines, "rejected_rows": rejected}))
"""


def _big_file(path: Path) -> None:
    rows = ["InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country,Total"]
    for i in range(120_000):
        order = f"C{500000 + i // 7}" if i % 97 == 0 else str(500000 + i // 7)
        quantity = "" if i % 5003 == 0 else str(-1 if i % 97 == 0 else 1 + i % 5)  # some rejected
        total = '"12,5O"' if i % 4001 == 0 else ""  # some warned (an unreadable line total)
        customer = "" if i % 11 == 0 else str(12000 + i % 900)
        rows.append(f"{order},S{i % 1500},Item {i % 1500},{quantity},2011-0{1 + i % 9}-1{i % 10} 10:00,"
                    f"{1 + i % 13}.5,{customer},UK,{total}")
        if i % 30_011 == 0:
            rows.append(rows[-1])  # a repeated line, sometimes across a chunk boundary
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def _run(path: Path, tmp: Path, mode: str) -> dict:
    url = f"sqlite:///{tmp / f'{mode}.db'}"
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(path), url, mode], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_a_forked_first_load_stores_what_the_threaded_one_stores(tmp_path: Path) -> None:
    data = tmp_path / "big.csv"
    _big_file(data)
    forked, threaded = _run(data, tmp_path, "fork"), _run(data, tmp_path, "thread")
    assert forked["used"] == ["fork"] and threaded["used"] == []
    assert forked["status"] == "done" and forked["accepted"] > 100_000 and forked["rejected"] > 0
    assert forked["warnings"] > 0 and forked["duplicates"] > 0 and forked["returns"] > 0
    forked.pop("used"), threaded.pop("used")
    assert forked == threaded


def test_a_failure_in_the_forked_preparation_reaches_the_caller(tmp_path: Path) -> None:
    data = tmp_path / "big.csv"
    _big_file(data)
    result = _run(data, tmp_path, "fail")
    assert result["used"] == ["fork"] and result["status"] == "failed", result["message"]
    assert "the validator broke on chunk 3" in result["message"] and result["lines"] == []  # nothing stored
