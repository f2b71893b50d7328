"""OpenTelemetry spans around the steps an operator wants to see: ask → plan → agents → synthesis,
ingest → load, sync runs.

    @traced("ask.plan")          # on a function: a span per call (child of the caller's span)
    with span("sync.page", url=u): ...

Why a decorator and lazy set-up: the steps live in modules other engineers own, and a one-line decorator
is the smallest change there; and `ecomintel ask` must not pay for importing opentelemetry when tracing is
off (the default) — then `traced` calls the function directly and nothing is imported. `setup_tracing`
(app, worker, scheduler and CLI start-up) installs a tracer provider exporting to the console or to OTLP.

A traced function that receives a `repo` (a Repository) also binds the log context (request_id,
tenant_id, user_id) for its duration, so every log line below it carries them, and the span gets the
tenant id as an attribute.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast

from ecomintel.observability import current_log_context, log_context

F = TypeVar("F", bound=Callable[..., Any])
_tracer: Any = None  # an opentelemetry Tracer once setup_tracing installed one


def setup_tracing(mode: str, *, endpoint: str = "", stream: Any = None) -> bool:
    """Install a tracer provider: `console` (spans as JSON on `stream`, default stderr), `otlp` (OTLP/HTTP to
    `endpoint`), `none` (off). True if tracing is on. Idempotent per process (first call wins)."""
    global _tracer
    mode = (mode or "none").lower()
    if mode == "none" or _tracer is not None:
        return _tracer is not None
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor

    from ecomintel.errors import InputError

    provider = TracerProvider(resource=Resource.create({"service.name": "ecomintel"}))
    if mode == "console":
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter(out=stream or sys.stderr)))
    elif mode == "otlp":
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError as exc:
            raise InputError("ECOMINTEL_TRACING=otlp needs the OTLP exporter package.",
                             "pip install opentelemetry-exporter-otlp-proto-http, or use ECOMINTEL_TRACING=console.") from exc
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    else:
        raise InputError(f"Unknown ECOMINTEL_TRACING value {mode!r}.", "Use none, console or otlp.")
    trace.set_tracer_provider(provider)
    _tracer = trace.get_tracer("ecomintel")
    return True


def use_tracer(tracer: Any) -> None:
    """Use this tracer (tests pass one bound to an in-memory exporter); None turns tracing off again."""
    global _tracer
    _tracer = tracer


@contextlib.contextmanager
def span(name: str, **attributes: Any) -> Iterator[Any]:
    """A span named `name` with `attributes` (None values dropped); a no-op when tracing is off."""
    if _tracer is None:
        yield None
        return
    with _tracer.start_as_current_span(name) as current:
        for key, value in attributes.items():
            if value is not None:
                current.set_attribute(key, value if isinstance(value, bool | int | float | str) else str(value))
        for key in ("request_id", "tenant_id"):
            value = current_log_context().get(key)
            if value is not None:
                current.set_attribute(f"ecomintel.{key}", value)
        yield current


def _repo_ctx(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    repo = kwargs.get("repo")
    if repo is None:
        repo = next((a for a in args if hasattr(a, "ctx") and hasattr(a, "tenant_id")), None)
    return getattr(repo, "ctx", None)


def traced(name: str) -> Callable[[F], F]:
    """Decorator: run the function inside `span(name)` and, when it gets a repository, inside its log context."""

    def wrap(func: F) -> F:
        @functools.wraps(func)
        def call(*args: Any, **kwargs: Any) -> Any:
            ctx = _repo_ctx(args, kwargs)
            if _tracer is None and ctx is None:
                return func(*args, **kwargs)
            bind = log_context(ctx) if ctx is not None and not current_log_context() else contextlib.nullcontext()
            with bind, span(name):
                return func(*args, **kwargs)

        return cast(F, call)

    return wrap
