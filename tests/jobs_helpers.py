"""Real, importable job functions for the job-runner tests (an RQ worker process re-imports them by name).

Coordination with the test happens through files (a gate the test opens, an attempts log), which works the
same whether the job runs in a pool thread or in a worker process.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ecomintel.errors import InputError, ServiceUnavailable
from ecomintel.jobs import progress_reporter, report_progress


def _wait_for(gate: Path, limit_s: float = 120.0) -> None:
    deadline = time.monotonic() + limit_s
    while not gate.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"gate {gate} never opened")
        time.sleep(0.05)


def _attempt(log: str) -> int:
    path = Path(log)
    with path.open("a") as fh:
        fh.write("x\n")
    return len(path.read_text().splitlines())


def sum_of_squares(n: int, gate: str | None = None) -> dict:
    """Sum 1..n squared in 4 steps, reporting progress; halfway it waits for `gate` (if given) to exist."""
    total, steps = 0, 4
    for step in range(steps):
        lo, hi = step * n // steps + 1, (step + 1) * n // steps
        total += sum(i * i for i in range(lo, hi + 1))
        report_progress((step + 1) / steps, f"step {step + 1} of {steps}")
        if gate and step == 1:
            _wait_for(Path(gate))
    return {"n": n, "sum": total}


def progress_from_threads(parts: int, gate: str) -> int:
    """Reports progress from pool threads, as the ask executor's agents do, via progress_reporter()."""
    progress = progress_reporter()

    def part(i: int) -> int:
        progress((i + 1) / (parts + 1), f"part {i + 1}")
        return i

    with ThreadPoolExecutor(max_workers=3) as pool:
        done = sum(pool.map(part, range(parts)))
    progress(parts / (parts + 1), "all parts done")
    _wait_for(Path(gate))
    return done


def reject_input(attempts_log: str) -> None:
    _attempt(attempts_log)
    raise InputError("The file has no data rows.", "Upload a file with a header and at least one row.")


def crash(attempts_log: str) -> None:
    _attempt(attempts_log)
    raise KeyError("internal detail that must not reach the user")


def flaky(attempts_log: str, failures: int) -> int:
    """Fails with ServiceUnavailable on the first `failures` attempts, then returns the attempt count."""
    attempt = _attempt(attempts_log)
    if attempt <= failures:
        raise ServiceUnavailable(f"database briefly unreachable (attempt {attempt})")
    return attempt


def sleep_for(seconds: float) -> str:
    time.sleep(seconds)
    return "woke up"
