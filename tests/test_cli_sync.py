"""`ecomintel sync …` end to end through the CLI entry point, on a real SQLite file and a local HTTP server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecomintel.cli import run
from ecomintel.db.engine import make_engine
from ecomintel.db.tenants import ensure_tenant
from tests.sync_helpers import json_ld_page
from tests.sync_servers import Reply, ScriptedServer


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("ECOMINTEL_DATABASE_URL", url)
    monkeypatch.delenv("ECOMINTEL_REDIS_URL", raising=False)
    monkeypatch.setenv("ECOMINTEL_SYNC_HOST_RPS", "100")
    run(["init"])
    ensure_tenant(make_engine(url), "acme")
    return url


def test_add_run_and_list_runs(cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with ScriptedServer() as shop:
        shop.route("/robots.txt", Reply(404))
        shop.route("/p/1", Reply(200, json_ld_page("R-1", 12.5)))
        shop.route("/p/2", Reply(404))
        pages = tmp_path / "pages.txt"
        pages.write_text(f"# competitor pages\n{shop.url('/p/1')}\n{shop.url('/p/2')}\n", encoding="utf-8")
        assert run(["sync", "add", "rivals", "--tenant", "acme", "--connector", "price_tracker",
                    "--pages-file", str(pages), "--schedule", "every 6h"]) == 0
        assert run(["sync", "run", "rivals", "--tenant", "acme"]) == 0  # partial is not a failure
        out = capsys.readouterr().out
        assert "rivals: partial" in out and "HTTP 404" in out
    assert run(["sync", "runs", "--tenant", "acme", "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert [(r["status"], r["rows"], r["pages_failed"]) for r in runs] == [("partial", 1, 1)]
    assert run(["sync", "list", "--tenant", "acme", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["schedule"] == "every 6h" and listed[0]["last_status"] == "partial"


def test_user_errors_are_one_line(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["sync", "add", "feed", "--tenant", "acme", "--connector", "http_feed",
                "--url", "https://x.example/f.csv", "--secret", "plain-token-value"]) == 2
    assert "reference" in capsys.readouterr().err
    assert run(["sync", "add", "feed", "--tenant", "acme", "--connector", "http_feed",
                "--url", "https://x.example/f.csv", "--secret", "env:FEED_TOKEN"]) == 0
    assert run(["sync", "run", "feed", "--tenant", "acme", "--queue"]) == 2
    assert "ECOMINTEL_REDIS_URL" in capsys.readouterr().err
    assert run(["sync", "run", "nope", "--tenant", "acme"]) == 2
    assert run(["sync", "run", "feed", "--tenant", "acme"]) == 1  # the secret is not set: a failed run
    assert "FEED_TOKEN" in capsys.readouterr().out


def test_queue_now_and_later_on_redis(cli_db: str, redis_url: str, redis_namespace: str,
                                      monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import redis
    from rq import Queue

    queue_name = f"cli-{redis_namespace}"
    monkeypatch.setenv("ECOMINTEL_REDIS_URL", redis_url)
    monkeypatch.setenv("ECOMINTEL_RQ_QUEUE", queue_name)
    assert run(["sync", "add", "feed", "--tenant", "acme", "--connector", "http_feed",
                "--url", "https://x.example/f.csv"]) == 0
    assert run(["sync", "run", "feed", "--tenant", "acme", "--queue"]) == 0
    assert run(["sync", "run", "feed", "--tenant", "acme", "--in", "10m"]) == 0
    out = capsys.readouterr().out
    assert "queued as job" in out and "scheduled in 600 s" in out
    queue = Queue(queue_name, connection=redis.Redis.from_url(redis_url))
    assert queue.count == 1 and queue.scheduled_job_registry.count == 1
    job = queue.jobs[0]
    assert job.func_name == "ecomintel.sync.tasks.run_sync_job" and job.retries_left == 2
