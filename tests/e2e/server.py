"""Start the real app (`streamlit run app.py`) on a free port against a given database, for browser
tests and for scripts/screenshots.py.

Why a subprocess and not AppTest: the browser tests must exercise what a user gets — the real server,
websocket, file upload endpoint and Chromium rendering.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_app(database_url: str, *, port: int | None = None, log_path: Path | None = None,
              extra_env: Mapping[str, str] | None = None, timeout_s: float = 90) -> tuple[subprocess.Popen[bytes], str]:
    """Run `streamlit run app.py` and wait until /_stcore/health answers; returns (process, base url)."""
    port = port or free_port()
    env = {**os.environ, "ECOMINTEL_DATABASE_URL": database_url, "ECOMINTEL_REDIS_URL": "",
           **(extra_env or {})}
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115 (lives as long as the app)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode} (log: {log_path})")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.3)
    stop_app(proc)
    raise RuntimeError(f"streamlit did not become healthy within {timeout_s:.0f} s (log: {log_path})")


def stop_app(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
