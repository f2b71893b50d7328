"""`ecomintel ask` on a real SQLite database: JSON report and readable text, errors as one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecomintel.cli import main
from tests.sales_helpers import SMALL


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ECOMINTEL_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("ECOMINTEL_LLM_PROVIDER", "none")
    monkeypatch.delenv("ECOMINTEL_REDIS_URL", raising=False)
    assert main(["ingest", "sales", str(SMALL), "--tenant", "shop", "--quiet"]) == 0
    return "shop"


def test_ask_json(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["ask", "top 3 products by units in October 2011", "--tenant", cli_db, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["intent"] == "top_items" and report["plan"]["metric"] == "units"
    assert report["tables"][0]["columns"][:3] == ["sku", "product", "units"]
    assert len(report["tables"][0]["rows"]) == 3
    assert report["report_id"] and report["agents"][0]["status"] == "ok"


def test_ask_text_and_errors(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["ask", "revenue by country in November 2011", "--tenant", cli_db]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Q: revenue by country in November 2011")
    assert "United Kingdom" in out and "Periods: Nov 2011 = 2011-11-01.." in out
    assert main(["ask", "revenue", "--tenant", "nobody-here"]) == 2
    assert capsys.readouterr().err.startswith("error: No tenant named 'nobody-here'")
