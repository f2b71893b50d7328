"""Prometheus counters move with cache use; JSON logging writes one parseable object per line."""

from __future__ import annotations

import io
import json
import logging

from prometheus_client import REGISTRY

from ecomintel.cache import MemoryCache
from ecomintel.observability import metrics_text, observe_ask, setup_logging


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_cache_hits_and_misses_are_counted() -> None:
    hits = _value("ecomintel_cache_requests_total", backend="memory", result="hit")
    misses = _value("ecomintel_cache_requests_total", backend="memory", result="miss")
    cache = MemoryCache()
    cache.get("nope")
    cache.set("k", 1)
    cache.get("k")
    cache.get("k")
    assert _value("ecomintel_cache_requests_total", backend="memory", result="hit") == hits + 2
    assert _value("ecomintel_cache_requests_total", backend="memory", result="miss") == misses + 1


def test_ask_latency_histogram_and_exposition() -> None:
    before = _value("ecomintel_ask_seconds_count", mode="deep", cached="false")
    observe_ask(1.5, "deep", False)
    assert _value("ecomintel_ask_seconds_count", mode="deep", cached="false") == before + 1
    assert b"ecomintel_ask_seconds_bucket" in metrics_text()


def test_json_logging_one_object_per_line(restore_loggers: None) -> None:
    stream = io.StringIO()
    setup_logging("DEBUG", stream=stream)
    setup_logging("INFO", stream=stream)  # idempotent: still one handler
    log = logging.getLogger("ecomintel.test")
    log.debug("hidden")
    log.info("answered %s", "q1", extra={"tenant_id": 7})
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("failed")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [r["message"] for r in lines] == ["answered q1", "failed"]
    assert lines[0]["tenant_id"] == 7 and lines[0]["level"] == "INFO" and lines[0]["logger"] == "ecomintel.test"
    assert "ValueError: boom" in lines[1]["exc_info"]
    assert len(logging.getLogger("ecomintel").handlers) == 1
