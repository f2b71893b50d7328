"""The answer cache: Redis when ECOMINTEL_REDIS_URL is set; otherwise this process's LRU in front of the
tenant's database (the embedded default), so answers outlive the process.

Why keys carry tenant and data_version: every ingest or sync bumps the tenant's data_version, so a key
built from (tenant_id, data_version, normalised plan) can never serve another tenant's answer or an answer
computed from older data; no explicit invalidation is needed (old entries simply age out by TTL/LRU).

Why values are stored as JSON in both backends: a cached report is then always a fresh copy (a caller that
adds `cached=True` to what it got cannot change the stored entry), and the two backends return exactly the
same types, so code tested on one behaves the same on the other.

Why the embedded default also stores answers in the database: without Redis every `ecomintel ask` is a new
process and the app forgets its LRU on restart, so a repeated question was computed again. `make_cache(settings,
repo=repo)` returns a `TieredCache`: the process's MemoryCache first, then a `DatabaseCache` bound to repo's
tenant (rows in `cache_entries`, keyed like Redis keys: tenant, data_version, namespace + plan digest; read and
written only through the tenant-scoped repository, and refusing keys of any other tenant). An entry found in the
database is copied into memory for the time it has left, so the memory layer never outlives it.
Without `repo` (callers that only want this process's cache, e.g. the bench's fresh namespaces) it is the LRU alone.

Redis outage policy (documented fallback): a cache is an optimisation, so by default an unreachable Redis
makes `get` a miss and `set` a no-op, with a warning logged once per outage and
`ecomintel_cache_errors_total` counted; answers keep flowing, only slower. `RedisCache(strict=True)` raises
`ServiceUnavailable` instead (for health checks, or callers that must know); `ping()` always raises.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ecomintel.config import Settings
from ecomintel.errors import ServiceUnavailable
from ecomintel.observability import CACHE_ERRORS, CACHE_REQUESTS
from ecomintel.redact import redact_url

if TYPE_CHECKING:
    import redis

    from ecomintel.db.cache_entries import CacheEntries

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


@functools.cache
def code_fingerprint(root: Path | None = None) -> str:
    """A digest of this installation's code (name, size and modification time of every module of the package).

    Why in every answer key: an answer depends on the code that computed it as much as on the data, and a
    cached answer outlives an upgrade in the database (and in Redis) for up to its TTL; with the code in the
    key, an upgraded install computes answers anew instead of serving the old code's. Reading stat() of the
    package's ~200 files once per process costs a few milliseconds."""
    root = root or Path(__file__).resolve().parent
    parts = []
    for path in sorted(root.rglob("*.py")):
        info = path.stat()
        parts.append(f"{path.relative_to(root)}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def cache_key(tenant_id: int, data_version: int, plan_dict: Mapping[str, Any] | Any) -> str:
    """`ask:v1:t<tenant>:d<data_version>:<sha256 of the code fingerprint and the canonical normalised plan>`.

    The tenant and version are plain integers between fixed separators, so two different
    (tenant, data_version) pairs can never produce the same key whatever the plans are.
    """
    if isinstance(tenant_id, bool) or not isinstance(tenant_id, int) or tenant_id <= 0:
        raise ValueError("cache_key needs a positive integer tenant_id")
    if isinstance(data_version, bool) or not isinstance(data_version, int) or data_version < 0:
        raise ValueError("cache_key needs a non-negative integer data_version")
    canonical = json.dumps(normalise_plan(plan_dict), sort_keys=True, default=_json_default,
                           separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256((code_fingerprint() + canonical).encode("utf-8")).hexdigest()
    return f"ask:{KEY_VERSION}:t{tenant_id}:d{data_version}:{digest}"


@dataclass(frozen=True)
class KeyParts:
    """A cache_key taken apart: whose answer it is, for which data, and the rest (`ask:v1:<digest>`)."""

    tenant_id: int
    data_version: int
    name: str


_KEY = re.compile(r"^(?P<kind>[a-z]+):(?P<version>v\d+):t(?P<tenant>\d+):d(?P<data>\d+):(?P<digest>[0-9a-f]{64})$")


def parse_cache_key(key: str) -> KeyParts:
    """The parts of a key made by cache_key; ValueError for anything else."""
    found = _KEY.match(key)
    if found is None:
        raise ValueError(f"{key[:80]!r} is not a key made by cache_key()")
    return KeyParts(int(found["tenant"]), int(found["data"]), f"{found['kind']}:{found['version']}:{found['digest']}")


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


class DatabaseCache:
    """Answers in the tenant's `cache_entries` rows, through the tenant-scoped repository (CacheEntries).

    Bound to one repository, hence one tenant: a key of another tenant is refused (ValueError) before
    anything is read. Only keys made by `cache_key` are accepted — their tenant and data_version become
    columns, so entries of an older data_version are cleaned away when the next answer is stored.
    A database error while caching is logged and counted (`ecomintel_cache_errors_total{backend="database"}`)
    and treated as a miss: the answer itself is still computed and returned.
    """

    backend = "database"

    def __init__(self, repo: CacheEntries, namespace: str = "ecomintel", default_ttl_s: int = 3600) -> None:
        self.repo = repo
        self.namespace = namespace
        self.default_ttl_s = default_ttl_s
        self._hits = 0
        self._misses = 0

    def parts(self, key: str) -> KeyParts:
        """The key's parts; ValueError unless it was made by cache_key for this repository's tenant."""
        parts = parse_cache_key(key)
        if parts.tenant_id != self.repo.tenant_id:
            raise ValueError(f"a cache key of tenant {parts.tenant_id} used with tenant {self.repo.tenant_id}'s "
                             "cache")
        return parts

    def _row_key(self, parts: KeyParts) -> str:
        return f"{self.namespace}:{parts.name}"

    def lookup(self, key: str) -> tuple[Any, float] | None:
        """(value, seconds it has left) of a live entry, or None."""
        import sqlalchemy as sa

        from ecomintel.db.scoped import utcnow

        parts = self.parts(key)
        try:
            found = self.repo.cache_entry(parts.data_version, self._row_key(parts))
        except sa.exc.OperationalError as exc:
            self._failed("read", exc)
            found = None
        CACHE_REQUESTS.labels(backend=self.backend, result="miss" if found is None else "hit").inc()
        if found is None:
            self._misses += 1
            return None
        self._hits += 1
        value, expires_at = found
        return json.loads(value), (expires_at - utcnow()).total_seconds()

    def get(self, key: str) -> Any | None:
        found = self.lookup(key)
        return None if found is None else found[0]

    def set(self, key: str, value: Any, ttl_s: int | None = None) -> None:
        import sqlalchemy as sa

        ttl = self.default_ttl_s if ttl_s is None else ttl_s
        parts = self.parts(key)
        if ttl <= 0:
            return
        payload = dumps(value)
        try:
            self.repo.put_cache_entry(parts.data_version, self._row_key(parts), payload, ttl)
        except sa.exc.OperationalError as exc:
            self._failed("write", exc)

    def _failed(self, what: str, exc: Exception) -> None:
        CACHE_ERRORS.labels(backend=self.backend).inc()
        log.warning(f"database cache {what} failed, answering without cache",
                    extra={"tenant_id": self.repo.tenant_id, "error": f"{exc.__class__.__name__}: {exc}"})

    def stats(self) -> dict[str, Any]:
        return {"backend": self.backend, "hits": self._hits, "misses": self._misses,
                "entries": self.repo.count_cache_entries()}


class TieredCache:
    """This process's MemoryCache in front of a DatabaseCache (the embedded default with a repository)."""

    backend = "memory+database"

    def __init__(self, memory: MemoryCache, database: DatabaseCache) -> None:
        self.memory = memory
        self.database = database

    def get(self, key: str) -> Any | None:
        self.database.parts(key)  # the tenant check comes first: the memory layer is shared by all tenants
        value = self.memory.get(key)
        if value is not None:
            return value
        found = self.database.lookup(key)
        if found is None:
            return None
        value, seconds_left = found
        self.memory.set(key, value, int(seconds_left))  # never outlives the database entry
        return value

    def set(self, key: str, value: Any, ttl_s: int | None = None) -> None:
        self.database.set(key, value, ttl_s)
        self.memory.set(key, value, ttl_s)

    def stats(self) -> dict[str, Any]:
        memory, database = self.memory.stats(), self.database.stats()
        return {"backend": self.backend, "hits": memory["hits"] + database["hits"], "misses": database["misses"],
                "memory": memory, "database": database}


def redis_client(url: str, timeout_s: float = 3.0) -> redis.Redis:
    """A Redis client with short timeouts, so an outage is noticed in seconds, not minutes."""
    import redis

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
        import redis

        try:
            self.client.ping()
        except redis.RedisError as exc:
            CACHE_ERRORS.labels(backend=self.backend).inc()
            raise ServiceUnavailable(f"Redis at {redact_url(self.url) or 'the configured URL'} is unreachable.",
                                     "Check that Redis is running and ECOMINTEL_REDIS_URL is right.") from exc

    def get(self, key: str) -> Any | None:
        import redis

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
        import redis

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
        import redis

        try:
            hits, misses = self.client.mget([self._stats_hits, self._stats_misses])
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            self._failed(exc)
            return {"backend": self.backend, "hits": None, "misses": None, "available": False}
        return {"backend": self.backend, "hits": int(hits or 0), "misses": int(misses or 0), "available": True}


def database_tag(settings: Settings, *, url: object | None = None) -> str:
    """`db-<hash>` naming the database the answers come from (password excluded): settings.database_url,
    or `url` (an engine's URL) when given.

    Why: tenant ids are only unique within one database. Two deployments (or test runs) sharing one Redis
    (or one process sharing its LRU) but not one database would otherwise share cache keys for their tenant 1.
    """
    import sqlalchemy as sa

    made = sa.engine.make_url(settings.database_url if url is None else str(url))
    text = made._replace(password=None).render_as_string(hide_password=False)
    return "db-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


_memory_caches: dict[tuple[str, str, int, int], MemoryCache] = {}
_memory_caches_lock = threading.Lock()


def make_cache(settings: Settings, namespace: str = "ecomintel", strict: bool = False,
               repo: CacheEntries | None = None) -> Cache:
    """RedisCache when settings.redis_url is set; else this process's MemoryCache for `namespace` — in front
    of the database (TieredCache) when `repo` is given, so the answer outlives the process.

    Redis keys are `<namespace>:db-<hash of the database URL>:cache:<cache_key>` (see database_tag); database
    rows are (repo's tenant, data_version, `<namespace>:ask:v1:<digest>`).

    Why the in-process cache is shared per process (and database): callers (a Streamlit rerun, each ask) call
    make_cache anew; a fresh empty LRU each time would never hit. The Redis cache is shared through Redis instead.
    """
    if settings.redis_url:
        return RedisCache(redis_client(settings.redis_url), namespace=f"{namespace}:{database_tag(settings)}",
                          default_ttl_s=settings.cache_ttl_s, strict=strict, url=settings.redis_url)
    tag = database_tag(settings, url=None if repo is None else repo.engine.url)
    ident = (namespace, tag, settings.cache_max_entries, settings.cache_ttl_s)
    with _memory_caches_lock:
        memory = _memory_caches.get(ident)
        if memory is None:
            memory = _memory_caches[ident] = MemoryCache(max_entries=settings.cache_max_entries,
                                                         default_ttl_s=settings.cache_ttl_s)
    if repo is None:
        return memory
    return TieredCache(memory, DatabaseCache(repo, namespace=namespace, default_ttl_s=settings.cache_ttl_s))


def clear_tenant_cache(settings: Settings, repo: CacheEntries, namespace: str = "ecomintel") -> int:
    """Forget every cached answer of repo's tenant — its database entries (answers and the stored vocabulary)
    and, with Redis configured, its Redis keys — and return how many entries went. For operators (after an
    upgrade that changes answers) and benchmarks; a new upload needs none of this (data_version does it)."""
    removed = repo.clear_cache_entries()
    if settings.redis_url:
        import redis

        client = redis_client(settings.redis_url)
        pattern = f"{namespace}:{database_tag(settings)}:cache:ask:*:t{repo.tenant_id}:d*"
        try:
            keys = list(client.scan_iter(match=pattern, count=1000))
            if keys:
                removed += int(client.delete(*keys))
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise ServiceUnavailable(f"Redis at {redact_url(settings.redis_url)} is unreachable.",
                                     "The database entries were removed; clear Redis once it is back.") from exc
    return removed
