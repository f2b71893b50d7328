"""fetch(): the retry rule every connector shares, against real local HTTP servers."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecomintel.sync.http import FetchError, backoff, fetch, make_client, retry_after_seconds
from tests.sync_servers import Reply, ScriptedServer


def client(timeout_s: float = 2.0) -> httpx.Client:
    return make_client(user_agent="ecomintel-test/1", timeout_s=timeout_s)


def test_500_then_success_is_retried_with_backoff() -> None:
    waits: list[float] = []
    with ScriptedServer() as server, client() as c:
        server.route("/x", Reply(500), Reply(503), Reply(200, body="ok"))
        response = fetch(c, server.url("/x"), attempts=4, base_delay_s=0.01, sleep=waits.append)
        assert response.text == "ok"
        assert len(server.hits("/x")) == 3
        assert server.hits("/x")[0].headers["user-agent"] == "ecomintel-test/1"
    assert len(waits) == 2 and all(0 <= w <= 0.02 for w in waits)


def test_429_waits_as_long_as_retry_after_says() -> None:
    waits: list[float] = []
    with ScriptedServer() as server, client() as c:
        server.route("/x", Reply(429, headers={"Retry-After": "3"}), Reply(200, body="ok"))
        assert fetch(c, server.url("/x"), sleep=waits.append).text == "ok"
    assert waits == [3.0]


def test_retry_after_longer_than_the_cap_fails_without_waiting() -> None:
    waits: list[float] = []
    with ScriptedServer() as server, client() as c:
        server.route("/x", Reply(429, headers={"Retry-After": "3600"}))
        with pytest.raises(FetchError, match="asked to wait 3600 s"):
            fetch(c, server.url("/x"), sleep=waits.append)
        assert len(server.hits("/x")) == 1
    assert waits == []


def test_persistent_5xx_fails_with_the_status_and_attempts() -> None:
    with ScriptedServer() as server, client() as c:
        server.route("/x", Reply(502))
        with pytest.raises(FetchError, match="HTTP 502 after 3 attempts") as info:
            fetch(c, server.url("/x"), attempts=3, sleep=lambda _s: None)
        assert info.value.status == 502
        assert len(server.hits("/x")) == 3


def test_4xx_is_not_retried() -> None:
    with ScriptedServer() as server, client() as c:
        server.route("/x", Reply(403))
        with pytest.raises(FetchError, match="HTTP 403"):
            fetch(c, server.url("/x"), attempts=4, sleep=lambda _s: None)
        assert len(server.hits("/x")) == 1


def test_timeouts_are_retried_then_reported() -> None:
    with ScriptedServer() as server, client(timeout_s=0.2) as c:
        server.route("/slow", Reply(200, body="late", delay_s=0.6), Reply(200, body="fast"))
        assert fetch(c, server.url("/slow"), attempts=3, sleep=lambda _s: None).text == "fast"
        server.route("/never", Reply(200, body="late", delay_s=0.6))
        with pytest.raises(FetchError, match="timed out after 2 attempts"):
            fetch(c, server.url("/never"), attempts=2, sleep=lambda _s: None)


def test_connection_refused_is_a_fetch_error() -> None:
    with client() as c, pytest.raises(FetchError, match="connection failed after 2 attempts"):
        fetch(c, "http://127.0.0.1:9/nothing", attempts=2, sleep=lambda _s: None)


def test_retry_after_forms() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now) == 30.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


@given(st.floats(0.001, 5), st.floats(0.01, 60), st.integers(1, 30))
def test_backoff_is_jittered_within_the_exponential_ceiling(base: float, cap: float, attempt: int) -> None:
    value = backoff(base, cap, attempt)
    assert 0 <= value <= min(cap, base * 2 ** (attempt - 1))


@given(st.lists(st.floats(0, 0.3), min_size=5, max_size=60), st.floats(1, 50))
def test_host_limiter_keeps_the_rate_even_when_wake_ups_are_late(lateness: list[float], rate: float) -> None:
    """A fake clock whose sleeps overshoot by `lateness`: sends stay ≥ half a spacing apart, and the long-run
    rate never exceeds the limit (the sends of N requests span at least (N-1)/rate minus one spacing)."""
    from ecomintel.sync.hosts import HostLimiter

    now = [0.0]
    late = iter(lateness * 2)

    def sleep(seconds: float) -> None:
        now[0] += seconds + next(late, 0.0)

    limiter = HostLimiter(rate, clock=lambda: now[0], sleep=sleep)
    sent = []
    for _ in lateness:
        limiter.wait("http://shop")
        sent.append(now[0])
        limiter.wait("http://other")  # another host never delays this one's schedule
    gaps = [b - a for a, b in itertools.pairwise(sent)]
    assert all(g >= 0.5 / rate - 1e-9 for g in gaps)
    assert sent[-1] - sent[0] >= (len(sent) - 2) / rate - 1e-9
