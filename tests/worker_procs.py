"""Start and stop REAL RQ worker processes for tests (shared by the job tests)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


def worker_env(redis_url: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "ECOMINTEL_REDIS_URL": redis_url, "ECOMINTEL_LOG_LEVEL": "INFO"}


def start_worker(redis_url: str, queue: str, *, rq_cli: bool = False, burst: bool = True) -> subprocess.Popen:
    """A real worker process in the repo root, so it imports tests.jobs_helpers like any job module."""
    if rq_cli:
        cmd = [str(VENV_BIN / "rq"), "worker", "--url", redis_url, "--with-scheduler", queue]
    else:
        cmd = [sys.executable, "-m", "workers.worker", "--queue", queue, "--name", f"{queue}-w"]
    if burst:
        cmd.append("--burst")
    # output to a file, not a pipe: a chatty worker must never block on a full pipe
    log = tempfile.NamedTemporaryFile("w", prefix=f"{queue}-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=ROOT, env=worker_env(redis_url), stdout=log, stderr=subprocess.STDOUT)
    log.close()  # the child holds its own descriptor
    proc.log_path = log.name  # type: ignore[attr-defined]
    return proc


def worker_output(proc: subprocess.Popen) -> str:
    return Path(proc.log_path).read_text()  # type: ignore[attr-defined]


def stop_worker(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    Path(proc.log_path).unlink(missing_ok=True)  # type: ignore[attr-defined]
