"""The CLI as a user runs it: `python -m ecomintel …` in a subprocess on a temporary SQLite database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES


def run(db: Path, *args: str, demo: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ECOMINTEL_DATABASE_URL": f"sqlite:///{db}", "ECOMINTEL_DEMO_MODE": "1" if demo else "0"}
    return subprocess.run([sys.executable, "-m", "ecomintel", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "cli.db"


def test_ingest_prints_summary_and_rejected_rows(db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text((SAMPLES / "online_retail_small.csv").read_text().splitlines()[0] + "\n"
                   "1,A,x,2,2011-12-01 08:00:00,1.5,,UK\n2,B,y,2,someday,1.5,,UK\n")
    out = run(db, "ingest", "sales", str(bad), "--tenant", "acme", "--default", "currency=GBP")
    assert out.returncode == 0, out.stderr
    assert "1 stored" in out.stdout and "1 rejected" in out.stdout
    assert "rejected row 2: sold_at 'someday' is not a date" in out.stdout
    assert "Traceback" not in out.stderr


def test_ingest_json_then_same_file_again(db: Path) -> None:
    sample = str(SAMPLES / "online_retail_small.csv")
    first = run(db, "ingest", "sales", sample, "--tenant", "acme", "--json")
    data = json.loads(first.stdout)
    assert data["status"] == "done" and data["accepted"] > 11_000 and data["mapping"]["sku"] == "StockCode"
    again = json.loads(run(db, "ingest", "sales", sample, "--tenant", "acme", "--json").stdout)
    assert again["status"] == "duplicate_file" and again["accepted"] == 0
    forced = json.loads(run(db, "ingest", "sales", sample, "--tenant", "acme", "--json", "--force").stdout)
    assert forced["status"] == "done" and forced["accepted"] == 0
    listing = json.loads(run(db, "tenants", "--json").stdout)
    assert [(t["slug"], t["sales_lines"], t["data_version"]) for t in listing] == [("acme", data["accepted"], 1)]


def test_map_and_default_options(db: Path, tmp_path: Path) -> None:
    f = tmp_path / "odd.csv"
    f.write_text("Ref;Item;Count;Each;When\nA1;X;2;1,50;31.12.2011\n")
    missing = run(db, "ingest", "sales", str(f), "--tenant", "acme")
    assert missing.returncode == 2
    assert missing.stderr.startswith("error: Missing required column(s)") and len(missing.stderr.splitlines()) == 1
    ok = run(db, "ingest", "sales", str(f), "--tenant", "acme", "--json", "--map", "order_id=Ref", "--map", "sku=Item",
             "--map", "quantity=Count", "--map", "unit_price=Each", "--map", "sold_at=When",
             "--default", "marketplace=shop")
    data = json.loads(ok.stdout)
    assert data["accepted"] == 1 and data["profile"]["revenue_net"] == 3.0


@pytest.mark.parametrize("args, message", [
    (["ingest", "sales", "/nonexistent.csv", "--tenant", "acme"], "File not found"),
    (["ingest", "sales", "{bin}", "--tenant", "acme"], "binary data"),
    (["ingest", "sales", "{empty}", "--tenant", "acme"], "empty"),
    (["ingest", "sales", "{sample}", "--tenant", "Bad Name!"], "Invalid tenant name"),
    (["ingest", "sales", "{sample}", "--tenant", "acme", "--map", "nonsense"], "Bad map"),
])
def test_errors_are_one_line_exit_2(db: Path, tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "bin.csv").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "empty.csv").write_bytes(b"")
    paths = {"bin": tmp_path / "bin.csv", "empty": tmp_path / "empty.csv", "sample": SAMPLES / "abt.csv"}
    out = run(db, *[a.format(**paths) for a in args])
    assert out.returncode == 2
    assert out.stderr.startswith("error: ") and message in out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_unknown_tenant_outside_demo_mode(db: Path) -> None:
    out = run(db, "ingest", "sales", str(SAMPLES / "online_retail_small.csv"), "--tenant", "nobody", demo=False)
    assert out.returncode == 2 and "No tenant named 'nobody'" in out.stderr


def test_init_demo_loads_samples_once(db: Path) -> None:
    first = run(db, "init", "--demo")
    assert first.returncode == 0, first.stderr
    assert "Loading sample data into tenant 'demo'" in first.stdout and "Done." in first.stdout
    for name in ("online_retail_2011_q4.csv.gz", "clothing_reviews_3000.csv", "amazon_india_products.csv",
                 "abt.csv", "buy.csv"):
        assert name in first.stdout
    second = run(db, "init", "--demo")
    assert "already has data" in second.stdout
    (demo,) = json.loads(run(db, "tenants", "--json").stdout)
    assert demo["slug"] == "demo" and demo["sales_lines"] > 200_000
    assert demo["sales_to"].startswith("2011-12-09")
    off = run(db.with_name("off.db"), "init", "--demo", demo=False)
    assert off.returncode == 0 and "Demo mode is off" in off.stdout
