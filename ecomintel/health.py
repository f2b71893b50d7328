"""`ecomintel health`: is this deployment working? Database, migrations, (PostgreSQL) a role bound by
row-level security, Redis, workers, the scheduler and the last run of every sync — each a
`Check(name, ok, detail)`; the exit code is non-zero if any failed.

Why a command and not only an HTTP endpoint: the same check serves the container HEALTHCHECK (Dockerfile),
an operator's shell and a cron'd probe, and it needs no running app. It never changes anything (it does
not migrate: a database behind the code is a failure to report, not to fix silently).

Without Redis (the embedded default) the Redis, worker and scheduler checks pass as "not configured".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from ecomintel.config import Settings
from ecomintel.redact import redact_url

OVERDUE_GRACE = timedelta(minutes=15)


@dataclass
class Check:
    name: str
    ok: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _database(settings: Settings) -> tuple[list[Check], Any]:
    import sqlalchemy as sa

    from ecomintel.db.engine import current_revision, head_revision, make_engine

    where = redact_url(settings.database_url)
    try:
        engine = make_engine(settings.database_url)
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
            current = current_revision(conn)
    except Exception as exc:
        return [Check("database", False, f"{where} unreachable: {exc.__class__.__name__}: {str(exc)[:160]}"),
                Check("migrations", False, "not checked (no database)")], None
    head = head_revision()
    checks = [Check("database", True, where)]
    if current == head:
        checks.append(Check("migrations", True, f"at head {head}"))
    else:
        checks.append(Check("migrations", False, f"database at {current or 'nothing'}, code needs {head}; "
                                                 "run `ecomintel init`"))
    if engine.dialect.name == "postgresql":
        checks.append(_row_level_security(engine))
    return checks, engine


def _row_level_security(engine: Any) -> Check:
    """PostgreSQL: the app's role must be bound by row-level security — a superuser or BYPASSRLS role (the
    postgres image's POSTGRES_USER is one) silently leaves tenant isolation to the Repository alone."""
    from ecomintel.db.rls import bypasses_rls

    try:
        with engine.connect() as conn:
            bypass = bypasses_rls(conn)
            role = conn.exec_driver_sql("SELECT current_user").scalar()
    except Exception as exc:
        return Check("row-level security", False, f"could not read the role: {exc.__class__.__name__}")
    if bypass:
        return Check("row-level security", False,
                     f"role {role} is a superuser or has BYPASSRLS: RLS does not bind it; connect as a role "
                     "made with `ecomintel db app-role` or deploy/postgres/initdb/ (README \"Accounts and roles\")")
    return Check("row-level security", True, f"role {role} is bound by it")


def _queue(settings: Settings, scheduled: int) -> list[Check]:
    if not settings.redis_url:
        return [Check("redis", True, "not configured (in-process cache and jobs)"),
                Check("workers", True, "not needed (jobs run in the app process)"),
                Check("scheduler", True, "in-process (started by the app)")]
    import redis
    from rq import Worker
    from rq.cron import CronScheduler

    where = redact_url(settings.redis_url)
    try:
        connection = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=3, socket_timeout=3)
        connection.ping()
    except redis.RedisError as exc:
        return [Check("redis", False, f"{where} unreachable: {exc.__class__.__name__}"),
                Check("workers", False, "not checked (no Redis)"),
                Check("scheduler", False, "not checked (no Redis)")]
    checks = [Check("redis", True, where)]
    workers = [w for w in Worker.all(connection=connection) if settings.rq_queue in w.queue_names()]
    checks.append(Check("workers", bool(workers),
                        f"{len(workers)} worker(s) on queue {settings.rq_queue}" if workers else
                        f"no worker on queue {settings.rq_queue}; start `ecomintel worker`"))
    schedulers = CronScheduler.all(connection)
    if schedulers:
        checks.append(Check("scheduler", True, f"{len(schedulers)} running"))
    else:
        checks.append(Check("scheduler", scheduled == 0,
                            "none running" + (f", but {scheduled} source(s) have a schedule; start `ecomintel "
                                              "scheduler`" if scheduled else " (no scheduled sources)")))
    return checks


def _syncs(engine: Any) -> tuple[Check, int]:
    from ecomintel.db.scoped import utcnow
    from ecomintel.db.sync_store import last_runs, scheduled_sources
    from ecomintel.sync.schedule import parse_schedule

    scheduled = scheduled_sources(engine)
    latest = {(r["tenant_id"], r["source_name"]): r for r in last_runs(engine)}
    problems, fine = [], 0
    now = utcnow()
    for src in scheduled:
        run = latest.get((src["tenant_id"], src["name"]))
        label = f"tenant {src['tenant_id']} {src['name']}"
        if run is not None and run["status"] == "failed":
            problems.append(f"{label}: last run failed ({(run.get('message') or '')[:120]})")
            continue
        try:
            schedule = parse_schedule(src["schedule"])
        except Exception:
            problems.append(f"{label}: unreadable schedule {src['schedule']!r}")
            continue
        if schedule is not None and run is not None:
            due = schedule.next_after(run["started_at"], now)
            if now > due + OVERDUE_GRACE:
                problems.append(f"{label}: overdue since {due:%Y-%m-%d %H:%M} UTC")
                continue
        fine += 1
    others_failed = [f"tenant {t} {n}: last run failed" for (t, n), r in latest.items()
                     if r["status"] == "failed" and not any(s["tenant_id"] == t and s["name"] == n for s in scheduled)]
    problems += others_failed
    if problems:
        return Check("last sync", False, "; ".join(problems[:10])), len(scheduled)
    newest = max(latest.values(), key=lambda r: r["id"], default=None)
    last = (f"; last: {newest['source_name']} {newest['status']} at {newest['started_at']:%Y-%m-%d %H:%M} UTC"
            if newest is not None else "")
    return Check("last sync", True, f"{fine} scheduled source(s) fine, {len(latest)} with runs{last}"), len(scheduled)


def run_checks(settings: Settings) -> list[Check]:
    """Every check, in order; none raises."""
    checks, engine = _database(settings)
    queue_at = len(checks)  # Redis, workers and scheduler follow the database checks
    scheduled = 0
    if engine is not None and checks[1].ok:
        try:
            sync_check, scheduled = _syncs(engine)
        except Exception as exc:
            sync_check = Check("last sync", False, f"could not read sync runs: {exc.__class__.__name__}")
        checks.append(sync_check)
    else:
        checks.append(Check("last sync", False, "not checked (database not ready)"))
    checks[queue_at:queue_at] = _queue(settings, scheduled)
    if engine is not None:
        engine.dispose()
    return checks
