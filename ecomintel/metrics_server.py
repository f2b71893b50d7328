"""Serving the metrics: a Prometheus endpoint per process (app, each worker, the scheduler), the job queue
depth read from Redis at scrape time, and database statement timing.

    setup_observability(settings, role="app")   # logging, tracing, DB timing, metrics server — once per process

Why queue depth is a collector and not a gauge we set: the depth changes in Redis, not in our process;
reading it when Prometheus scrapes is always current and costs one pipeline per scrape.

Why multiprocess mode for workers: an RQ worker runs each job in a forked work horse, so a job's counters
(sync runs, ingested rows) die with the horse. With PROMETHEUS_MULTIPROC_DIR set (compose.yaml sets it
for workers), prometheus-client keeps each process's values in files in that folder and
the worker's endpoint adds them up (`MultiProcessCollector`). Without it the worker serves only its own
process's metrics and logs a warning saying so.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from prometheus_client import REGISTRY, CollectorRegistry, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from ecomintel.config import Settings
from ecomintel.observability import DB_QUERY_SECONDS, setup_logging

if TYPE_CHECKING:
    import redis

log = logging.getLogger(__name__)
_servers: dict[int, Any] = {}
_lock = threading.Lock()
_db_timing_installed = False
_queue_collectors: set[str] = set()


class QueueDepthCollector(Collector):
    """ecomintel_queue_depth{queue, state}: jobs queued, scheduled (delayed/retry), started and failed."""

    def __init__(self, connection: redis.Redis, queue_names: list[str]) -> None:
        self.connection = connection
        self.queue_names = queue_names

    def collect(self) -> Iterator[GaugeMetricFamily]:
        import redis
        from rq import Queue

        family = GaugeMetricFamily("ecomintel_queue_depth", "Jobs in the RQ queue by state.", labels=["queue", "state"])
        up = GaugeMetricFamily("ecomintel_redis_up", "1 if Redis answered the last scrape, else 0.")
        try:
            for name in self.queue_names:
                queue = Queue(name, connection=self.connection)
                family.add_metric([name, "queued"], queue.count)
                family.add_metric([name, "scheduled"], queue.scheduled_job_registry.count)
                family.add_metric([name, "started"], queue.started_job_registry.count)
                family.add_metric([name, "failed"], queue.failed_job_registry.count)
            up.add_metric([], 1)
        except redis.RedisError:
            up.add_metric([], 0)
        yield family
        yield up


def install_db_timing() -> None:
    """Time every SQL statement of every engine of this process (SQLAlchemy engine events, once)."""
    global _db_timing_installed
    if _db_timing_installed:
        return
    import sqlalchemy as sa

    def before(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        conn.info.setdefault("ecomintel_query_start", []).append(time.perf_counter())

    def after(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        starts = conn.info.get("ecomintel_query_start")
        if starts:
            kind = (statement.lstrip().split(None, 1) or ["OTHER"])[0].upper()[:10]
            kind = kind if kind in {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "COPY"} else "OTHER"
            DB_QUERY_SECONDS.labels(dialect=conn.dialect.name, statement=kind).observe(
                time.perf_counter() - starts.pop())

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", before)
    sa.event.listen(sa.engine.Engine, "after_cursor_execute", after)
    _db_timing_installed = True


def metrics_registry(multiprocess: bool | None = None) -> CollectorRegistry:
    """The registry to serve: the process registry, or a multiprocess aggregate when
    PROMETHEUS_MULTIPROC_DIR is set (workers)."""
    if multiprocess is None:
        multiprocess = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
    if not multiprocess:
        return REGISTRY
    from prometheus_client import multiprocess as mp

    registry = CollectorRegistry()
    mp.MultiProcessCollector(registry)
    return registry


def start_metrics_server(port: int, *, registry: CollectorRegistry | None = None, addr: str = "0.0.0.0") -> int:
    """Serve `registry` on http://addr:port/metrics in a daemon thread (once per port and process).
    Returns the port actually bound (port 0 = any free port, for tests); 0 when binding failed (logged —
    a second app process on one machine must still start)."""
    with _lock:
        if port and port in _servers:
            return port
        try:
            server, _thread = start_http_server(port, addr=addr, registry=registry or REGISTRY)
        except OSError as exc:
            log.warning("metrics port %s is not available (%s); metrics not served by this process", port, exc)
            return 0
        bound = int(server.server_address[1])
        _servers[bound] = server
        return bound


def add_queue_depth(settings: Settings, registry: CollectorRegistry = REGISTRY) -> None:
    """Report the depth of settings.rq_queue from this process's metrics (when Redis is configured)."""
    if not settings.redis_url or settings.rq_queue in _queue_collectors:
        return
    from ecomintel.cache import redis_client

    registry.register(QueueDepthCollector(redis_client(settings.redis_url), [settings.rq_queue]))
    _queue_collectors.add(settings.rq_queue)


def setup_observability(settings: Settings, *, role: str = "app") -> int:
    """JSON logs, tracing, DB timing and the metrics endpoint for this process (`role`: app, worker,
    scheduler). Returns the metrics port served (0 when off). Safe to call again (Streamlit reruns)."""
    from ecomintel.tracing import setup_tracing

    setup_logging(settings.log_level, propagate=role == "app")
    setup_tracing(settings.tracing, endpoint=settings.otlp_endpoint)
    install_db_timing()
    port = settings.metrics_port if role == "app" else settings.worker_metrics_port
    if not port:
        return 0
    registry = metrics_registry()
    if role == "worker" and registry is REGISTRY:
        log.warning("PROMETHEUS_MULTIPROC_DIR is not set: this worker's metrics leave out what its jobs count "
                    "(each job runs in a forked process); set it to an empty folder to include them")
    add_queue_depth(settings, registry)
    return start_metrics_server(port, registry=registry)
