"""LocalRunner (the embedded default): a thread pool in this process, same contract as RQ."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ecomintel.config import load_settings
from ecomintel.errors import NotFound
from ecomintel.jobs import JobStatus, LocalRunner, function_path, make_runner, report_progress
from tests import jobs_helpers as h


@pytest.fixture
def runner() -> Iterator[LocalRunner]:
    r = LocalRunner(max_workers=2, retry_intervals_s=(0,))
    yield r
    r.shutdown(wait=False)


def wait_for(runner: LocalRunner, job_id: str, check: Callable[[JobStatus], bool], limit_s: float = 60) -> JobStatus:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        status = runner.status(job_id)
        if check(status):
            return status
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} never reached the expected state: {runner.status(job_id)}")


def test_progress_is_visible_while_running_then_result(runner: LocalRunner, tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    job_id = runner.submit(h.sum_of_squares, n=1000, gate=str(gate))
    mid = wait_for(runner, job_id, lambda s: s.progress == 0.5)
    assert mid.state == "started" and mid.message == "step 2 of 4" and mid.result is None
    assert mid.enqueued_at is not None and mid.started_at is not None and mid.ended_at is None
    gate.touch()
    done = wait_for(runner, job_id, lambda s: s.done)
    assert done.state == "finished" and done.error is None and done.progress == 1.0
    assert done.result == {"n": 1000, "sum": sum(i * i for i in range(1, 1001))}
    assert done.ended_at >= done.started_at >= done.enqueued_at  # type: ignore[operator]
    assert done.to_dict()["state"] == "finished" and isinstance(done.to_dict()["ended_at"], str)
    assert done.steps == [(0.25, "step 1 of 4"), (0.5, "step 2 of 4"), (0.75, "step 3 of 4"), (1.0, "step 4 of 4")]


def test_progress_reported_from_threads_the_job_starts(runner: LocalRunner, tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    job_id = runner.submit(h.progress_from_threads, parts=5, gate=str(gate))
    mid = wait_for(runner, job_id, lambda s: s.message == "all parts done")
    assert mid.progress == pytest.approx(5 / 6)
    gate.touch()
    assert wait_for(runner, job_id, lambda s: s.done).result == sum(range(5))


def test_concurrent_jobs_keep_their_own_progress(runner: LocalRunner, tmp_path: Path) -> None:
    gates = [tmp_path / "g1", tmp_path / "g2"]
    ids = [runner.submit(h.sum_of_squares, n=n, gate=str(g)) for n, g in zip((10, 20), gates, strict=True)]
    for job_id in ids:
        wait_for(runner, job_id, lambda s: s.progress == 0.5)
    gates[0].touch()
    first = wait_for(runner, ids[0], lambda s: s.done)
    assert first.result["n"] == 10 and runner.status(ids[1]).state == "started"
    gates[1].touch()
    assert wait_for(runner, ids[1], lambda s: s.done).result["n"] == 20


def test_user_error_fails_once_with_its_message(runner: LocalRunner, tmp_path: Path) -> None:
    log = tmp_path / "attempts"
    status = wait_for(runner, runner.submit(h.reject_input, attempts_log=str(log)), lambda s: s.done)
    assert status.state == "failed" and status.result is None
    assert status.error == "The file has no data rows. Upload a file with a header and at least one row."
    assert len(log.read_text().splitlines()) == 1


def test_unexpected_error_is_reported_without_internals(runner: LocalRunner, tmp_path: Path) -> None:
    log = tmp_path / "attempts"
    status = wait_for(runner, runner.submit(h.crash, attempts_log=str(log)), lambda s: s.done)
    assert status.state == "failed" and status.error is not None
    assert "KeyError" in status.error and "internal detail" not in status.error
    assert len(log.read_text().splitlines()) == 1


def test_transient_failure_is_retried(runner: LocalRunner, tmp_path: Path) -> None:
    log = tmp_path / "attempts"
    status = wait_for(runner, runner.submit(h.flaky, attempts_log=str(log), failures=2), lambda s: s.done)
    assert status.state == "finished" and status.result == 3 and status.attempts == 3


def test_transient_failure_gives_up_after_retries(runner: LocalRunner, tmp_path: Path) -> None:
    log = tmp_path / "attempts"
    status = wait_for(runner, runner.submit(h.flaky, attempts_log=str(log), failures=5), lambda s: s.done)
    assert status.state == "failed" and "unreachable" in (status.error or "")
    assert len(log.read_text().splitlines()) == 3  # 1 try + 2 retries


def test_only_importable_functions_are_accepted(runner: LocalRunner) -> None:
    def local_function() -> None: ...

    with pytest.raises(ValueError, match="module-level"):
        runner.submit(local_function)
    with pytest.raises(ValueError):
        runner.submit(lambda: None)
    assert function_path(h.sum_of_squares) == "tests.jobs_helpers:sum_of_squares"


def test_unknown_job_is_not_found(runner: LocalRunner) -> None:
    with pytest.raises(NotFound):
        runner.status("no-such-job")


def test_report_progress_outside_a_job_is_harmless() -> None:
    report_progress(0.5, "nobody listens")
    assert h.sum_of_squares(8) == {"n": 8, "sum": 204}


def test_make_runner_without_redis_returns_one_local_runner_per_queue() -> None:
    settings = load_settings({})
    runner = make_runner(settings, queue_name="test-local-shared")
    assert isinstance(runner, LocalRunner)
    assert make_runner(settings, queue_name="test-local-shared") is runner
    job_id = runner.submit(h.sum_of_squares, n=4)
    status = make_runner(settings, queue_name="test-local-shared").status(job_id)
    assert status.job_id == job_id
