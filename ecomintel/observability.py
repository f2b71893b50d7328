"""Prometheus metrics and JSON logging: how an operator sees what ecomintel is doing.

Why module-level metric objects: that is the prometheus-client idiom (one collector per metric name in
the process registry); defining them twice raises. They only count, they hold no application state.
Note on RQ: a worker runs each job in a forked work horse, so counters incremented inside a job die with
the horse unless PROMETHEUS_MULTIPROC_DIR is set (compose.yaml sets it for workers; see metrics_server.py).

Why a hand-written JSON formatter: it is twenty lines, and one log line = one JSON object is all that log
shippers need (python-json-logger would add nothing we use). Every line carries request_id, tenant_id and
user_id from `log_context` (null outside a request), so one request can be followed across app, worker and
scheduler logs.

Where the numbers are served: ecomintel/metrics_server.py (the /metrics endpoint of each process, queue
depth read from Redis at scrape time, database statement timing, multiprocess mode for RQ workers — which
is how counters incremented inside a forked job still reach Prometheus). Spans: ecomintel/tracing.py.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import sys
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from prometheus_client import REGISTRY as DEFAULT_REGISTRY
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

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


QUESTIONS = Counter("ecomintel_questions_total", "Questions answered, by mode, planner, intent and report status.",
                    ["mode", "planner", "intent", "status"])
QUESTION_SECONDS = Histogram(
    "ecomintel_question_seconds", "Time to answer a question, by mode, planner and intent.",
    ["mode", "planner", "intent"], buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
CANNOT_ANSWER = Counter("ecomintel_cannot_answer_total", "Questions answered with status cannot_answer, by intent.",
                        ["intent"])
AGENT_RUNS = Counter("ecomintel_agent_runs_total", "Agent runs by agent and status (ok|partial|failed|timeout).",
                     ["agent", "status"])
AGENT_SECONDS = Histogram("ecomintel_agent_seconds", "Agent run time by agent.", ["agent"],
                          buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
LLM_TOKENS = Counter("ecomintel_llm_tokens_total", "LLM tokens by provider, model, tenant and kind (prompt|completion).",
                     ["provider", "model", "tenant", "kind"])
LLM_COST = Counter("ecomintel_llm_cost_usd_total", "LLM spend in USD by provider, model and tenant.",
                   ["provider", "model", "tenant"])
LLM_BUDGET_USED = Gauge("ecomintel_llm_budget_used_ratio",
                        "Share of the tenant's monthly LLM budget spent, as of its last LLM call.", ["tenant"])
INGEST_ROWS = Counter("ecomintel_ingest_rows_total", "Rows ingested by kind and result (accepted|rejected|duplicate).",
                      ["kind", "result"])
SYNC_RUNS = Counter("ecomintel_sync_runs_total", "Sync runs by connector and status (ok|partial|failed).",
                    ["connector", "status"])
SYNC_PAGES = Counter("ecomintel_sync_pages_total", "Pages fetched by syncs, by connector and result "
                     "(ok|unchanged|failed).", ["connector", "result"])
SYNC_RETRIES = Counter("ecomintel_sync_retries_total", "Sync requests retried after a transient failure.", ["connector"])
SYNC_LAST_SUCCESS = Gauge("ecomintel_sync_last_success_timestamp_seconds",
                          "Unix time of the last ok or partial run of each source.", ["tenant", "source"])
DB_QUERY_SECONDS = Histogram("ecomintel_db_query_seconds", "Database statement time by dialect and statement kind.",
                             ["dialect", "statement"],
                             buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10))


def observe_ask(seconds: float, mode: str, cached: bool, *, planner: str | None = None, intent: str | None = None,
                status: str | None = None, agents: Iterable[Mapping[str, Any]] = ()) -> None:
    """Record one answered question (the ask service calls this once per answer): its latency by mode /
    planner / intent, its status (cannot_answer counted apart), and each agent's status and time."""
    ASK_SECONDS.labels(mode=mode, cached=str(bool(cached)).lower()).observe(seconds)
    planner_label = (planner or "unknown").split(":", 1)[0]  # llm:<model> → llm (bounded label values)
    intent_label = intent or "unknown"
    QUESTIONS.labels(mode=mode, planner=planner_label, intent=intent_label, status=status or "ok").inc()
    QUESTION_SECONDS.labels(mode=mode, planner=planner_label, intent=intent_label).observe(seconds)
    if status == "cannot_answer":
        CANNOT_ANSWER.labels(intent=intent_label).inc()
    if cached:
        return  # a cached answer ran no agents
    for agent in agents:
        name = str(agent.get("agent", "unknown"))
        AGENT_RUNS.labels(agent=name, status=str(agent.get("status", "unknown"))).inc()
        if agent.get("elapsed_ms") is not None:
            AGENT_SECONDS.labels(agent=name).observe(float(agent["elapsed_ms"]) / 1000)


def observe_llm_budget(tenant_id: int, spent_usd: float, budget_usd: float) -> None:
    """How much of the tenant's monthly LLM budget is spent (the LLM-budget alert fires near 1)."""
    if budget_usd > 0:
        LLM_BUDGET_USED.labels(tenant=str(tenant_id)).set(spent_usd / budget_usd)


def observe_llm(*, provider: str, model: str, tenant_id: int, prompt_tokens: int, completion_tokens: int,
                cost_usd: float, budget_usd: float | None = None, spent_usd: float | None = None) -> None:
    """Record one LLM call's tokens and cost (and, when known, how much of the monthly budget is spent)."""
    tenant = str(tenant_id)
    LLM_TOKENS.labels(provider=provider, model=model, tenant=tenant, kind="prompt").inc(max(0, prompt_tokens))
    LLM_TOKENS.labels(provider=provider, model=model, tenant=tenant, kind="completion").inc(max(0, completion_tokens))
    LLM_COST.labels(provider=provider, model=model, tenant=tenant).inc(max(0.0, cost_usd))
    if budget_usd and spent_usd is not None:
        LLM_BUDGET_USED.labels(tenant=tenant).set(spent_usd / budget_usd)


def observe_ingest(kind: str, *, accepted: int, rejected: int, duplicates: int) -> None:
    """Record one ingest's row counts (uploads, CLI and syncs alike)."""
    INGEST_ROWS.labels(kind=kind, result="accepted").inc(accepted)
    INGEST_ROWS.labels(kind=kind, result="rejected").inc(rejected)
    INGEST_ROWS.labels(kind=kind, result="duplicate").inc(duplicates)


def observe_sync(*, connector: str, status: str, tenant_id: int, source: str, pages_ok: int, pages_unchanged: int,
                 pages_failed: int, finished_at: float) -> None:
    """Record one finished sync run."""
    SYNC_RUNS.labels(connector=connector, status=status).inc()
    SYNC_PAGES.labels(connector=connector, result="ok").inc(pages_ok)
    SYNC_PAGES.labels(connector=connector, result="unchanged").inc(pages_unchanged)
    SYNC_PAGES.labels(connector=connector, result="failed").inc(pages_failed)
    if status in ("ok", "partial"):
        SYNC_LAST_SUCCESS.labels(tenant=str(tenant_id), source=source).set(finished_at)


def metrics_text(registry: CollectorRegistry = DEFAULT_REGISTRY) -> bytes:
    """The Prometheus text exposition of every metric (for a /metrics endpoint or a debug page)."""
    return generate_latest(registry)


_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
CONTEXT_FIELDS = ("request_id", "tenant_id", "user_id")
_log_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("ecomintel_log_context",
                                                                                    default=None)


@contextlib.contextmanager
def log_context(ctx: Any = None, **fields: Any) -> Iterator[None]:
    """Every log line written inside the block carries request_id / tenant_id / user_id of `ctx` (a
    RequestContext) and any other `fields`. Nested blocks add to (and override) the outer one.

    Why a contextvar: the context travels with the call (threads started inside need their own block, which
    the job runner and the price tracker do), never as a global a concurrent request could overwrite."""
    values = dict(_log_context.get() or {})
    if ctx is not None:
        values.update({"request_id": getattr(ctx, "request_id", None), "tenant_id": getattr(ctx, "tenant_id", None),
                       "user_id": getattr(ctx, "user_id", None)})
    values.update(fields)
    token = _log_context.set(values)
    try:
        yield
    finally:
        _log_context.reset(token)


def current_log_context() -> dict[str, Any]:
    return dict(_log_context.get() or {})


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, request_id, tenant_id, user_id (from
    `log_context`), any `extra=` fields, and exc_info if any."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        bound = _log_context.get() or {}
        for key in CONTEXT_FIELDS:  # on every line, null when unknown (a log query can rely on the keys)
            payload[key] = bound.get(key)
        payload.update({k: v for k, v in bound.items() if k not in CONTEXT_FIELDS})
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str, ensure_ascii=False)


def setup_logging(level: str = "INFO", stream: Any = None, *, propagate: bool = False) -> logging.Handler:
    """Send the `ecomintel` and `rq` loggers to `stream` (stderr) as JSON lines at `level`.

    Idempotent: a second call replaces the handler it installed instead of adding another.
    `propagate`: also hand records to the root logger's handlers. Off for workers and the CLI (a library that
    configured the root logger would print every line twice); on in the app process, whose root logger has
    no handlers of its own and where Streamlit's test harness and pytest's caplog listen on the root.
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
        logger.propagate = propagate
    return handler
