"""Per-host politeness: a rate limit per host, robots.txt per host — shared by all threads of one run.

Why per host and not global: the price tracker's pages sit on a few shops; what a shop notices (and
blocks) is requests per second to *it*. Hosts are worked in parallel, each at most `rate` requests per
second (or slower when its robots.txt asks for a Crawl-delay), so a run of N hosts can reach N × rate.
"""

from __future__ import annotations

import threading
import time
import urllib.robotparser
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from ecomintel.sync.http import FetchError, fetch


def host_of(url: str) -> str:
    """scheme://host[:port] — the unit of politeness (local servers on different ports are different hosts)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class HostLimiter:
    """At most `rate` requests per second per host; `wait(host)` blocks until this request may go."""

    def __init__(self, rate_per_s: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if rate_per_s <= 0:
            raise ValueError("rate_per_s must be positive")
        self.interval = 1.0 / rate_per_s
        self.clock, self.sleep = clock, sleep
        self._next: dict[str, float] = {}
        self._delay: dict[str, float] = {}
        self._gates: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def slow_down(self, host: str, seconds: float) -> None:
        """Space this host's requests at least `seconds` apart (robots.txt Crawl-delay)."""
        with self._lock:
            self._delay[host] = max(self._delay.get(host, 0.0), seconds)

    def wait(self, host: str) -> None:
        """Block until this host's next slot, then set the slot after it.

        One waiter per host at a time (a per-host lock held while sleeping), so threads queued behind a
        thread that woke late (a busy machine) cannot all go at once in a burst."""
        with self._lock:
            gate = self._gates.setdefault(host, threading.Lock())
        with gate:
            now = self.clock()
            at = self._next.get(host, now)
            if at > now:
                self.sleep(at - now)
            spacing = max(self.interval, self._delay.get(host, 0.0))
            # on schedule (the long-run rate holds even when wake-ups are late), but never two requests to a
            # host closer than half the spacing (a late wake-up cannot release a burst)
            self._next[host] = max(max(at, now) + spacing, self.clock() + spacing / 2)


class RobotsCache:
    """robots.txt of each host, fetched once per run with our User-Agent (RFC 9309 rules for failures:
    a missing robots.txt (4xx) allows everything; an unreachable one (5xx, timeouts) disallows the host)."""

    def __init__(self, client: httpx.Client, user_agent: str, limiter: HostLimiter, attempts: int = 2) -> None:
        self.client, self.user_agent, self.limiter, self.attempts = client, user_agent, limiter, attempts
        self._parsers: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self._reasons: dict[str, str] = {}
        self._lock = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}

    def _load(self, host: str) -> urllib.robotparser.RobotFileParser | None:
        parser = urllib.robotparser.RobotFileParser()
        try:
            response = fetch(self.client, f"{host}/robots.txt", attempts=self.attempts,
                             before_attempt=lambda: self.limiter.wait(host))
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                parser.parse([])  # no rules: everything allowed
                return parser
            self._reasons[host] = f"robots.txt unreachable ({exc.reason}); host skipped"
            return None
        parser.parse(response.text.splitlines())
        delay = parser.crawl_delay(self.user_agent)
        if delay:
            self.limiter.slow_down(host, float(delay))
        return parser

    def allowed(self, url: str) -> tuple[bool, str]:
        """(may we fetch url, reason when not)."""
        host = host_of(url)
        with self._lock:
            lock = self._host_locks.setdefault(host, threading.Lock())
        with lock:
            if host not in self._parsers:
                self._parsers[host] = self._load(host)
        parser = self._parsers[host]
        if parser is None:
            return False, self._reasons.get(host, "robots.txt unreachable")
        if not parser.can_fetch(self.user_agent, url):
            return False, "disallowed by robots.txt"
        return True, ""
