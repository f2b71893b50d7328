"""Running an RQ worker from ecomintel settings: the Redis connection, the queue, the worker loop, and the
command-line options both entry points share (`ecomintel worker` and `python -m workers.worker`).

Why in the core: the CLI and `workers/worker.py` both start workers, and the dependency runs one way only
(workers/ imports ecomintel, never the reverse; tests/test_import_graph.py keeps it so). redis and rq are
imported inside the functions: the CLI imports this module to build its parser, and `ecomintel ask` or
`--help` must not pay for the queue libraries.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ecomintel.config import Settings
from ecomintel.errors import ServiceUnavailable
from ecomintel.redact import redact_url

if TYPE_CHECKING:
    import redis


def connect(settings: Settings) -> redis.Redis:
    """A connection for a long-running worker: a short connect timeout, but no read timeout (the worker
    blocks on the queue for minutes at a time)."""
    if not settings.redis_url:
        raise ServiceUnavailable("The worker needs Redis, and ECOMINTEL_REDIS_URL is not set.",
                                 "Set ECOMINTEL_REDIS_URL=redis://host:6379/0. Without Redis, jobs run inside "
                                 "the app and no worker is needed.")
    import redis

    connection = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=5, health_check_interval=30)
    try:
        connection.ping()
    except redis.RedisError as exc:
        raise ServiceUnavailable(f"Redis at {redact_url(settings.redis_url)} is unreachable "
                                 f"({exc.__class__.__name__}).",
                                 "Start Redis or fix ECOMINTEL_REDIS_URL.") from exc
    return connection


def run_worker(settings: Settings, *, queue_name: str | None = None, burst: bool = False,
               with_scheduler: bool = True, name: str | None = None) -> bool:
    """Work the queue until stopped (or, with burst, until it is empty). True if any job was run."""
    connection = connect(settings)
    from rq import Queue, Worker

    from ecomintel.metrics_server import setup_observability

    setup_observability(settings, role="worker")  # JSON logs, tracing, DB timing, metrics on the worker port
    queue = Queue(queue_name or settings.rq_queue, connection=connection)
    worker = Worker([queue], connection=connection, name=name)
    return bool(worker.work(burst=burst, with_scheduler=with_scheduler, logging_level=settings.log_level))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The worker's options, the same for `ecomintel worker` and `python -m workers.worker`."""
    parser.add_argument("--queue", help="queue to work (default: ECOMINTEL_RQ_QUEUE)")
    parser.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    parser.add_argument("--no-scheduler", action="store_true", help="do not run RQ's scheduler in this worker")
    parser.add_argument("--name", help="worker name (default: chosen by RQ)")


def run_from_args(args: argparse.Namespace, settings: Settings) -> bool:
    """run_worker with the options of `add_arguments`."""
    return run_worker(settings, queue_name=args.queue, burst=args.burst, with_scheduler=not args.no_scheduler,
                      name=args.name)
