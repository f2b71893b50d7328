"""The embedded default's answer cache in the database (no Redis): the process's LRU in front of the tenant's
`cache_entries` rows — shared by separate Cache instances ("processes"), never across tenants or data
versions, expiry honoured, stale rows cleaned — and the stored planner vocabulary; on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from ecomintel.ask.plan import Period, Plan
from ecomintel.ask.service import answer_plan
from ecomintel.cache import (
    DatabaseCache,
    MemoryCache,
    RedisCache,
    TieredCache,
    cache_key,
    clear_tenant_cache,
    make_cache,
    parse_cache_key,
)
from ecomintel.config import Settings, load_settings
from ecomintel.db import models as m
from ecomintel.db import rls
from ecomintel.db import vocabulary as vocabulary_module
from ecomintel.db.repository import Repository
from ecomintel.db.vocab import Vocab
from ecomintel.db.vocab_store import vocab_from_json, vocab_key, vocab_to_json
from tests import ask_helpers  # noqa: F401  (registers the test agents)
from tests.conftest import new_tenant_ctx
from tests.sales_helpers import load_via_ingest, retail_engine

SETTINGS = load_settings({"ECOMINTEL_LLM_PROVIDER": "none"})
PLAN = {"intent": "top_items", "metric": "revenue", "top_n": 10}
REPORT = {"summary": "Top 10 products", "metrics": {"revenue": 1234.5}, "tables": [{"rows": [["85123A", 1.0]]}],
          "when": date(2011, 11, 1)}
STORED = {**REPORT, "when": "2011-11-01"}  # what any cache gives back: the JSON form


def another_process(repo: Repository, namespace: str = "ecomintel") -> TieredCache:
    """What a second process builds: its own empty LRU in front of the same database."""
    return TieredCache(MemoryCache(), DatabaseCache(repo, namespace=namespace))


def rows(engine: sa.Engine, *tenants: int) -> list[tuple[int, int, str]]:
    """(tenant, data_version, key) of the stored entries of these tenants (PostgreSQL tests share a database)."""
    t = m.cache_entries
    with rls.system_engine(engine).connect() as conn:  # a check across tenants (RLS would hide the others)
        return [tuple(r) for r in conn.execute(sa.select(t.c.tenant_id, t.c.data_version, t.c.key)
                                               .where(t.c.tenant_id.in_(tenants)).order_by(t.c.id))]


def test_make_cache_with_a_repository_is_the_lru_in_front_of_the_database(repo: Repository) -> None:
    cache = make_cache(SETTINGS, repo=repo)
    assert isinstance(cache, TieredCache) and isinstance(cache.database, DatabaseCache)
    assert cache.memory is make_cache(SETTINGS, repo=repo).memory  # one LRU per process (and database)
    assert isinstance(make_cache(SETTINGS), MemoryCache)  # no repository: this process only, as before
    redis_settings = SETTINGS.replace(redis_url="redis://127.0.0.1:1/0")
    assert isinstance(make_cache(redis_settings, repo=repo), RedisCache)  # Redis configured: Redis only


def test_two_processes_share_a_hit(repo: Repository) -> None:
    key = cache_key(repo.tenant_id, repo.data_version(), PLAN)
    first, second = another_process(repo), another_process(Repository(repo.engine, repo.ctx))
    assert first.get(key) is None
    first.set(key, REPORT, ttl_s=600)
    assert second.get(key) == STORED
    assert second.stats()["database"]["hits"] == 1 and second.memory.stats()["size"] == 1  # now in its LRU too
    got = second.get(key)
    got["summary"] = "changed by the caller"
    assert second.get(key) == STORED  # every get is a fresh copy
    assert rows(repo.engine, repo.tenant_id) == [(repo.tenant_id, repo.data_version(), f"ecomintel:{parse_cache_key(key).name}")]


def test_another_tenant_never_sees_it(engine: sa.Engine, repo: Repository) -> None:
    other = Repository(engine, new_tenant_ctx(engine, "other"))
    version = repo.data_version()
    assert other.data_version() == version  # same version, same plan: only the tenant differs
    another_process(repo).set(cache_key(repo.tenant_id, version, PLAN), REPORT)
    assert another_process(other).get(cache_key(other.tenant_id, version, PLAN)) is None
    with pytest.raises(ValueError, match="tenant"):  # a tenant's cache cannot even be asked for another's key
        another_process(other).get(cache_key(repo.tenant_id, version, PLAN))
    with pytest.raises(ValueError, match="tenant"):
        make_cache(SETTINGS, repo=other).set(cache_key(repo.tenant_id, version, PLAN), REPORT)
    with pytest.raises(ValueError, match="cache_key"):
        another_process(repo).get("not-a-cache-key")


def test_a_data_version_bump_misses_and_old_rows_are_cleaned(repo: Repository) -> None:
    cache = another_process(repo)
    old = cache_key(repo.tenant_id, repo.data_version(), PLAN)
    cache.set(old, REPORT)
    repo.bump_data_version()  # what every ingest does
    new = cache_key(repo.tenant_id, repo.data_version(), PLAN)
    assert another_process(repo).get(new) is None
    cache.set(new, {**REPORT, "summary": "recomputed"})
    assert [v for _, v, _ in rows(repo.engine, repo.tenant_id)] == [repo.data_version()]  # the old version's row is gone
    assert another_process(repo).get(old) is None


def test_expiry_is_honoured_also_by_the_memory_copy(repo: Repository) -> None:
    key = cache_key(repo.tenant_id, repo.data_version(), PLAN)
    another_process(repo).set(key, REPORT, ttl_s=2)
    reader = another_process(repo)
    assert reader.get(key) == STORED  # copied into reader's LRU with the time it had left
    deadline = time.monotonic() + 10
    while reader.get(key) is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert reader.get(key) is None and another_process(repo).get(key) is None
    another_process(repo).set(key, REPORT, ttl_s=0)  # ttl 0: not stored
    assert another_process(repo).get(key) is None
    assert repo.purge_cache_entries() == 1 and rows(repo.engine, repo.tenant_id) == []


def test_namespaces_isolate(repo: Repository) -> None:
    key = cache_key(repo.tenant_id, repo.data_version(), PLAN)
    another_process(repo, "app").set(key, REPORT)
    assert another_process(repo, "bench").get(key) is None
    assert another_process(repo, "app").get(key) == STORED


def test_clear_removes_only_that_tenants_entries(engine: sa.Engine, repo: Repository) -> None:
    other = Repository(engine, new_tenant_ctx(engine, "keep"))
    another_process(repo).set(cache_key(repo.tenant_id, repo.data_version(), PLAN), REPORT)
    another_process(other).set(cache_key(other.tenant_id, other.data_version(), PLAN), REPORT)
    assert clear_tenant_cache(SETTINGS, repo) == 1
    assert [t for t, _, _ in rows(engine, repo.tenant_id, other.tenant_id)] == [other.tenant_id]


def test_a_broken_cache_table_is_a_miss_not_a_failure(sqlite_engine: sa.Engine) -> None:
    repo = Repository(sqlite_engine, new_tenant_ctx(sqlite_engine))
    with sqlite_engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE cache_entries"))
    cache = another_process(repo)
    key = cache_key(repo.tenant_id, repo.data_version(), PLAN)
    cache.set(key, REPORT)  # logged and counted, not raised
    assert cache.get(key) == STORED  # this process's LRU still has it
    assert another_process(repo).get(key) is None


# -- through ask(): a hit across "processes", degraded answers not stored --------------------------
@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def retail(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Repository]:
    pg_url = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    engine = retail_engine(request.param, tmp_path_factory.mktemp("dbcache"), pg_url)
    repo = Repository(engine, new_tenant_ctx(engine, "dbcache"))
    load_via_ingest(repo)
    yield repo
    engine.dispose()


NOV = Period(start=date(2011, 11, 1), end=date(2011, 11, 30), label="Nov 2011")


def test_an_answer_computed_by_one_process_is_a_hit_in_the_next(retail: Repository) -> None:
    settings: Settings = SETTINGS.replace(quick_timeout_s=10.0)
    plan = Plan(intent="top_items", agents=["sales"], periods=[NOV], group_by="product", top_n=5)
    first = answer_plan(plan, question="top 5 in Nov", repo=retail, settings=settings, cache=another_process(retail),
                        save=False)
    again = answer_plan(plan, question="best five, November", repo=retail, settings=settings,
                        cache=another_process(retail), save=False)
    assert first["cached"] is False and again["cached"] is True
    assert again["question"] == "best five, November" and again["tables"] == first["tables"]


def test_degraded_answers_are_not_stored(retail: Repository) -> None:
    plan = Plan(intent="overview", agents=["sales", "test_failing"], periods=[NOV], planner="test", confidence=1.0)
    before = retail.count_cache_entries()
    report = answer_plan(plan, question="overview Nov", repo=retail, settings=SETTINGS,
                         cache=another_process(retail), save=False)
    assert {a["status"] for a in report["agents"]} == {"ok", "failed"}
    assert retail.count_cache_entries() == before
    assert answer_plan(plan, question="overview Nov", repo=retail, settings=SETTINGS,
                       cache=another_process(retail), save=False)["cached"] is False


# -- the stored vocabulary --------------------------------------------------------------------------
@pytest.fixture
def fresh_memo() -> Iterator[None]:
    """As in a new process: the in-process vocabulary memo is empty."""
    saved = dict(vocabulary_module._MEMO)
    vocabulary_module._MEMO.clear()
    yield
    vocabulary_module._MEMO.clear()
    vocabulary_module._MEMO.update(saved)


def test_a_new_process_reads_the_stored_vocabulary(retail: Repository, fresh_memo: None) -> None:
    built = retail.vocabulary()
    assert built.has_sales and "United Kingdom" in built.countries
    t = m.cache_entries
    where = (t.c.tenant_id == retail.tenant_id) & (t.c.key == vocab_key())
    with retail.engine.begin() as conn:  # mark the stored copy, so reading it back shows
        (text,) = conn.execute(sa.select(t.c.value).where(where)).one()
        marked = vocab_from_json(text)
        marked = Vocab(**{**marked.__dict__, "countries": (*marked.countries, "Atlantis")})
        conn.execute(sa.update(t).where(where).values(value=vocab_to_json(marked)))
    vocabulary_module._MEMO.clear()
    assert retail.vocabulary().countries[-1] == "Atlantis"
    retail.bump_data_version()  # new data: rebuilt from the sales lines, never the stored copy
    try:
        assert "Atlantis" not in retail.vocabulary().countries
    finally:
        vocabulary_module._MEMO.clear()


names = st.text(min_size=1, max_size=12)


@given(start=st.none() | st.dates(), countries=st.lists(names, max_size=4),
       catalogue=st.dictionaries(names, names, max_size=4))
def test_vocab_survives_its_json_form(start: date | None, countries: list[str], catalogue: dict[str, str]) -> None:
    vocab = Vocab(sales_start=start, sales_end=start, countries=tuple(countries), catalogue=catalogue,
                  categories=("a",), channels=(), marketplaces=("abt", "buy"))
    assert vocab_from_json(vocab_to_json(vocab)) == vocab



def test_clear_with_redis_removes_that_tenants_redis_keys_only(repo: Repository, redis_url: str,
                                                              redis_namespace: str) -> None:
    settings = SETTINGS.replace(redis_url=redis_url)
    redis_cache = make_cache(settings, namespace=redis_namespace)
    assert isinstance(redis_cache, RedisCache)
    mine, other = repo.tenant_id, repo.tenant_id * 10 + 1  # "t12" must survive clearing "t1"
    for tenant in (mine, other):
        redis_cache.set(cache_key(tenant, 1, PLAN), REPORT)
    another_process(repo).set(cache_key(mine, repo.data_version(), PLAN), REPORT)
    assert clear_tenant_cache(settings, repo, namespace=redis_namespace) == 2  # one row, one Redis key
    assert redis_cache.get(cache_key(mine, 1, PLAN)) is None
    assert redis_cache.get(cache_key(other, 1, PLAN)) == STORED


def test_the_process_lru_is_per_database(tmp_path: Path) -> None:
    """Tenant ids are per database: tenant 1 of one file must not get tenant 1's answers of another."""
    from ecomintel.context import RequestContext
    from ecomintel.db.engine import make_engine, migrate
    from ecomintel.db.tenants import ensure_tenant

    repos = []
    for name in ("a.db", "b.db"):
        engine = make_engine(f"sqlite:///{tmp_path / name}")
        migrate(engine)
        repos.append(Repository(engine, RequestContext(tenant_id=ensure_tenant(engine, "shop").id)))
    a, b = repos
    assert a.tenant_id == b.tenant_id
    key = cache_key(a.tenant_id, a.data_version(), PLAN)
    make_cache(SETTINGS, repo=a).set(key, REPORT)
    assert make_cache(SETTINGS, repo=b).get(key) is None
    assert make_cache(SETTINGS, repo=a).get(key) == STORED
    for r in repos:
        r.engine.dispose()
