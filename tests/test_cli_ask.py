"""`ecomintel ask` as a user runs it, each call its own process: a repeated question is answered from the
database cache, a question the data cannot answer prints its sentence and suggestions (exit 0), and the CLI
imports only what the command needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.sales_helpers import SMALL

QUESTION = "top 3 products by units in October 2011"
UNANSWERABLE = "what is our profit margin by product"


def env_for(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ECOMINTEL_REDIS_URL", "OPENAI_API_KEY",
                                                             "GEMINI_API_KEY", "ECOMINTEL_LLM_BASE_URL")}
    return {**env, "ECOMINTEL_DATABASE_URL": f"sqlite:///{db}", "ECOMINTEL_LLM_PROVIDER": "none",
            "ECOMINTEL_DEMO_MODE": "1"}


def cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ecomintel", *args], cwd=ROOT, env=env_for(db), capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("cli-ask") / "shop.db"
    loaded = cli(db, "ingest", "sales", str(SMALL), "--tenant", "shop", "--quiet")
    assert loaded.returncode == 0, loaded.stderr
    return db


def test_a_repeated_question_is_answered_from_the_database_by_the_next_process(shop: Path) -> None:
    cli(shop, "cache", "clear", "--tenant", "shop")
    first = json.loads(cli(shop, "ask", QUESTION, "--tenant", "shop", "--json").stdout)
    second = json.loads(cli(shop, "ask", QUESTION, "--tenant", "shop", "--json").stdout)
    assert first["cached"] is False and second["cached"] is True
    assert second["tables"] == first["tables"] and second["report_id"] != first["report_id"]  # both in history
    cleared = cli(shop, "cache", "clear", "--tenant", "shop")
    # the answer, the vocabulary and the data-quality summary the quality gate keeps per data_version
    assert cleared.returncode == 0 and "Removed 3 cached entries" in cleared.stdout
    assert json.loads(cli(shop, "ask", QUESTION, "--tenant", "shop", "--json").stdout)["cached"] is False


def test_cannot_answer_json_exits_0_with_the_report(shop: Path) -> None:
    done = cli(shop, "ask", UNANSWERABLE, "--tenant", "shop", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["status"] == "cannot_answer" and report["metrics"] == {} and report["tables"] == []
    assert report["summary"] and 2 <= len(report["suggestions"]) <= 3


def test_cannot_answer_text_prints_the_sentence_and_the_suggestions(shop: Path) -> None:
    done = cli(shop, "ask", UNANSWERABLE, "--tenant", "shop")
    assert done.returncode == 0, done.stderr
    report = json.loads(cli(shop, "ask", UNANSWERABLE, "--tenant", "shop", "--json").stdout)
    lines = done.stdout.splitlines()
    assert lines[0] == f"Q: {UNANSWERABLE}" and report["summary"] in lines
    assert "Questions I can answer instead:" in lines
    assert all(f"  - {s}" in lines for s in report["suggestions"])
    assert "Metrics:" not in done.stdout and "Confidence" not in done.stdout


HEAVY = ("alembic", "redis", "rq", "streamlit", "openai", "google.genai", "workers")


def imported_by(db: Path, *argv: str) -> set[str]:
    """Top-level packages a CLI call imported (run in its own interpreter, exit code 0 expected)."""
    script = ("import sys\nfrom ecomintel.cli import main\ntry:\n    code = main(sys.argv[1:])\nexcept SystemExit as e:\n"
              "    code = e.code\nprint('MODULES', ' '.join(sorted(sys.modules)), file=sys.stderr)\nsys.exit(code)\n")
    done = subprocess.run([sys.executable, "-c", script, *argv], cwd=ROOT, env=env_for(db), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES "))
    return set(line.split()[1:])


def test_help_imports_nothing_heavy(tmp_path: Path) -> None:
    modules = imported_by(tmp_path / "none.db", "--help")
    assert not {"sqlalchemy", "pandas", "pydantic", "numpy", *HEAVY} & modules


def test_ask_imports_no_queue_migration_llm_or_ui_library(shop: Path) -> None:
    for _ in range(2):  # uncached, then from the cache
        modules = imported_by(shop, "ask", QUESTION, "--tenant", "shop", "--json")
        assert not {m for m in modules if m.split(".")[0] in HEAVY or m.startswith("google.genai")}


def test_a_cached_answer_imports_neither_pandas_nor_the_agents(shop: Path) -> None:
    """What keeps a repeated `ecomintel ask` fast (bench/README.md, "CLI start"): the cache-hit path is the
    planner, the repository and the cache. If this fails, a module on that path imports pandas (or the agents)
    at its top — db/ mixins and ask/service.py import them inside the functions that build frames or run agents."""
    cli(shop, "ask", QUESTION, "--tenant", "shop", "--json")  # cached now
    modules = imported_by(shop, "ask", QUESTION, "--tenant", "shop", "--json")
    assert "ecomintel.ask.planner" in modules and "ecomintel.db.repository" in modules
    assert not {m for m in modules if m.split(".")[0] in ("pandas", "numpy", "plotly")}
    assert not {m for m in modules if m.startswith("ecomintel.agents")}
