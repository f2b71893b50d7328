"""The operations commands of the CLI: `ecomintel sync …`, `ecomintel scheduler`, `ecomintel health`.

Why apart from cli.py: cli.py is the shared entry point; each group of commands registers its parsers
with one call (`add_parsers(sub)`) and keeps its logic here. Only argparse/json at the top: `ecomintel
--help` must stay fast; everything heavy is imported inside the command that needs it.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from ecomintel.config import Settings


def print_json(data: Any) -> None:
    """How every command module prints `--json` results (history_cli and accounts/cli use this one)."""
    print(json.dumps(data, indent=2, default=str, ensure_ascii=False))


def tenant_repo(settings: Settings, tenant: str, *, role: str = "admin") -> Any:
    """The tenant's repository on a migrated database (the tenant must exist)."""
    from ecomintel.context import RequestContext
    from ecomintel.db.engine import make_engine, migrate
    from ecomintel.db.repository import Repository
    from ecomintel.db.tenants import get_tenant

    engine = make_engine(settings.database_url)
    migrate(engine)
    return Repository(engine, RequestContext(tenant_id=get_tenant(engine, tenant).id, role=role))


def _pairs(items: list[str] | None) -> dict[str, str]:
    from ecomintel.errors import InputError

    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"Bad option {item!r}.", "Write it as key=value.")
        out[key.strip()] = value.strip()
    return out


# -- sync ----------------------------------------------------------------------------------------------
def cmd_sync_add(args: argparse.Namespace, settings: Settings) -> int:
    from ecomintel.sync.sources import configure_source

    repo = tenant_repo(settings, args.tenant)
    options: dict[str, Any] = {}
    if args.url:
        options["base_url" if args.connector == "shopify" else "url"] = args.url
    if args.kind:
        options["kind"] = args.kind
    pages = list(args.page or [])
    if args.pages_file:
        pages += [line.strip() for line in Path(args.pages_file).read_text(encoding="utf-8").splitlines()
                  if line.strip() and not line.startswith("#")]
    if pages:
        options["urls"] = pages
    if args.use_listing_urls:
        options["use_listing_urls"] = True
    for key, value in _pairs(args.option).items():
        options[key] = json.loads(value) if value[:1] in "[{" else value
    source_id = configure_source(repo, name=args.name, connector=args.connector, options=options,
                                 secret_ref=args.secret, schedule=args.schedule, enabled=not args.disabled)
    print(f"Sync source {args.name!r} (id {source_id}, {args.connector}) saved for tenant {args.tenant!r}"
          + (f", schedule {args.schedule!r}." if args.schedule else ", no schedule (run it with `ecomintel sync run`)."))
    return 0


def cmd_sync_list(args: argparse.Namespace, settings: Settings) -> int:
    repo = tenant_repo(settings, args.tenant, role="viewer")
    rows = []
    for src in repo.list_sync_sources():
        last = repo.last_sync_run(src["name"])
        rows.append({"name": src["name"], "connector": src["connector"], "schedule": src["schedule"],
                     "enabled": src["enabled"], "secret_ref": src["secret_ref"], "options": src["options"],
                     "last_status": last and last["status"], "last_started": last and last["started_at"]})
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("No sync sources. Add one with `ecomintel sync add NAME --tenant T --connector http_feed --url …`.")
    for r in rows:
        print(f"{r['name']:<24} {r['connector']:<14} {r['schedule'] or '-':<14} "
              f"{'on ' if r['enabled'] else 'off'} last: {r['last_status'] or 'never'} {r['last_started'] or ''}")
    return 0


def cmd_sync_run(args: argparse.Namespace, settings: Settings) -> int:
    """Run now in this process (default), or enqueue for the workers (--queue, with --in for later)."""
    repo = tenant_repo(settings, args.tenant)
    if args.queue or args.delay:
        from ecomintel.errors import InputError

        if not settings.redis_url:
            raise InputError("--queue and --in need ECOMINTEL_REDIS_URL (a queue the workers read).",
                             "Without Redis, run it here: drop --queue/--in.")
        from rq import Queue, Retry

        from ecomintel.sync.schedule import parse_schedule
        from ecomintel.sync.tasks import run_sync_job
        from ecomintel.worker_runtime import connect

        source = repo.get_sync_source(args.name)
        queue = Queue(settings.rq_queue, connection=connect(settings))
        kwargs = {"tenant_id": repo.tenant_id, "source_id": source["id"], "trigger": "manual"}
        retry = Retry(max=2, interval=[60, 300])  # the run records its own failures; this is for an outage
        if args.delay:
            parsed = parse_schedule(args.delay, min_interval_s=1)
            seconds = parsed.interval_s if parsed and parsed.interval_s else 0
            job = queue.enqueue_in(timedelta(seconds=seconds), run_sync_job, kwargs=kwargs, job_timeout=3600,
                                   retry=retry)
            print(f"Sync {args.name!r} scheduled in {seconds} s as job {job.id} (workers run with the scheduler on).")
        else:
            job = queue.enqueue(run_sync_job, kwargs=kwargs, job_timeout=3600, retry=retry)
            print(f"Sync {args.name!r} queued as job {job.id}.")
        return 0
    from ecomintel.metrics_server import install_db_timing
    from ecomintel.sync.runner import run_source

    install_db_timing()
    run = run_source(repo, settings, args.name, progress=None if args.json else _progress)
    if args.json:
        from ecomintel.db.sync_store import shown_run

        print_json(shown_run(run))
    else:
        print(f"{run['source_name']}: {run['status']} — {run['message']}")
        for err in (run["errors"] or [])[:args.show_errors]:
            print(f"  {err['item']}: {err['reason']}")
        if len(run["errors"] or []) > args.show_errors:
            print(f"  … {len(run['errors']) - args.show_errors} more (see `ecomintel sync runs --json`).")
    return 0 if run["status"] != "failed" else 1


def _progress(fraction: float, message: str) -> None:
    if fraction > 0:
        print(f"  [{fraction:4.0%}] {message}", file=sys.stderr, flush=True)


def cmd_sync_runs(args: argparse.Namespace, settings: Settings) -> int:
    repo = tenant_repo(settings, args.tenant, role="viewer")
    runs = repo.list_sync_runs(limit=args.limit, source_name=args.source)
    if args.json:
        from ecomintel.db.sync_store import shown_run

        print_json([shown_run(r) for r in runs])
        return 0
    for r in runs:
        print(f"#{r['number']:<5} {r['started_at']:%Y-%m-%d %H:%M:%S} {r['source_name']:<20} {r['trigger']:<8} "
              f"{r['status']:<8} rows={r['rows']:<6} pages ok/failed={r['pages_ok']}/{r['pages_failed']}")
    if not runs:
        print("No sync runs yet.")
    return 0


def cmd_sync_remove(args: argparse.Namespace, settings: Settings) -> int:
    from ecomintel.errors import NotFound

    if not tenant_repo(settings, args.tenant).delete_sync_source(args.name):
        raise NotFound(f"No sync source named {args.name!r}.")
    print(f"Sync source {args.name!r} removed (its runs stay in the history).")
    return 0


# -- scheduler and health ------------------------------------------------------------------------------
def cmd_scheduler(args: argparse.Namespace, settings: Settings) -> int:
    from ecomintel.sync.scheduler import run_scheduler

    run_scheduler(settings, refresh_s=args.refresh)
    return 0


def cmd_health(args: argparse.Namespace, settings: Settings) -> int:
    from ecomintel.health import run_checks

    checks = run_checks(settings)
    healthy = all(c.ok for c in checks)
    if args.json:
        print_json({"healthy": healthy, "checks": [c.to_dict() for c in checks]})
    else:
        for c in checks:
            print(f"{'ok  ' if c.ok else 'FAIL'} {c.name:<11} {c.detail}")
    return 0 if healthy else 1


def add_parsers(sub: Any) -> None:
    """Register `sync`, `scheduler` and `health` on the CLI's subparsers."""
    p = sub.add_parser("sync", help="configure and run syncs (feeds, Shopify-style shops, competitor pages)")
    sync = p.add_subparsers(dest="sync_command", required=True, metavar="ACTION")
    p = sync.add_parser("add", help="create or replace a sync source of a tenant")
    p.add_argument("name")
    p.add_argument("--tenant", required=True)
    p.add_argument("--connector", required=True, help="http_feed | shopify | price_tracker")
    p.add_argument("--url", help="feed URL (http_feed) or API base URL (shopify)")
    p.add_argument("--kind", help="http_feed: products | prices | orders | reviews")
    p.add_argument("--page", action="append", metavar="URL", help="price_tracker: a product page (repeatable)")
    p.add_argument("--pages-file", help="price_tracker: a file with one product page URL per line")
    p.add_argument("--use-listing-urls", action="store_true", help="price_tracker: also the listings' urls")
    p.add_argument("--secret", help="reference to the secret: env:VARIABLE or file:NAME (never the secret itself)")
    p.add_argument("--schedule", help='"every 6h", "every 30m" or a cron expression like "0 3 * * *"')
    p.add_argument("--option", action="append", metavar="KEY=VALUE",
                   help="connector option, e.g. auth_scheme=Bearer or selectors='{\"shop.example\": {\"price\": \".p\"}}'")
    p.add_argument("--disabled", action="store_true", help="save it switched off")
    p.set_defaults(func=cmd_sync_add)
    p = sync.add_parser("list", help="the tenant's sync sources and their last run")
    p.add_argument("--tenant", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sync_list)
    p = sync.add_parser("run", help="run a source now (here), or --queue it for the workers")
    p.add_argument("name")
    p.add_argument("--tenant", required=True)
    p.add_argument("--queue", action="store_true", help="enqueue on ECOMINTEL_RQ_QUEUE instead of running here")
    p.add_argument("--in", dest="delay", metavar="DELAY", help='enqueue to run later, e.g. "10m" (rq enqueue_in)')
    p.add_argument("--json", action="store_true")
    p.add_argument("--show-errors", type=int, default=10, metavar="N")
    p.set_defaults(func=cmd_sync_run)
    p = sync.add_parser("runs", help="recent sync runs of a tenant (started, finished, rows, errors)")
    p.add_argument("--tenant", required=True)
    p.add_argument("--source")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sync_runs)
    p = sync.add_parser("remove", help="delete a sync source")
    p.add_argument("name")
    p.add_argument("--tenant", required=True)
    p.set_defaults(func=cmd_sync_remove)

    p = sub.add_parser("scheduler", help="enqueue scheduled syncs on Redis (rq's CronScheduler); run one per Redis")
    p.add_argument("--refresh", type=float, default=30, metavar="SECONDS",
                   help="how often to re-read the schedules from the database (default 30)")
    p.set_defaults(func=cmd_scheduler)

    p = sub.add_parser("health", help="check database, migrations, Redis, workers, scheduler and the last syncs")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_health)
