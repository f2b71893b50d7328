"""Prometheus metrics and JSON logging: how an operator sees what ecomintel is doing.

Why module-level metric objects: that is the prometheus-client idiom (one collector per metric name in
the process registry); defining them twice raises. They only count, they hold no application state.
Note on RQ: a worker runs each job in a forked work horse, so counters incremented inside a job die with
the horse; for RQ jobs we count submissions here and leave outcomes to RQ's own registries (`rq info`).

Why a hand-written JSON formatter: it is twenty lines, and one log line = one JSON object is all that log
shippers need; no extra dependency.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from prometheus_client import REGISTRY as DEFAULT_REGISTRY
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

CACHE_REQUESTS = Counter(
    "ecomintel_cache_requests_total", "Cache lookups by backend and result (hit|miss).", ["backend", "result"]
)
CACHE_ERRORS = Counter(
    "ecomintel_cache_errors_total", "Cache operations that failed because the backend was unreachable.", ["backend"]
)
ASK_SECONDS = Histogram(
    "ecomintel_ask_seconds", "Time to answer a question, by mode and whether it came from the cache.",
    ["mode", "cached"], buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
JOBS = Counter("ecomintel_jobs_total", "Background jobs by backend and event (submitted|finished|failed).",
               ["backend", "event"])
JOB_SECONDS = Histogram(
    "ecomintel_job_seconds", "Run time of background jobs executed in this process, by backend and outcome.",
    ["backend", "outcome"], buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
)


def observe_ask(seconds: float, mode: str, cached: bool) -> None:
    """Record one answered question (the ask service calls this once per answer)."""
    ASK_SECONDS.labels(mode=mode, cached=str(bool(cached)).lower()).observe(seconds)


def metrics_text(registry: CollectorRegistry = DEFAULT_REGISTRY) -> bytes:
    """The Prometheus text exposition of every metric (for a /metrics endpoint or a debug page)."""
    return generate_latest(registry)


_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, any `extra=` fields, and exc_info if any."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str, ensure_ascii=False)


def setup_logging(level: str = "INFO", stream: Any = None) -> logging.Handler:
    """Send the `ecomintel` and `rq` loggers to `stream` (stderr) as JSON lines at `level`.

    Idempotent: a second call replaces the handler it installed instead of adding another.
    Returns the handler (tests read what it wrote).
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.set_name("ecomintel-json")
    for name in ("ecomintel", "workers", "rq"):
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if h.get_name() == "ecomintel-json"]:
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.setLevel(level.upper())
        logger.propagate = False
    return handler
