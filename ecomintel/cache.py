"""The answer cache: Redis when ECOMINTEL_REDIS_URL is set, an in-process LRU otherwise.

Why keys carry tenant and data_version: every ingest or sync bumps the tenant's data_version, so a key
built from (tenant_id, data_version, normalised plan) can never serve another tenant's answer or an answer
computed from older data; no explicit invalidation is needed (old entries simply age out by TTL/LRU).

Why values are stored as JSON in both backends: a cached report is then always a fresh copy (a caller that
adds `cached=True` to what it got cannot change the stored entry), and the two backends return exactly the
same types, so code tested on one behaves the same on the other.

Redis outage policy (documented fallback): a cache is an optimisation, so by default an unreachable Redis
makes `get` a miss and `set` a no-op, with a warning logged once per outage and
`ecomintel_cache_errors_total` counted; answers keep flowing, only slower. `RedisCache(strict=True)` raises
`ServiceUnavailable` instead (for health checks, or callers that must know); `ping()` always raises.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

import redis
import sqlalchemy as sa

from ecomintel.config import Settings
from ecomintel.errors import ServiceUnavailable
from ecomintel.observability import CACHE_ERRORS, CACHE_REQUESTS
from ecomintel.redact import redact_url

log = logging.getLogger(__name__)

# Plan fields that describe how a plan was made, not what it asks: two plans differing only here give the
# same answer, so they must share a cache entry.
IGNORED_PLAN_FIELDS = frozenset({"planner", "confidence", "notes"})
KEY_VERSION = "v1"  # bump when the key recipe or the cached value's shape changes


@runtime_checkable
class Cache(Protocol):
    """What the ask service needs from a cache. Values must be JSON-serialisable."""

    def get(self, key: str) -> Any | None: ...

    def set(self, key: str, value: Any, ttl_s: int | None = None) -> None: ...

    def stats(self) -> dict[str, Any]: ...


def _json_default(obj: Any) -> Any:
    """JSON for the few non-JSON types reports contain (dates, numpy scalars, Decimal)."""
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    if isinstance(obj, Decimal):
        return float(obj)
    if hasattr(obj, "item") and callable(obj.item):  # numpy scalar
        return obj.item()
    if hasattr(obj, "tolist") and callable(obj.tolist):  # numpy array
        return obj.tolist()
    raise TypeError(f"cannot cache a value of type {type(obj).__name__}")


def dumps(value: Any) -> str:
    return json.dumps(value, default=_json_default, separators=(",", ":"), ensure_ascii=False)


def normalise_plan(plan: Mapping[str, Any] | Any) -> dict[str, Any]:
    """The parts of a plan that determine its answer, in a canonical form.

    Accepts a dict or a pydantic model. Drops IGNORED_PLAN_FIELDS and sorts the lists inside `filters`
    (a filter is a set: countries [FR, DE] and [DE, FR] select the same rows).
    """
    if hasattr(plan, "model_dump"):
        plan = plan.model_dump(mode="json")
    data = {k: v for k, v in dict(plan).items() if k not in IGNORED_PLAN_FIELDS}
    filters = data.get("filters")
    if isinstance(filters, Mapping):
        data["filters"] = {
            k: sorted(v, key=dumps) if isinstance(v, list | tuple) else v for k, v in filters.items()
        }
    return data


def cache_key(tenant_id: int, data_version: int, plan_dict: Mapping[str, Any] | Any) -> str:
    """`ask:v1:t<tenant>:d<data_version>:<sha256 of the canonical normalised plan>`.

    The tenant and version are plain integers between fixed separators, so two different
    (tenant, data_version) pairs can never produce the same key whatever the plans are.
    """
    if isinstance(tenant_id, bool) or not isinstance(tenant_id, int) or tenant_id <= 0:
        raise ValueError("cache_key needs a positive integer tenant_id")
    if isinstance(data_version, bool) or not isinstance(data_version, int) or data_version < 0:
        raise ValueError("cache_key needs a non-negative integer data_version")
    canonical = json.dumps(normalise_plan(plan_dict), sort_keys=True, default=_json_default,
                           separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"ask:{KEY_VERSION}:t{tenant_id}:d{data_version}:{digest}"


class MemoryCache:
    """Thread-safe LRU with per-entry TTL, for one process (Streamlit serves sessions from threads)."""

    backend = "memory"

    def __init__(self, max_entries: int = 512, default_ttl_s: int = 3600) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self.default_ttl_s = default_ttl_s
        self._data: OrderedDict[str, tuple[float, str]] = OrderedDict()  # key -> (expires_at, json)
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0

    def get(self, key: str) -> Any | None:
        now = time.monotonic()
        with self._lock:
            entry = self._data.get(key)
            if entry is not None and entry[0] <= now:
                del self._data[key]
                entry = None
            if entry is None:
                self._misses += 1
            else:
                self._hits += 1
                self._data.move_to_end(key)
        CACHE_REQUESTS.labels(backend=self.backend, result="miss" if entry is None else "hit").inc()
        return None if entry is None else json.loads(entry[1])

    def set(self, key: str, value: Any, ttl_s: int | None = None) -> None:
        ttl = self.default_ttl_s if ttl_s is None else ttl_s
        if ttl <= 0:
            return
        payload = dumps(value)
        with self._lock:
            self._data[key] = (time.monotonic() + ttl, payload)
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {"backend": self.backend, "hits": self._hits, "misses": self._misses,
                    "size": len(self._data), "max_entries": self.max_entries}


def redis_client(url: str, timeout_s: float = 3.0) -> redis.Redis:
    """A Redis client with short timeouts, so an outage is noticed in seconds, not minutes."""
    return redis.Redis.from_url(url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s,
                                health_check_interval=30)


class RedisCache:
    """Redis-backed cache shared by every app replica; hit/miss counters live in Redis too (INCR)."""

    backend = "redis"

    def __init__(self, client: redis.Redis, namespace: str = "ecomintel", default_ttl_s: int = 3600,
                 strict: bool = False, url: str = "") -> None:
        self.client = client
        self.namespace = namespace
        self.default_ttl_s = default_ttl_s
        self.strict = strict
        self.url = url
        self._prefix = f"{namespace}:cache:"
        self._stats_hits = f"{namespace}:cache-stats:hits"
        self._stats_misses = f"{namespace}:cache-stats:misses"
        self._down = False

    def _failed(self, exc: Exception) -> None:
        CACHE_ERRORS.labels(backend=self.backend).inc()
        where = redact_url(self.url) if self.url else "the configured Redis"
        if self.strict:
            raise ServiceUnavailable(f"The cache ({where}) is unreachable: {exc.__class__.__name__}.",
                                     "Check that Redis is running and ECOMINTEL_REDIS_URL is right.") from exc
        if not self._down:
            log.warning("redis cache unreachable, answering without cache", extra={"redis": where,
                                                                                   "error": str(exc)})
        self._down = True

    def ping(self) -> None:
        """Raise ServiceUnavailable unless Redis answers."""
        try:
            self.client.ping()
        except redis.RedisError as exc:
            CACHE_ERRORS.labels(backend=self.backend).inc()
            raise ServiceUnavailable(f"Redis at {redact_url(self.url) or 'the configured URL'} is unreachable.",
                                     "Check that Redis is running and ECOMINTEL_REDIS_URL is right.") from exc

    def get(self, key: str) -> Any | None:
        try:
            raw = self.client.get(self._prefix + key)
            self.client.incr(self._stats_misses if raw is None else self._stats_hits)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            self._failed(exc)
            CACHE_REQUESTS.labels(backend=self.backend, result="miss").inc()
            return None
        self._down = False
        CACHE_REQUESTS.labels(backend=self.backend, result="miss" if raw is None else "hit").inc()
        return None if raw is None else json.loads(raw)

    def set(self, key: str, value: Any, ttl_s: int | None = None) -> None:
        ttl = self.default_ttl_s if ttl_s is None else ttl_s
        if ttl <= 0:
            return
        payload = dumps(value)
        try:
            self.client.setex(self._prefix + key, ttl, payload)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            self._failed(exc)
            return
        self._down = False

    def stats(self) -> dict[str, Any]:
        try:
            hits, misses = self.client.mget([self._stats_hits, self._stats_misses])
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            self._failed(exc)
            return {"backend": self.backend, "hits": None, "misses": None, "available": False}
        return {"backend": self.backend, "hits": int(hits or 0), "misses": int(misses or 0), "available": True}


def database_tag(settings: Settings) -> str:
    """`db-<hash>` naming the database the answers come from (password excluded).

    Why: tenant ids are only unique within one database. Two deployments (or test runs) sharing one Redis
    but not one database would otherwise share cache keys for their tenant 1.
    """
    url = sa.engine.make_url(settings.database_url)._replace(password=None).render_as_string(hide_password=False)
    return "db-" + hashlib.sha256(url.encode("utf-8")).hexdigest()[:12]


_memory_caches: dict[tuple[str, int, int], MemoryCache] = {}
_memory_caches_lock = threading.Lock()


def make_cache(settings: Settings, namespace: str = "ecomintel", strict: bool = False) -> Cache:
    """RedisCache when settings.redis_url is set, else this process's MemoryCache for `namespace`.

    Redis keys are `<namespace>:db-<hash of the database URL>:cache:<cache_key>` (see database_tag).

    Why the in-process cache is shared per process: callers (a Streamlit rerun, each ask) call make_cache
    anew; a fresh empty LRU each time would never hit. The Redis cache is shared through Redis instead.
    """
    if settings.redis_url:
        return RedisCache(redis_client(settings.redis_url), namespace=f"{namespace}:{database_tag(settings)}",
                          default_ttl_s=settings.cache_ttl_s, strict=strict, url=settings.redis_url)
    ident = (namespace, settings.cache_max_entries, settings.cache_ttl_s)
    with _memory_caches_lock:
        cache = _memory_caches.get(ident)
        if cache is None:
            cache = _memory_caches[ident] = MemoryCache(max_entries=settings.cache_max_entries,
                                                        default_ttl_s=settings.cache_ttl_s)
    return cache
