"""Background jobs behind one small interface: RQ on Redis when configured, a thread pool otherwise.

    runner = make_runner(settings)
    job_id = runner.submit(run_ask_job, tenant_id=1, user_id=None, question="...", mode="deep")
    runner.status(job_id)  # JobStatus(state, progress, message, result, error, ...)

Inside a job, `report_progress(fraction, message)` records progress where the page can poll it: the RQ
job's `meta` (saved to Redis) or the local job record. Both backends run the job through the same
trampoline, `execute(target, kwargs)`, so a function behaves the same on either:

* **Importable functions only.** `submit` takes a module-level function and stores its dotted path, because
  an RQ worker in another process re-imports it by name; the local runner checks the same rule so code
  that works locally also works on RQ.
* **Retries for transient failures only.** A job is retried (Retry(max=2) on RQ, the same count locally)
  when it fails because a service was briefly unreachable (ServiceUnavailable, Redis/DB connection
  errors, timeouts talking to them). A user error (InputError, NotFound, BudgetExceeded, …), a bug or
  a job timeout fails at once: retrying cannot fix those.
* **User-safe errors.** `JobStatus.error` is a message fit for the page (EcomintelError.user_message(),
  or a generic sentence naming the error type); tracebacks go to the log and RQ's failed registry.

Why progress is found through a contextvar: RQ's `get_current_job()` is itself a contextvar, and the local
runner sets ours in the pool thread that runs the job, so `report_progress` needs no job argument and
concurrent local jobs never see each other's record. A contextvar does not follow work into threads the
job starts itself (the ask executor runs agents in a pool), so such code should call `progress_reporter()`
once in the job's own thread and pass the returned callable along; it is bound to the job and thread-safe.
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib
import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

import sqlalchemy.exc

from ecomintel.config import Settings
from ecomintel.errors import EcomintelError, NotFound, ServiceUnavailable
from ecomintel.observability import JOB_SECONDS, JOBS
from ecomintel.redact import redact_url

if TYPE_CHECKING:
    import redis
    from rq.job import Job

log = logging.getLogger(__name__)

State = Literal["queued", "started", "finished", "failed"]
Progress = Callable[[float, str], None]

RESULT_TTL_S = 24 * 3600     # finished results stay readable for a day
FAILURE_TTL_S = 7 * 24 * 3600  # failures for a week (RQ's failed registry, for operators)
DEFAULT_RETRIES = 2
DEFAULT_RETRY_INTERVALS_S: tuple[int, ...] = (2, 10)
MAX_STEPS = 50  # progress messages kept per job (what the page shows as "what happened so far")


@dataclass
class JobStatus:
    """What a page needs to draw a running or finished job."""

    job_id: str
    state: State
    progress: float = 0.0
    message: str = ""
    result: Any = None
    error: str | None = None
    enqueued_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    attempts: int = 0
    steps: list[tuple[float, str]] = field(default_factory=list)  # recent (progress, message), oldest first

    @property
    def done(self) -> bool:
        return self.state in ("finished", "failed")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("enqueued_at", "started_at", "ended_at"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


class JobRunner(Protocol):
    backend: str

    def submit(self, func: Callable[..., Any], /, **kwargs: Any) -> str: ...

    def status(self, job_id: str) -> JobStatus: ...


# -- shared by both backends -------------------------------------------------------------------------

def function_path(func: Callable[..., Any]) -> str:
    """`module:qualname` of an importable module-level function; ValueError for anything else."""
    module = getattr(func, "__module__", None)
    name = getattr(func, "__qualname__", "")
    if not module or module == "__main__" or "<" in name or "." in name:
        raise ValueError(f"{func!r} is not a module-level function of an importable module; "
                         "background jobs must be importable by name (a worker re-imports them)")
    if resolve(f"{module}:{name}") is not func:
        raise ValueError(f"{module}:{name} does not resolve back to {func!r}")
    return f"{module}:{name}"


def resolve(path: str) -> Callable[..., Any]:
    module, _, name = path.partition(":")
    func = getattr(importlib.import_module(module), name)
    if not callable(func):
        raise ValueError(f"{path} is not callable")
    return func


def is_transient(exc: BaseException) -> bool:
    """True for failures a retry can fix: a service that was briefly unreachable."""
    import redis
    from rq.timeouts import BaseTimeoutException

    transient = (ServiceUnavailable, redis.ConnectionError, redis.TimeoutError, sqlalchemy.exc.OperationalError,
                 ConnectionError)
    return isinstance(exc, transient) and not isinstance(exc, BaseTimeoutException)


def user_error(exc: BaseException) -> str:
    """A message about `exc` that is safe to show a user (no traceback, no internals)."""
    from rq.timeouts import BaseTimeoutException

    if isinstance(exc, EcomintelError):
        return exc.user_message()
    if isinstance(exc, BaseTimeoutException):
        return "The job ran longer than its time limit and was stopped. Try a narrower question or quick mode."
    if is_transient(exc):
        return (f"A service the job needs was unreachable ({exc.__class__.__name__}) and retries did not help. "
                "Try again in a minute; if it persists, ask an admin to check the database and Redis.")
    return (f"The job failed unexpectedly ({exc.__class__.__name__}). The details were logged; "
            "try again or ask an admin.")


_reporter: contextvars.ContextVar[Progress | None] = contextvars.ContextVar("ecomintel_job_progress",
                                                                           default=None)


def _noop(fraction: float, message: str = "") -> None:
    return None


def progress_reporter() -> Progress:
    """The current job's progress callable (a no-op outside a job); safe to hand to other threads.

    Also works for a function RQ runs without our trampoline (enqueued directly, e.g. by `rq cron`)."""
    reporter = _reporter.get()
    if reporter is None:
        from rq.job import get_current_job

        job = get_current_job()
        reporter = _RQProgress(job) if job is not None else _noop
    return reporter


def report_progress(fraction: float, message: str = "") -> None:
    """Record the running job's progress (0..1) and what it is doing; a no-op outside a job."""
    progress_reporter()(fraction, message)


def _clamp(fraction: float) -> float:
    return min(1.0, max(0.0, float(fraction)))


class _RQProgress:
    """Writes progress into the RQ job's meta. Never goes backwards within one attempt (agents running in
    parallel finish in any order); `save_meta` failures are logged, not raised (progress is best effort)."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.lock = threading.Lock()

    def __call__(self, fraction: float, message: str = "") -> None:
        import redis

        with self.lock:
            self.job.meta["progress"] = max(_clamp(fraction), float(self.job.meta.get("progress", 0.0)))
            self.job.meta["message"] = str(message)[:300]
            steps = [*self.job.meta.get("steps", []), [round(_clamp(fraction), 4), str(message)[:300]]]
            self.job.meta["steps"] = steps[-MAX_STEPS:]
            try:
                self.job.save_meta()
            except redis.RedisError:
                log.warning("could not save job progress", extra={"job_id": self.job.id})


def execute(target: str, kwargs: dict[str, Any]) -> Any:
    """Run `target(**kwargs)` as a job. On RQ this is the function the worker calls; the local runner
    calls `_run_local` which does the same with its own progress record."""
    import redis
    from rq.job import get_current_job

    job = get_current_job()
    if job is None:  # called directly (a test, a script): just run it
        return resolve(target)(**kwargs)
    job.meta.update({"progress": 0.0, "message": "started", "error": None, "steps": [],
                     "attempt": int(job.meta.get("attempt", 0)) + 1})
    job.save_meta()
    token = _reporter.set(_RQProgress(job))
    try:
        result = resolve(target)(**kwargs)
    except BaseException as exc:
        transient = is_transient(exc)
        if not transient:
            job.retries_left = 0  # the worker reads this right after we re-raise: no retry for this one
        job.meta["error"] = user_error(exc)
        job.meta["message"] = ("failed, will retry: " if transient and job.retries_left else "failed: ") \
            + exc.__class__.__name__
        with contextlib.suppress(redis.RedisError):
            job.save_meta()
        # RQ logs the traceback and keeps it in the failed registry; we add the classification
        log.warning("job failed", extra={"job_id": job.id, "target": target, "transient": transient,
                                         "error": f"{exc.__class__.__name__}: {exc}"})
        raise
    finally:
        _reporter.reset(token)
    job.meta.update({"progress": 1.0, "message": "done"})
    job.save_meta()
    return result


# -- RQ backend --------------------------------------------------------------------------------------

def _rq_state(rq_state: str) -> State:
    """Our state for an RQ job status (RQ has more: deferred, scheduled, stopped, …)."""
    from rq.job import JobStatus as RQJobStatus

    if rq_state == RQJobStatus.STARTED:
        return "started"
    if rq_state == RQJobStatus.FINISHED:
        return "finished"
    if rq_state in (RQJobStatus.FAILED, RQJobStatus.STOPPED, RQJobStatus.CANCELED):
        return "failed"
    return "queued"  # queued, created, deferred, scheduled, rate limited, ready to enqueue, unknown


class RQRunner:
    """Jobs on an RQ queue, run by `ecomintel worker` processes (any number, on any machine).

    redis and rq are imported when a runner is made (only with ECOMINTEL_REDIS_URL set), not with this module.
    """

    backend = "rq"

    def __init__(self, connection: redis.Redis, queue_name: str, *, job_timeout_s: int = 600,
                 result_ttl_s: int = RESULT_TTL_S, retries: int = DEFAULT_RETRIES,
                 retry_intervals_s: tuple[int, ...] = DEFAULT_RETRY_INTERVALS_S, url: str = "") -> None:
        from rq import Queue

        self.connection = connection
        self.queue = Queue(queue_name, connection=connection)
        self.job_timeout_s = job_timeout_s
        self.result_ttl_s = result_ttl_s
        self.retries = retries
        self.retry_intervals_s = retry_intervals_s
        self.url = url

    def _unavailable(self, exc: Exception) -> ServiceUnavailable:
        where = redact_url(self.url) if self.url else "the configured Redis"
        return ServiceUnavailable(f"The job queue ({where}) is unreachable: {exc.__class__.__name__}.",
                                  "Check that Redis is running, or unset ECOMINTEL_REDIS_URL to run jobs "
                                  "in-process.")

    def submit(self, func: Callable[..., Any], /, **kwargs: Any) -> str:
        import redis
        from rq import Retry

        target = function_path(func)
        try:
            job = self.queue.enqueue_call(
                execute, kwargs={"target": target, "kwargs": kwargs}, description=target,
                timeout=self.job_timeout_s, result_ttl=self.result_ttl_s, failure_ttl=FAILURE_TTL_S,
                retry=Retry(max=self.retries, interval=list(self.retry_intervals_s)) if self.retries else None,
                meta={"progress": 0.0, "message": "queued", "target": target, "attempt": 0},
            )
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise self._unavailable(exc) from exc
        JOBS.labels(backend=self.backend, event="submitted").inc()
        return str(job.id)

    def status(self, job_id: str) -> JobStatus:
        import redis
        from rq.exceptions import NoSuchJobError
        from rq.job import Job

        try:
            job = Job.fetch(job_id, connection=self.connection)
            rq_state = job.get_status(refresh=False)
            state = _rq_state(rq_state)
            meta = job.meta or {}
            result = job.return_value() if state == "finished" else None
            error = None
            if state == "failed":
                error = meta.get("error") or self._failure_text(job, rq_state)
        except NoSuchJobError as exc:
            raise NotFound(f"Job {job_id} was not found.",
                           "Finished jobs are kept for a day; submit the question again.") from exc
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise self._unavailable(exc) from exc
        message = str(meta.get("message", ""))
        if state == "queued" and meta.get("error"):
            message = f"retrying after a transient failure ({meta.get('attempt', 1)} attempt(s) so far)"
        return JobStatus(job_id=job_id, state=state, progress=1.0 if state == "finished" else
                         float(meta.get("progress", 0.0)), message=message, result=result, error=error,
                         enqueued_at=job.enqueued_at, started_at=job.started_at, ended_at=job.ended_at,
                         attempts=int(meta.get("attempt", 0)),
                         steps=[(float(p), str(m)) for p, m in meta.get("steps", [])])

    @staticmethod
    def _failure_text(job: Job, rq_state: str) -> str:
        """Failures our trampoline did not see (the work horse was killed, the job was stopped)."""
        from rq.job import JobStatus as RQJobStatus
        from rq.timeouts import BaseTimeoutException

        if rq_state in (RQJobStatus.STOPPED, RQJobStatus.CANCELED):
            return "The job was stopped before it finished."
        exc_string = job.exc_info or ""
        if "Timeout" in exc_string:
            return user_error(BaseTimeoutException())
        return "The job's worker stopped unexpectedly. The details are in the worker log; try again."


# -- local backend -----------------------------------------------------------------------------------

@dataclass
class _LocalJob:
    status: JobStatus
    lock: threading.Lock


def _now() -> datetime:
    return datetime.now(UTC)


class LocalRunner:
    """Jobs on a thread pool in this process (the embedded default: nothing to start).

    No job timeout is enforced (Python cannot stop a thread); the ask executor bounds its own agents.
    Records of finished jobs are kept in memory, the newest `keep` of them.
    """

    backend = "local"

    def __init__(self, max_workers: int = 2, *, retries: int = DEFAULT_RETRIES,
                 retry_intervals_s: tuple[int, ...] = DEFAULT_RETRY_INTERVALS_S, keep: int = 500) -> None:
        self.pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="ecomintel-job")
        self.retries = retries
        self.retry_intervals_s = retry_intervals_s
        self.keep = keep
        self._jobs: OrderedDict[str, _LocalJob] = OrderedDict()
        self._lock = threading.Lock()

    def submit(self, func: Callable[..., Any], /, **kwargs: Any) -> str:
        target = function_path(func)
        job_id = uuid.uuid4().hex
        record = _LocalJob(JobStatus(job_id=job_id, state="queued", message="queued", enqueued_at=_now()),
                           threading.Lock())
        with self._lock:
            self._jobs[job_id] = record
            self._prune()
        self.pool.submit(self._run, record, target, kwargs)
        JOBS.labels(backend=self.backend, event="submitted").inc()
        return job_id

    def _prune(self) -> None:
        done = [jid for jid, rec in self._jobs.items() if rec.status.done]
        for jid in done[: max(0, len(self._jobs) - self.keep)]:
            del self._jobs[jid]

    def _progress(self, record: _LocalJob) -> Progress:
        def update(fraction: float, message: str = "") -> None:
            with record.lock:
                record.status.progress = max(_clamp(fraction), record.status.progress)
                record.status.message = str(message)[:300]
                record.status.steps = [*record.status.steps, (_clamp(fraction), str(message)[:300])][-MAX_STEPS:]
        return update

    def _run(self, record: _LocalJob, target: str, kwargs: dict[str, Any]) -> None:
        started = time.perf_counter()
        token = _reporter.set(self._progress(record))
        try:
            for attempt in range(1, self.retries + 2):
                with record.lock:
                    record.status.state, record.status.attempts = "started", attempt
                    record.status.progress, record.status.message, record.status.steps = 0.0, "started", []
                    record.status.started_at = record.status.started_at or _now()
                try:
                    result = resolve(target)(**kwargs)
                except Exception as exc:
                    if is_transient(exc) and attempt <= self.retries:
                        log.warning("job failed transiently, retrying", extra={"target": target,
                                                                               "attempt": attempt})
                        with record.lock:
                            record.status.state = "queued"
                            record.status.message = f"retrying after a transient failure ({attempt} attempt(s))"
                        time.sleep(self.retry_intervals_s[min(attempt - 1, len(self.retry_intervals_s) - 1)]
                                   if self.retry_intervals_s else 0)
                        continue
                    log.exception("job failed", extra={"target": target, "job_id": record.status.job_id})
                    with record.lock:
                        record.status.state, record.status.error = "failed", user_error(exc)
                        record.status.message = f"failed: {exc.__class__.__name__}"
                        record.status.ended_at = _now()
                    JOBS.labels(backend=self.backend, event="failed").inc()
                    JOB_SECONDS.labels(backend=self.backend, outcome="failed").observe(
                        time.perf_counter() - started)
                    return
                with record.lock:
                    record.status.state, record.status.result = "finished", result
                    record.status.progress, record.status.message = 1.0, "done"
                    record.status.ended_at = _now()
                JOBS.labels(backend=self.backend, event="finished").inc()
                JOB_SECONDS.labels(backend=self.backend, outcome="finished").observe(time.perf_counter() - started)
                return
        finally:
            _reporter.reset(token)

    def status(self, job_id: str) -> JobStatus:
        with self._lock:
            record = self._jobs.get(job_id)
        if record is None:
            raise NotFound(f"Job {job_id} was not found.",
                           "Jobs run in-process are forgotten when the app restarts; submit the question again.")
        with record.lock:
            copy = {k: getattr(record.status, k) for k in JobStatus.__dataclass_fields__}
            copy["steps"] = list(copy["steps"])
            return JobStatus(**copy)

    def shutdown(self, wait: bool = True) -> None:
        self.pool.shutdown(wait=wait)


_local_runners: dict[str, LocalRunner] = {}
_local_runners_lock = threading.Lock()


def make_runner(settings: Settings, queue_name: str | None = None) -> JobRunner:
    """RQRunner on settings.redis_url (queue settings.rq_queue unless given), else this process's LocalRunner.

    Why one LocalRunner per process and queue: its job records live in memory, and callers (a Streamlit
    rerun polling a job) call make_runner again; a new runner would not know the job.
    """
    name = queue_name or settings.rq_queue
    if settings.redis_url:
        from ecomintel.cache import redis_client

        timeout = max(120, int(settings.deep_timeout_s * 4))
        return RQRunner(redis_client(settings.redis_url), name, job_timeout_s=timeout, url=settings.redis_url)
    with _local_runners_lock:
        runner = _local_runners.get(name)
        if runner is None:
            runner = _local_runners[name] = LocalRunner()
    return runner
