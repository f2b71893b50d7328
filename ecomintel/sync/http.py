"""The HTTP client and the retry rule every connector shares.

Why one `fetch`: the rule "retry timeouts, connection errors, 5xx and 429 with exponential backoff and
jitter, honour Retry-After, never retry other 4xx" must be the same for feeds, REST APIs and product
pages, and it is where the metrics for pages fetched are counted. tenacity does the retrying; the wait
is Retry-After when the server sent one (a polite client waits as long as asked), else exponential with
full jitter so many workers hitting one host do not retry in lock-step.

A fetch that still fails raises `FetchError` whose message says what happened in words ("HTTP 503 after
4 attempts", "timed out after 4 attempts"); the connector records it against the item and goes on.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER_S = 120.0  # a server asking for a longer pause gets it next run, not by blocking this one


class FetchError(Exception):
    """A request that failed for good; `reason` is one sentence for the run's error list."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class RetryableStatus(Exception):
    """A response worth retrying (5xx/429); carries the server's Retry-After in seconds, if any."""

    def __init__(self, response: httpx.Response, retry_after: float | None) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response
        self.retry_after = retry_after


def make_client(*, user_agent: str, timeout_s: float, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """A client with our User-Agent and a total timeout per request; redirects followed (product pages move)."""
    return httpx.Client(headers={"User-Agent": user_agent}, timeout=httpx.Timeout(timeout_s),
                        follow_redirects=True, transport=transport)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either delta-seconds ("7") or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff(base_s: float, cap_s: float, attempt: int, rng: random.Random | None = None) -> float:
    """Exponential backoff with full jitter: uniform(0, min(cap, base · 2^(attempt-1)))."""
    ceiling = min(cap_s, base_s * (2 ** max(0, attempt - 1)))
    return (rng or random).uniform(0, ceiling)


def _describe(exc: BaseException | None, attempts: int) -> FetchError:
    tries = f"after {attempts} attempt{'s' if attempts != 1 else ''}"
    if isinstance(exc, RetryableStatus):
        return FetchError(f"HTTP {exc.response.status_code} {tries}", exc.response.status_code)
    if isinstance(exc, httpx.TimeoutException):
        return FetchError(f"timed out {tries}")
    if isinstance(exc, httpx.TransportError):
        return FetchError(f"connection failed {tries} ({exc.__class__.__name__}: {str(exc)[:120]})")
    return FetchError(f"failed {tries}: {exc!r}"[:300])


def fetch(client: httpx.Client, url: str, *, method: str = "GET", headers: Mapping[str, str] | None = None,
          attempts: int = 4, base_delay_s: float = 0.5, max_delay_s: float = 30.0,
          before_attempt: Callable[[], Any] | None = None, sleep: Callable[[float], None] = time.sleep,
          on_retry: Callable[[str], None] | None = None) -> httpx.Response:
    """GET (or `method`) `url`; returns a 2xx/3xx response (304 included), raises FetchError otherwise.

    `before_attempt` runs before every attempt, retries included (the price tracker's per-host limiter);
    `on_retry(reason)` is told about each retry (metrics)."""

    def attempt_once() -> httpx.Response:
        if before_attempt is not None:
            before_attempt()
        response = client.request(method, url, headers=dict(headers or {}))
        if response.status_code in RETRY_STATUSES:
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            if wait is not None and wait > MAX_RETRY_AFTER_S:
                raise FetchError(f"HTTP {response.status_code}: the server asked to wait {wait:.0f} s "
                                 f"(more than {MAX_RETRY_AFTER_S:.0f}); left for the next run",
                                 response.status_code)
            raise RetryableStatus(response, wait)
        if response.status_code >= 400:
            raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}".strip(), response.status_code)
        return response

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RetryableStatus) and exc.retry_after is not None:
            return exc.retry_after
        return backoff(base_delay_s, max_delay_s, state.attempt_number)

    def tell(state: RetryCallState) -> None:
        if on_retry is not None and state.outcome is not None:
            on_retry(_describe(state.outcome.exception(), state.attempt_number).reason)

    retrying = Retrying(stop=stop_after_attempt(max(1, attempts)), wait=wait, sleep=sleep, before_sleep=tell,
                        retry=retry_if_exception_type((RetryableStatus, httpx.TimeoutException,
                                                       httpx.TransportError)),
                        reraise=True)
    try:
        return retrying(attempt_once)
    except FetchError:
        raise
    except (RetryableStatus, httpx.TimeoutException, httpx.TransportError) as exc:
        raise _describe(exc, max(1, attempts)) from exc
