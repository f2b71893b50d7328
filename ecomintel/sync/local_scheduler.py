"""The in-process scheduler: scheduled syncs without Redis (`make run`, one machine).

A daemon thread in the app process checks every `poll_s` which sources are due (schedule.py, the same
rules as the RQ scheduler: interval from the last run's start, cron from the next slot after it) and
submits each to this process's job runner (the thread pool of ecomintel.jobs), so a sync never blocks a
page. A source already running is not submitted again. With ECOMINTEL_REDIS_URL set this is not started:
`ecomintel scheduler` does the job for the whole team.

It also runs the daily retention purge (ECOMINTEL_RETENTION_PURGE_AT, the same cron rule as a source's),
counting from the last purge in the audit log, so a purge missed while the app was stopped runs at start.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from ecomintel.config import Settings
from ecomintel.db.scoped import utcnow
from ecomintel.errors import InputError
from ecomintel.sync.schedule import Schedule, parse_schedule

if TYPE_CHECKING:
    import sqlalchemy as sa

    from ecomintel.jobs import JobRunner

log = logging.getLogger(__name__)
_started: dict[str, LocalScheduler] = {}
_lock = threading.Lock()
PURGE_KEY = (0, 0)  # the purge's slot in `running` (sources are (tenant id, source id), never 0)


class LocalScheduler:
    def __init__(self, engine: sa.Engine, runner: JobRunner, *, poll_s: float = 30.0,
                 clock: Callable[[], datetime] = utcnow, purge_cron: str | None = None) -> None:
        """`purge_cron`: when the daily retention purge runs (schedule.daily_cron of the setting); None: never."""
        self.engine, self.runner, self.poll_s, self.clock = engine, runner, poll_s, clock
        self.purge = Schedule(cron=purge_cron) if purge_cron else None
        self.purge_last: datetime | None = None  # read from the audit log at the first check
        self.running: dict[tuple[int, int], str] = {}
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def due(self) -> list[dict[str, object]]:
        from ecomintel.db.sync_store import last_runs, scheduled_sources

        now = self.clock()
        last = {(r["tenant_id"], r["source_name"]): r["started_at"] for r in last_runs(self.engine)}
        out = []
        for src in scheduled_sources(self.engine):
            try:
                schedule = parse_schedule(str(src["schedule"]))
            except InputError:
                continue
            if schedule is not None and schedule.is_due(last.get((src["tenant_id"], src["name"])), now):
                out.append(src)
        return out

    def purge_due(self) -> bool:
        """Is the daily purge's slot since the last purge (or since this scheduler started) reached?"""
        if self.purge is None:
            return False
        if self.purge_last is None:
            from ecomintel.retention import last_purge

            self.purge_last = last_purge(self.engine) or self.clock()
        return self.purge.is_due(self.purge_last, self.clock())

    def tick(self) -> list[str]:
        """Submit the due sources that are not running; returns the job ids submitted."""
        from ecomintel.sync.tasks import run_sync_job

        for key, job_id in list(self.running.items()):
            try:
                if self.runner.status(job_id).done:
                    del self.running[key]
            except Exception:  # forgotten job: let it be submitted again
                del self.running[key]
        submitted = []
        for src in self.due():
            key = (int(src["tenant_id"]), int(src["id"]))  # type: ignore[call-overload]
            if key in self.running:
                continue
            job_id = self.runner.submit(run_sync_job, tenant_id=key[0], source_id=key[1], trigger="schedule")
            self.running[key] = job_id
            submitted.append(job_id)
        if PURGE_KEY not in self.running and self.purge_due():
            from ecomintel.retention import run_purge_job

            self.running[PURGE_KEY] = self.runner.submit(run_purge_job)
            self.purge_last = self.clock()
            submitted.append(self.running[PURGE_KEY])
        return submitted

    def _loop(self) -> None:
        failures = 0
        while not self.stop.is_set():
            try:
                self.tick()
                failures = 0
            except Exception:  # a database hiccup must not kill the scheduler thread; back off while it lasts
                failures += 1
                if failures <= 3 or failures % 20 == 0:
                    log.exception("in-process scheduler tick failed", extra={"failures": failures})
            self.stop.wait(min(600.0, self.poll_s * (2 ** min(failures, 5))))

    def start(self) -> None:
        self.thread = threading.Thread(target=self._loop, name="ecomintel-local-scheduler", daemon=True)
        self.thread.start()


def start_local_scheduler(settings: Settings, engine: sa.Engine) -> LocalScheduler | None:
    """Start this process's in-process scheduler once (no-op with Redis configured: use `ecomintel scheduler`)."""
    if settings.redis_url:
        return None
    from ecomintel.jobs import make_runner
    from ecomintel.sync.schedule import daily_cron

    with _lock:
        key = settings.database_url
        if key not in _started:
            try:
                purge_cron = daily_cron(settings.retention_purge_at)
            except InputError as exc:  # a typo in a setting must not stop the app: no scheduled purge, said so
                log.warning("retention purge not scheduled", extra={"error": exc.message})
                purge_cron = None
            _started[key] = LocalScheduler(engine, make_runner(settings), purge_cron=purge_cron)
            _started[key].start()
        return _started[key]
