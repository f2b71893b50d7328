"""`python -m workers.worker` / `ecomintel worker`: an RQ worker (with RQ's scheduler) on settings.rq_queue.

Thin on purpose: jobs are plain functions in `ecomintel` run through `ecomintel.jobs.execute`; this file
only turns settings into a Redis connection, a queue and a worker. The scheduler is on so retries with a
delay (and, later, `enqueue_in` syncs) are moved back onto the queue when due.
"""

from __future__ import annotations

import argparse
import sys

import redis
from rq import Queue, Worker

from ecomintel.cache import _redact
from ecomintel.config import Settings, load_settings
from ecomintel.errors import EcomintelError, ServiceUnavailable
from ecomintel.observability import setup_logging


def connect(settings: Settings) -> redis.Redis:
    """A connection for a long-running worker: a short connect timeout, but no read timeout (the worker
    blocks on the queue for minutes at a time)."""
    if not settings.redis_url:
        raise ServiceUnavailable("The worker needs Redis, and ECOMINTEL_REDIS_URL is not set.",
                                 "Set ECOMINTEL_REDIS_URL=redis://host:6379/0. Without Redis, jobs run inside "
                                 "the app and no worker is needed.")
    connection = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=5, health_check_interval=30)
    try:
        connection.ping()
    except redis.RedisError as exc:
        raise ServiceUnavailable(f"Redis at {_redact(settings.redis_url)} is unreachable "
                                 f"({exc.__class__.__name__}).",
                                 "Start Redis or fix ECOMINTEL_REDIS_URL.") from exc
    return connection


def run_worker(settings: Settings, *, queue_name: str | None = None, burst: bool = False,
               with_scheduler: bool = True, name: str | None = None) -> bool:
    """Work the queue until stopped (or, with burst, until it is empty). True if any job was run."""
    connection = connect(settings)
    setup_logging(settings.log_level)
    queue = Queue(queue_name or settings.rq_queue, connection=connection)
    worker = Worker([queue], connection=connection, name=name)
    return bool(worker.work(burst=burst, with_scheduler=with_scheduler, logging_level=settings.log_level))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--queue", help="queue to work (default: ECOMINTEL_RQ_QUEUE)")
    parser.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    parser.add_argument("--no-scheduler", action="store_true", help="do not run RQ's scheduler in this worker")
    parser.add_argument("--name", help="worker name (default: RQ's)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workers.worker", description=__doc__.splitlines()[0])
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run_from_args(args)


def run_from_args(args: argparse.Namespace, settings: Settings | None = None) -> int:
    try:
        run_worker(settings or load_settings(), queue_name=args.queue, burst=args.burst,
                   with_scheduler=not args.no_scheduler, name=args.name)
    except EcomintelError as exc:
        print(f"error: {exc.user_message()}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
