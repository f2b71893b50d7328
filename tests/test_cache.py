"""Answer cache: key recipe (property-tested), in-process LRU+TTL, and Redis on a real server."""

from __future__ import annotations

import socket
import threading
import time
from datetime import date
from pathlib import Path

import pytest
import redis
from hypothesis import given, settings
from hypothesis import strategies as st

from ecomintel.ask.plan import Filters, Period, Plan
from ecomintel.cache import Cache, MemoryCache, RedisCache, cache_key, make_cache, redis_client
from ecomintel.config import load_settings
from ecomintel.errors import ServiceUnavailable
from ecomintel.redact import redact_url

# -- keys ------------------------------------------------------------------------------------------

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
plan_dicts = st.dictionaries(
    st.text(max_size=12),
    st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                 | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12),
    max_size=8,
)
tenants = st.integers(min_value=1, max_value=2**62)
versions = st.integers(min_value=0, max_value=2**62)


@settings(max_examples=300)
@given(t1=tenants, v1=versions, p1=plan_dicts, t2=tenants, v2=versions, p2=plan_dicts)
def test_keys_never_cross_tenants_or_data_versions(t1: int, v1: int, p1: dict, t2: int, v2: int,
                                                   p2: dict) -> None:
    k1, k2 = cache_key(t1, v1, p1), cache_key(t2, v2, p2)
    if (t1, v1) != (t2, v2):
        assert k1 != k2
    assert f":t{t1}:d{v1}:" in k1


@given(tenant=tenants, version=versions, plan=plan_dicts)
def test_same_plan_same_key_and_key_order_does_not_matter(tenant: int, version: int, plan: dict) -> None:
    reordered = dict(reversed(list(plan.items())))
    assert cache_key(tenant, version, plan) == cache_key(tenant, version, reordered)


def _plan(**changes: object) -> Plan:
    base: dict = dict(intent="top_items", agents=["sales"], metric="revenue", group_by="product", top_n=10,
                      periods=[Period(start=date(2011, 11, 1), end=date(2011, 11, 30), label="Nov 2011")],
                      filters=Filters(countries=["France", "Germany"]))
    base.update(changes)
    return Plan(**base)


def test_fields_that_do_not_change_the_answer_do_not_change_the_key() -> None:
    a = _plan(planner="pattern", confidence=0.9, notes=["assumed net revenue"])
    b = _plan(planner="llm:gpt-4o-mini", confidence=0.4, notes=[])
    c = _plan(filters=Filters(countries=["Germany", "France"]))
    assert cache_key(7, 3, a) == cache_key(7, 3, b) == cache_key(7, 3, c)
    assert cache_key(7, 3, a) == cache_key(7, 3, a.model_dump()) == cache_key(7, 3, a.model_dump(mode="json"))


@pytest.mark.parametrize("change", [
    {"top_n": 5}, {"metric": "units"}, {"mode": "deep"}, {"group_by": "country"}, {"order": "asc"},
    {"filters": Filters(countries=["France"])},
    {"periods": [Period(start=date(2011, 10, 1), end=date(2011, 10, 31))]},
])
def test_fields_that_change_the_answer_change_the_key(change: dict) -> None:
    assert cache_key(7, 3, _plan()) != cache_key(7, 3, _plan(**change))


@pytest.mark.parametrize("tenant,version", [(0, 1), (-1, 1), (1, -1), (True, 1), ("1", 1)])
def test_bad_tenant_or_version_is_refused(tenant: object, version: object) -> None:
    with pytest.raises(ValueError):
        cache_key(tenant, version, {})  # type: ignore[arg-type]


# -- in-process LRU --------------------------------------------------------------------------------

def _wait_until_gone(cache: Cache, key: str, limit_s: float = 10.0) -> bool:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if cache.get(key) is None:
            return True
        time.sleep(0.1)
    return False


def test_memory_cache_roundtrip_returns_independent_copies() -> None:
    cache = MemoryCache(max_entries=4)
    report = {"summary": "ok", "tables": [{"rows": [[1, "a"]]}], "when": date(2011, 11, 1)}
    cache.set("k", report, ttl_s=60)
    got = cache.get("k")
    assert got == {"summary": "ok", "tables": [{"rows": [[1, "a"]]}], "when": "2011-11-01"}
    got["cached"] = True
    got["tables"][0]["rows"].append([2, "b"])
    assert cache.get("k") == {"summary": "ok", "tables": [{"rows": [[1, "a"]]}], "when": "2011-11-01"}
    assert cache.get("missing") is None
    assert cache.stats() == {"backend": "memory", "hits": 2, "misses": 1, "size": 1, "max_entries": 4}


def test_memory_cache_evicts_least_recently_used() -> None:
    cache = MemoryCache(max_entries=2)
    cache.set("a", 1)
    cache.set("b", 2)
    assert cache.get("a") == 1  # a is now more recent than b
    cache.set("c", 3)
    assert cache.get("b") is None
    assert cache.get("a") == 1 and cache.get("c") == 3
    assert cache.stats()["size"] == 2


def test_memory_cache_entry_expires_after_ttl() -> None:
    cache = MemoryCache()
    cache.set("short", {"x": 1}, ttl_s=1)
    cache.set("long", {"x": 2}, ttl_s=600)
    assert _wait_until_gone(cache, "short")
    assert cache.get("long") == {"x": 2}
    cache.set("zero", 1, ttl_s=0)
    assert cache.get("zero") is None


def test_memory_cache_is_thread_safe() -> None:
    cache = MemoryCache(max_entries=50)
    errors: list[BaseException] = []

    def hammer(worker: int) -> None:
        try:
            for i in range(400):
                key = f"k{(worker * 7 + i) % 120}"
                cache.set(key, {"worker": worker, "i": i})
                value = cache.get(key)
                assert value is None or set(value) == {"worker", "i"}
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=hammer, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    stats = cache.stats()
    assert stats["size"] <= 50
    assert stats["hits"] + stats["misses"] == 8 * 400


def test_unserialisable_value_is_refused() -> None:
    with pytest.raises(TypeError):
        MemoryCache().set("k", object())


def test_make_cache_without_redis_shares_one_lru_per_process() -> None:
    s = load_settings({"ECOMINTEL_CACHE_MAX_ENTRIES": "3"})
    first = make_cache(s, namespace="test-shared-lru")
    assert isinstance(first, MemoryCache) and first.max_entries == 3
    first.set("k", 1)
    assert make_cache(s, namespace="test-shared-lru").get("k") == 1
    assert make_cache(s, namespace="test-other-lru").get("k") is None


# -- Redis -----------------------------------------------------------------------------------------

@pytest.fixture
def rcache(redis_url: str, redis_namespace: str) -> RedisCache:
    cache = make_cache(load_settings({"ECOMINTEL_REDIS_URL": redis_url}), namespace=redis_namespace)
    assert isinstance(cache, RedisCache)
    return cache


def test_redis_cache_roundtrip_and_shared_stats(rcache: RedisCache, redis_url: str,
                                                redis_namespace: str) -> None:
    key = cache_key(1, 1, _plan())
    assert rcache.get(key) is None
    rcache.set(key, {"summary": "ok", "metrics": {"revenue": 12.5}})
    assert rcache.get(key) == {"summary": "ok", "metrics": {"revenue": 12.5}}
    # a second replica sees the same entry and the same counters
    replica = RedisCache(redis_client(redis_url), namespace=rcache.namespace)
    assert replica.get(key) == {"summary": "ok", "metrics": {"revenue": 12.5}}
    assert replica.stats() == {"backend": "redis", "hits": 2, "misses": 1, "available": True}
    # the key lives under the namespace, with a TTL from settings
    client = redis.Redis.from_url(redis_url)
    stored = [k.decode() for k in client.scan_iter(match=f"{rcache.namespace}:cache:*")]
    assert stored == [f"{rcache.namespace}:cache:{key}"] and rcache.namespace.startswith(redis_namespace + ":db-")
    assert 0 < client.ttl(stored[0]) <= 3600


def test_redis_namespaces_isolate(rcache: RedisCache, redis_url: str, redis_namespace: str) -> None:
    rcache.set("k", 1)
    other = RedisCache(redis_client(redis_url), namespace=redis_namespace + "-other")
    assert other.get("k") is None


def test_redis_cache_entry_expires_after_ttl(rcache: RedisCache) -> None:
    rcache.set("short", [1, 2], ttl_s=1)
    rcache.set("long", [3], ttl_s=600)
    assert _wait_until_gone(rcache, "short")
    assert rcache.get("long") == [3]


def _dead_redis_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"redis://:secret@127.0.0.1:{port}/0"


def test_same_tenant_id_in_another_database_never_shares_entries(redis_url: str, redis_namespace: str) -> None:
    def cache_for(db: str) -> Cache:
        return make_cache(load_settings({"ECOMINTEL_REDIS_URL": redis_url, "ECOMINTEL_DATABASE_URL": db}),
                          namespace=redis_namespace)

    key = cache_key(1, 1, _plan())
    cache_for("postgresql+psycopg://app:pw1@db-a/shop").set(key, "answer from database a")
    assert cache_for("postgresql+psycopg://app:pw2@db-a/shop").get(key) == "answer from database a"
    assert cache_for("postgresql+psycopg://app:pw1@db-b/shop").get(key) is None
    assert cache_for("sqlite:///var/other.db").get(key) is None


def test_unreachable_redis_degrades_to_no_cache() -> None:
    cache = make_cache(load_settings({"ECOMINTEL_REDIS_URL": _dead_redis_url()}))
    assert isinstance(cache, RedisCache)
    cache.set("k", 1)  # no exception: a cache outage must not fail answers
    assert cache.get("k") is None
    assert cache.stats()["available"] is False


def test_unreachable_redis_strict_raises_service_unavailable() -> None:
    url = _dead_redis_url()
    cache = make_cache(load_settings({"ECOMINTEL_REDIS_URL": url}), strict=True)
    with pytest.raises(ServiceUnavailable) as err:
        cache.get("k")
    assert "unreachable" in err.value.message and "secret" not in err.value.user_message()
    with pytest.raises(ServiceUnavailable):
        make_cache(load_settings({"ECOMINTEL_REDIS_URL": url})).ping()  # type: ignore[attr-defined]


@pytest.mark.parametrize("url, shown", [
    ("redis://:secret@127.0.0.1:6379/0", "redis://***@127.0.0.1:6379/0"),
    ("redis://user:secret@cache.internal/2", "redis://***@cache.internal/2"),
    ("rediss://:pa/ss@host:6380/0", "rediss://***@host:6380/0"),  # an unescaped / in the password
    ("redis://:p@ss@host/1", "redis://***@host/1"),                # an unescaped @ in the password
    ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
])
def test_redact_url_hides_credentials(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_the_code_fingerprint_changes_with_the_code(tmp_path: Path) -> None:
    """Answer keys carry it, so an upgraded install never serves answers the old code computed."""
    from ecomintel.cache import code_fingerprint

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("x = 1\n")
    before = code_fingerprint(tmp_path / "pkg")
    (tmp_path / "pkg2").mkdir()
    (tmp_path / "pkg2" / "a.py").write_text("x = 10\n")
    assert code_fingerprint(tmp_path / "pkg2") != before
    assert code_fingerprint() == code_fingerprint() and len(code_fingerprint()) == 16
