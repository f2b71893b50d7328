"""`python -m workers.worker` and `ecomintel worker`: clear errors when Redis is missing; the run itself is covered
in test_jobs_rq. The worker lives in the core (ecomintel.worker_runtime); workers/ is only an entry point."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ecomintel.config import load_settings
from ecomintel.errors import ServiceUnavailable
from ecomintel.worker_runtime import connect

ROOT = Path(__file__).resolve().parents[1]


ENTRY_POINTS = {"module": [sys.executable, "-m", "workers.worker"],
                "cli": [sys.executable, "-m", "ecomintel", "worker"]}


def run_worker_cli(*args: str, redis_url: str = "", entry: str = "module") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ECOMINTEL_REDIS_URL"}
    if redis_url:
        env["ECOMINTEL_REDIS_URL"] = redis_url
    return subprocess.run([*ENTRY_POINTS[entry], *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_worker_without_redis_configured_says_so(entry: str) -> None:
    done = run_worker_cli("--burst", entry=entry)
    assert done.returncode == 2
    assert "ECOMINTEL_REDIS_URL is not set" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_worker_with_unreachable_redis_says_so_without_the_password(entry: str) -> None:
    done = run_worker_cli("--burst", redis_url="redis://:hunter2@127.0.0.1:1/0", entry=entry)
    assert done.returncode == 2
    assert "unreachable" in done.stderr and "hunter2" not in done.stderr and "Traceback" not in done.stderr


def test_connect_returns_a_live_connection(redis_url: str) -> None:
    assert connect(load_settings({"ECOMINTEL_REDIS_URL": redis_url})).ping()
    with pytest.raises(ServiceUnavailable):
        connect(load_settings({}))


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_burst_worker_on_an_empty_queue_exits_cleanly(redis_url: str, redis_namespace: str, entry: str) -> None:
    done = run_worker_cli("--burst", "--queue", redis_namespace, "--name", f"{redis_namespace}-w",
                          redis_url=redis_url, entry=entry)
    assert done.returncode == 0, done.stderr
    assert f"Listening on {redis_namespace}" in done.stdout + done.stderr


def test_both_entry_points_offer_the_same_options() -> None:
    helps = {entry: subprocess.run([*cmd, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60).stdout
             for entry, cmd in ENTRY_POINTS.items()}
    for option in ("--queue", "--burst", "--no-scheduler", "--name"):
        assert all(option in text for text in helps.values()), option
