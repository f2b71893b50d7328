"""`ecomintel scheduler`: rq's own CronScheduler, fed from the sync_sources table.

Why rq's CronScheduler (rq ≥ 3) and not rq-scheduler: it ships with rq, keeps its state in Redis next to
the queues (`rq cron` / CronScheduler register themselves, so `rq info` and monitoring see them), and
needs nothing at run time that rq-scheduler needs (freezegun) — rq-scheduler is unmaintained.

What we add: schedules are data (analysts edit them in Settings), so every `refresh_s` the scheduler
re-reads the enabled sources of every tenant and rebuilds its CronJob list (a CronJob per source, cron= or
interval=, named `ecomintel-sync:<tenant>:<source>`); a job that keeps its schedule keeps its timing.
An interval source that ran before resumes from its last run (not "due now" at every restart).
Each CronJob enqueues `ecomintel.sync.tasks.run_sync_job(tenant_id, source_id)` on ECOMINTEL_RQ_QUEUE,
which any worker runs. Run exactly one scheduler per Redis.

Beside the syncs it schedules the ops jobs: the daily retention purge (`ecomintel-retention-purge`, at
ECOMINTEL_RETENTION_PURGE_AT) enqueues `ecomintel.retention.run_purge_job`, which applies every tenant's policy.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ecomintel.config import Settings
from ecomintel.errors import InputError
from ecomintel.sync.schedule import parse_schedule

if TYPE_CHECKING:
    import redis
    import sqlalchemy as sa
    from rq.cron import CronJob, CronScheduler

log = logging.getLogger(__name__)
JOB_TIMEOUT_S = 3600
PURGE_JOB_NAME = "ecomintel-retention-purge"


def cron_job_name(tenant_id: int, source: str) -> str:
    return f"ecomintel-sync:{tenant_id}:{source}"


class SyncScheduler:
    """rq's CronScheduler whose job list follows the sources table."""

    def __init__(self, connection: redis.Redis, engine: sa.Engine, queue_name: str, *, refresh_s: float = 30,
                 name: str = "", purge_cron: str | None = None) -> None:
        """`purge_cron`: when the daily retention purge runs (schedule.daily_cron of the setting); None: never."""
        from rq.cron import CronScheduler

        self.engine = engine
        self.queue_name = queue_name
        self.refresh_s = refresh_s
        self.purge_cron = purge_cron
        self.cron: CronScheduler = CronScheduler(connection=connection, name=name)
        self._signature: dict[str, tuple[Any, ...]] = {}

    def refresh(self) -> list[str]:
        """Rebuild the CronJob list from the enabled, scheduled sources; returns the job names."""
        from rq.cron import CronJob

        from ecomintel.db.sync_store import last_runs, scheduled_sources
        from ecomintel.sync.tasks import run_sync_job

        previous: dict[str, CronJob] = {job.name: job for job in self.cron.get_jobs()}
        last_started = {(r["tenant_id"], r["source_name"]): r["started_at"] for r in last_runs(self.engine)}
        jobs: list[CronJob] = []
        signature: dict[str, tuple[Any, ...]] = {}
        for src in scheduled_sources(self.engine):
            try:
                schedule = parse_schedule(src["schedule"])
            except InputError as exc:
                log.warning("skipping a source with an unreadable schedule",
                            extra={"tenant_id": src["tenant_id"], "source": src["name"], "error": exc.message})
                continue
            if schedule is None:
                continue
            name = cron_job_name(src["tenant_id"], src["name"])
            sig = (src["id"], schedule.interval_s, schedule.cron)
            signature[name] = sig
            if name in previous and self._signature.get(name) == sig:
                jobs.append(previous[name])  # unchanged: keep its timing
                continue
            job = CronJob(queue_name=self.queue_name, func=run_sync_job,
                          kwargs={"tenant_id": src["tenant_id"], "source_id": src["id"], "trigger": "schedule"},
                          interval=schedule.interval_s, cron=schedule.cron, job_timeout=JOB_TIMEOUT_S, name=name)
            started = last_started.get((src["tenant_id"], src["name"]))
            if schedule.interval_s is not None and started is not None:
                job.set_enqueue_time(started.replace(tzinfo=UTC))
            jobs.append(job)
        purge = self._purge_job(previous.get(PURGE_JOB_NAME))
        if purge is not None:
            jobs.append(purge)
        self.cron.get_jobs()[:] = jobs  # CronScheduler keeps its jobs in this list (rq.cron)
        self._signature = signature
        return [j.name for j in jobs]

    def _purge_job(self, previous: CronJob | None) -> CronJob | None:
        """The daily purge's CronJob: the one already scheduled (keeps its timing), or a new one that resumes
        from the last purge in the audit log, so a purge missed while the scheduler was down runs now."""
        from rq.cron import CronJob

        from ecomintel.retention import last_purge, run_purge_job

        if self.purge_cron is None:
            return None
        if previous is not None and previous.cron == self.purge_cron:
            return previous
        job = CronJob(queue_name=self.queue_name, func=run_purge_job, cron=self.purge_cron,
                      job_timeout=JOB_TIMEOUT_S, name=PURGE_JOB_NAME)
        last = last_purge(self.engine)
        if last is not None:
            job.set_enqueue_time(last.replace(tzinfo=UTC))
        return job

    def tick(self) -> list[str]:
        """Enqueue what is due now; returns the names of the jobs enqueued."""
        enqueued = self.cron.enqueue_jobs()
        if enqueued:
            self.cron.save()
            log.info("scheduled syncs enqueued", extra={"jobs": [j.name for j in enqueued]})
        self.cron.heartbeat()
        return [j.name for j in enqueued]

    def run(self, stop_after_s: float | None = None) -> None:
        """Loop until SIGINT/SIGTERM (or `stop_after_s`, for tests): refresh, enqueue, sleep."""
        from rq.exceptions import StopRequested

        self.cron._install_signal_handlers()
        self.cron.register_birth()
        began = time.monotonic()
        last_refresh = -1e9
        try:
            while stop_after_s is None or time.monotonic() - began < stop_after_s:
                if time.monotonic() - last_refresh >= self.refresh_s:
                    self.refresh()
                    last_refresh = time.monotonic()
                self.tick()
                time.sleep(max(0.2, min(self.cron.calculate_sleep_interval(), self.refresh_s)))
        except (KeyboardInterrupt, StopRequested):
            log.info("scheduler stopping")
        finally:
            self.cron.register_death()


def run_scheduler(settings: Settings, *, refresh_s: float = 30, stop_after_s: float | None = None) -> None:
    """The `ecomintel scheduler` process: Redis, the database, metrics, then the loop."""
    from ecomintel.db.engine import make_engine, migrate
    from ecomintel.metrics_server import setup_observability
    from ecomintel.sync.schedule import daily_cron
    from ecomintel.worker_runtime import connect

    connection = connect(settings)
    setup_observability(settings, role="scheduler")
    engine = make_engine(settings.database_url)
    migrate(engine)
    scheduler = SyncScheduler(connection, engine, settings.rq_queue, refresh_s=refresh_s,
                              purge_cron=daily_cron(settings.retention_purge_at))
    log.info("scheduler started", extra={"queue": settings.rq_queue, "jobs": scheduler.refresh(),
                                         "at": datetime.now(UTC).isoformat()})
    scheduler.run(stop_after_s=stop_after_s)
