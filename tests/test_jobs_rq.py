"""RQRunner end to end on a real Redis with REAL worker processes (`rq worker` and `python -m workers.worker`)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ecomintel.cache import redis_client
from ecomintel.config import load_settings
from ecomintel.errors import NotFound, ServiceUnavailable
from ecomintel.jobs import JobStatus, RQRunner, make_runner
from tests import jobs_helpers as h
from tests.worker_procs import start_worker, stop_worker, worker_output


@pytest.fixture
def runner(redis_url: str, redis_namespace: str) -> RQRunner:
    return RQRunner(redis_client(redis_url), redis_namespace, job_timeout_s=60, retry_intervals_s=(0,),
                    url=redis_url)


@pytest.fixture
def procs() -> Iterator[list[subprocess.Popen]]:
    started: list[subprocess.Popen] = []
    yield started
    for proc in started:
        stop_worker(proc)


def wait_for(runner: RQRunner, job_id: str, check: Callable[[JobStatus], bool], worker: subprocess.Popen,
             limit_s: float = 90) -> JobStatus:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        status = runner.status(job_id)
        if check(status):
            return status
        if worker.poll() is not None and not status.done:
            out = worker_output(worker)
            raise AssertionError(f"worker exited ({worker.returncode}) before the job got there: {status}\n{out}")
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} never reached the expected state: {runner.status(job_id)}")


@pytest.mark.parametrize("rq_cli", [False, True], ids=["workers.worker", "rq-cli"])
def test_progress_is_observed_in_job_meta_then_result(runner: RQRunner, redis_url: str, redis_namespace: str,
                                                      procs: list, tmp_path: Path, rq_cli: bool) -> None:
    gate = tmp_path / "gate"
    job_id = runner.submit(h.sum_of_squares, n=1000, gate=str(gate))
    queued = runner.status(job_id)
    assert queued.state == "queued" and queued.progress == 0.0 and queued.enqueued_at is not None
    worker = start_worker(redis_url, redis_namespace, rq_cli=rq_cli)
    procs.append(worker)
    mid = wait_for(runner, job_id, lambda s: s.progress == 0.5, worker)
    assert mid.state == "started" and mid.message == "step 2 of 4" and mid.started_at is not None
    gate.touch()
    done = wait_for(runner, job_id, lambda s: s.done, worker)
    assert done.state == "finished", done
    assert done.result == {"n": 1000, "sum": sum(i * i for i in range(1, 1001))}
    assert done.progress == 1.0 and done.error is None and done.attempts == 1
    assert done.steps == [(0.25, "step 1 of 4"), (0.5, "step 2 of 4"), (0.75, "step 3 of 4"), (1.0, "step 4 of 4")]
    assert worker.wait(timeout=60) == 0


def test_progress_from_threads_inside_a_worker(runner: RQRunner, redis_url: str, redis_namespace: str,
                                               procs: list, tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    job_id = runner.submit(h.progress_from_threads, parts=4, gate=str(gate))
    worker = start_worker(redis_url, redis_namespace)
    procs.append(worker)
    mid = wait_for(runner, job_id, lambda s: s.message == "all parts done", worker)
    assert mid.progress == pytest.approx(4 / 5)
    gate.touch()
    assert wait_for(runner, job_id, lambda s: s.done, worker).result == sum(range(4))


def test_failures_user_errors_and_retries(runner: RQRunner, redis_url: str, redis_namespace: str,
                                          procs: list, tmp_path: Path) -> None:
    logs = {name: tmp_path / name for name in ("input", "crash", "flaky", "hopeless")}
    ids = {
        "input": runner.submit(h.reject_input, attempts_log=str(logs["input"])),
        "crash": runner.submit(h.crash, attempts_log=str(logs["crash"])),
        "flaky": runner.submit(h.flaky, attempts_log=str(logs["flaky"]), failures=2),
        "hopeless": runner.submit(h.flaky, attempts_log=str(logs["hopeless"]), failures=10),
    }
    worker = start_worker(redis_url, redis_namespace)
    procs.append(worker)
    assert worker.wait(timeout=120) == 0, worker_output(worker)
    status = {name: runner.status(job_id) for name, job_id in ids.items()}
    attempts = {name: len(log.read_text().splitlines()) for name, log in logs.items()}

    assert status["input"].state == "failed"
    assert status["input"].error == "The file has no data rows. Upload a file with a header and at least one row."
    assert attempts["input"] == 1  # a user error is not retried

    assert status["crash"].state == "failed" and "KeyError" in (status["crash"].error or "")
    assert "internal detail" not in (status["crash"].error or "") and attempts["crash"] == 1

    assert status["flaky"].state == "finished" and status["flaky"].result == 3 and attempts["flaky"] == 3
    assert status["flaky"].attempts == 3

    assert status["hopeless"].state == "failed" and attempts["hopeless"] == 3  # Retry(max=2)
    assert "unreachable" in (status["hopeless"].error or "")


def test_job_timeout_fails_without_retry(redis_url: str, redis_namespace: str, procs: list) -> None:
    runner = RQRunner(redis_client(redis_url), redis_namespace, job_timeout_s=1, retry_intervals_s=(0,))
    job_id = runner.submit(h.sleep_for, seconds=60)
    worker = start_worker(redis_url, redis_namespace)
    procs.append(worker)
    assert worker.wait(timeout=60) == 0
    status = runner.status(job_id)
    assert status.state == "failed" and status.attempts == 1
    assert "time limit" in (status.error or "")


def test_delayed_retry_runs_through_the_workers_scheduler(redis_url: str, redis_namespace: str, procs: list,
                                                          tmp_path: Path) -> None:
    """Default-style retry with an interval: only RQ's scheduler (on in our worker) brings the job back."""
    runner = RQRunner(redis_client(redis_url), redis_namespace, job_timeout_s=60, retry_intervals_s=(1,))
    log = tmp_path / "attempts"
    job_id = runner.submit(h.flaky, attempts_log=str(log), failures=1)
    worker = start_worker(redis_url, redis_namespace, burst=False)
    procs.append(worker)
    done = wait_for(runner, job_id, lambda s: s.done, worker)
    assert done.state == "finished" and done.result == 2


def test_unknown_job_is_not_found(runner: RQRunner) -> None:
    with pytest.raises(NotFound):
        runner.status("no-such-job-id")


def test_make_runner_uses_rq_when_redis_is_configured(redis_url: str, redis_namespace: str) -> None:
    runner = make_runner(load_settings({"ECOMINTEL_REDIS_URL": redis_url, "ECOMINTEL_RQ_QUEUE": redis_namespace}))
    assert isinstance(runner, RQRunner) and runner.queue.name == redis_namespace
    assert make_runner(load_settings({"ECOMINTEL_REDIS_URL": redis_url}), queue_name="other").queue.name == "other"  # type: ignore[attr-defined]


def test_unreachable_redis_is_a_clear_error() -> None:
    runner = make_runner(load_settings({"ECOMINTEL_REDIS_URL": "redis://:pw@127.0.0.1:1/0"}))
    with pytest.raises(ServiceUnavailable) as err:
        runner.submit(h.sum_of_squares, n=3)
    assert "unreachable" in err.value.message and "pw" not in err.value.user_message()
    with pytest.raises(ServiceUnavailable):
        runner.status("whatever")


def test_progress_of_a_function_rq_runs_directly(redis_url: str, redis_namespace: str, procs: list) -> None:
    """A job enqueued straight on RQ (no ecomintel trampoline, e.g. by `rq cron`) still reports progress."""
    from rq import Queue

    job = Queue(redis_namespace, connection=redis_client(redis_url)).enqueue(h.sum_of_squares, 8)
    worker = start_worker(redis_url, redis_namespace)
    procs.append(worker)
    assert worker.wait(timeout=60) == 0, worker_output(worker)
    job.refresh()
    assert job.return_value() == {"n": 8, "sum": 204}
    assert job.meta["progress"] == 1.0 and job.meta["steps"][-1] == [1.0, "step 4 of 4"]
