"""Observability, for real: the metrics endpoint scraped over HTTP and parsed with prometheus_client's parser
(app process and a real worker process in multiprocess mode), JSON log lines with request/tenant/user ids,
and OpenTelemetry spans ask → plan → agents → synthesis and ingest → load."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.parser import text_string_to_metric_families

from ecomintel.ask.service import ask
from ecomintel.config import load_settings
from ecomintel.context import RequestContext
from ecomintel.db.engine import make_engine, migrate
from ecomintel.db.repository import Repository
from ecomintel.db.tenants import ensure_tenant
from ecomintel.ingest.pipeline import ingest_file
from ecomintel.metrics_server import install_db_timing, start_metrics_server
from ecomintel.observability import observe_ask, setup_logging
from ecomintel.sync.runner import run_source
from ecomintel.sync.sources import configure_source
from ecomintel.tracing import use_tracer
from tests.conftest import ROOT, new_tenant_ctx
from tests.sales_helpers import SMALL
from tests.sync_helpers import sync_settings
from tests.sync_servers import Reply, ScriptedServer
from tests.worker_procs import worker_env

FEED = "sku,name,price\nM-1,Mixer,80\nM-2,Blender,65\n"


def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_metrics_endpoint_serves_what_the_app_counts(sqlite_engine: sa.Engine) -> None:
    port = start_metrics_server(0, addr="127.0.0.1")
    assert port
    install_db_timing()
    before = scrape(port)
    repo = Repository(sqlite_engine, new_tenant_ctx(sqlite_engine))
    with ScriptedServer() as server:
        server.route("/f.csv", Reply(200, FEED))
        configure_source(repo, name="feed", connector="http_feed", options={"url": server.url("/f.csv"),
                                                                            "kind": "products"})
        run_source(repo, sync_settings(), "feed")
    observe_ask(0.3, "quick", False, planner="llm:gpt-4o-mini", intent="top_products", status="ok",
                agents=[{"agent": "sales", "status": "ok", "elapsed_ms": 120}])
    observe_ask(0.1, "quick", False, planner="offline", intent="cannot_answer", status="cannot_answer")
    after = scrape(port)
    assert value(after, "ecomintel_sync_runs_total", connector="http_feed", status="ok") \
        == value(before, "ecomintel_sync_runs_total", connector="http_feed", status="ok") + 1
    assert value(after, "ecomintel_sync_pages_total", connector="http_feed", result="ok") >= 1
    assert value(after, "ecomintel_ingest_rows_total", kind="products", result="accepted") \
        == value(before, "ecomintel_ingest_rows_total", kind="products", result="accepted") + 2
    assert value(after, "ecomintel_questions_total", mode="quick", planner="llm", intent="top_products",
                 status="ok") >= 1
    assert value(after, "ecomintel_cannot_answer_total", intent="cannot_answer") >= 1
    assert value(after, "ecomintel_agent_runs_total", agent="sales", status="ok") >= 1
    assert value(after, "ecomintel_question_seconds_count", mode="quick", planner="llm", intent="top_products") >= 1
    assert value(after, "ecomintel_db_query_seconds_count", dialect="sqlite", statement="INSERT") > \
        value(before, "ecomintel_db_query_seconds_count", dialect="sqlite", statement="INSERT")


def test_a_worker_serves_the_metrics_of_the_jobs_it_ran(tmp_path: Path, redis_url: str, redis_namespace: str) -> None:
    import redis
    from rq import Queue

    from ecomintel.sync.tasks import run_sync_job

    queue_name = f"metrics-{redis_namespace}"
    url = f"sqlite:///{tmp_path / 'w.db'}"
    engine = make_engine(url)
    migrate(engine)
    repo = Repository(engine, RequestContext(tenant_id=ensure_tenant(engine, "w").id))
    port = free_port()
    multiproc = tmp_path / "prom"
    multiproc.mkdir()
    env = {**worker_env(redis_url), "ECOMINTEL_DATABASE_URL": url, "ECOMINTEL_WORKER_METRICS_PORT": str(port),
           "ECOMINTEL_RQ_QUEUE": queue_name, "PROMETHEUS_MULTIPROC_DIR": str(multiproc)}
    with ScriptedServer() as server:
        server.route("/f.csv", Reply(200, FEED))
        source_id = configure_source(repo, name="feed", connector="http_feed",
                                     options={"url": server.url("/f.csv"), "kind": "products"})
        proc = subprocess.Popen([sys.executable, "-m", "workers.worker", "--queue", queue_name], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            Queue(queue_name, connection=redis.Redis.from_url(redis_url)).enqueue(
                run_sync_job, kwargs={"tenant_id": repo.tenant_id, "source_id": source_id, "trigger": "manual"})
            deadline = time.monotonic() + 90
            samples: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
            while time.monotonic() < deadline:
                try:
                    samples = scrape(port)
                    if value(samples, "ecomintel_sync_runs_total", connector="http_feed", status="ok"):
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.3)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    # counted in the forked work horse, served by the worker's endpoint
    assert value(samples, "ecomintel_sync_runs_total", connector="http_feed", status="ok") == 1
    assert value(samples, "ecomintel_ingest_rows_total", kind="products", result="accepted") == 2
    assert ("ecomintel_queue_depth", (("queue", queue_name), ("state", "queued"))) in samples
    engine.dispose()


def test_every_log_line_is_json_with_request_tenant_and_user(sqlite_engine: sa.Engine, restore_loggers: None) -> None:
    stream = io.StringIO()
    setup_logging("INFO", stream=stream)
    ctx = RequestContext(tenant_id=new_tenant_ctx(sqlite_engine).tenant_id, user_id=7, request_id="req-42")
    repo = Repository(sqlite_engine, ctx)
    with ScriptedServer() as server:
        server.route("/f.csv", Reply(500))
        configure_source(repo, name="feed", connector="http_feed", options={"url": server.url("/f.csv"),
                                                                            "kind": "products"})
        run_source(repo, sync_settings(sync_retries=0), "feed")
    import logging

    logging.getLogger("ecomintel.elsewhere").warning("outside any request")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) >= 3
    for line in lines:
        assert {"ts", "level", "logger", "message", "request_id", "tenant_id", "user_id"} <= set(line)
    finished = next(line for line in lines if line["message"] == "sync finished")
    assert (finished["request_id"], finished["tenant_id"], finished["user_id"]) == ("req-42", ctx.tenant_id, 7)
    assert finished["status"] == "failed" and finished["sync_source"] == "feed"
    assert lines[-1]["tenant_id"] is None and lines[-1]["message"] == "outside any request"


@pytest.fixture
def spans() -> InMemorySpanExporter:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    use_tracer(provider.get_tracer("test"))
    yield exporter
    use_tracer(None)


def test_spans_around_ingest_and_ask(sqlite_engine: sa.Engine, spans: InMemorySpanExporter) -> None:
    repo = Repository(sqlite_engine, new_tenant_ctx(sqlite_engine))
    settings = load_settings({})
    ingest_file(repo, "sales", SMALL, settings=settings)
    report = ask("revenue by month", repo=repo, settings=settings, save=False)
    assert report["status"] in ("ok", "partial")
    finished = {s.name: s for s in spans.get_finished_spans()}
    assert {"ingest", "ingest.load", "ask", "ask.plan", "ask.agents", "ask.synthesis"} <= set(finished)

    def parent(name: str) -> str | None:
        p = finished[name].parent
        return next((s.name for s in finished.values() if p and s.context.span_id == p.span_id), None)

    assert parent("ingest.load") == "ingest"
    assert parent("ask.plan") == parent("ask.agents") == parent("ask.synthesis") == "ask"
    assert finished["ask"].attributes["ecomintel.tenant_id"] == repo.tenant_id


def test_console_tracing_is_configured_from_settings() -> None:
    code = ("import io,sys; from ecomintel.tracing import setup_tracing, span; out=io.StringIO();"
            "assert setup_tracing('console', stream=out);\nwith span('sync.page', url='u'): pass\n"
            "print(out.getvalue())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["name"] == "sync.page"


def test_otlp_exporter_posts_spans_to_the_configured_endpoint() -> None:
    """ECOMINTEL_TRACING=otlp: spans leave the process as OTLP/HTTP protobuf to the endpoint (a local server)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    received: list[tuple[str, str, bytes]] = []

    class Collector(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received.append((self.path, self.headers.get("Content-Type", ""), body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}/v1/traces"
    code = ("from ecomintel.config import load_settings; from ecomintel.tracing import setup_tracing, span\n"
            "s = load_settings()\nassert setup_tracing(s.tracing, endpoint=s.otlp_endpoint)\n"
            "with span('sync.run', source='rivals'): pass\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "ECOMINTEL_TRACING": "otlp",
                               "ECOMINTEL_OTLP_ENDPOINT": endpoint})
    server.shutdown()
    assert done.returncode == 0, done.stderr
    assert received and received[0][0] == "/v1/traces" and received[0][1] == "application/x-protobuf"
    assert b"sync.run" in received[0][2] and b"rivals" in received[0][2]
