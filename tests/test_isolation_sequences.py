"""Isolation as a property over random sequences of operations on two tenants (issue 12): ingest, ask, cache,
preferences, purge and deleting a tenant, in any order — no result of one tenant ever holds the other's rows.

Every value a tenant writes carries its own marker (SKUs, product names, questions, marketplaces), so a
leak shows up as the other tenant's marker in a read, whatever the query.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecomintel.ask.service import ask
from ecomintel.cache import DatabaseCache, cache_key
from ecomintel.config import load_settings
from ecomintel.context import RequestContext
from ecomintel.db.repository import Repository
from ecomintel.db.tenants import get_tenant_by_id
from ecomintel.ingest.pipeline import ingest_file
from ecomintel.preferences import preferences, save_preferences
from ecomintel.retention import delete_tenant_data, purge
from tests.conftest import new_tenant_ctx

SETTINGS = load_settings({}).replace(ingest_chunk_rows=5)
HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
MARKERS = ("AAA", "BBB")

op = st.one_of(
    st.tuples(st.just("ingest"), st.integers(0, 1), st.lists(st.tuples(
        st.integers(1, 9), st.integers(1, 20), st.sampled_from(["0.5", "2.25", "10"]),
        st.sampled_from(["France", "EIRE", "' OR 1=1 --"])), min_size=1, max_size=6)),
    st.tuples(st.just("ask"), st.integers(0, 1), st.sampled_from(
        ["revenue by country", "top 5 products by revenue", "revenue'; DROP TABLE sales;--"])),
    st.tuples(st.just("cache"), st.integers(0, 1), st.text(min_size=1, max_size=20)),
    st.tuples(st.just("prefs"), st.integers(0, 1), st.text(min_size=1, max_size=30)),
    st.tuples(st.just("purge"), st.integers(0, 1), st.none()),
    st.tuples(st.just("delete"), st.integers(0, 1), st.none()),
)


def _csv(marker: str, lines: list[tuple[int, int, str, str]]) -> bytes:
    body = "".join(f"{marker}{o},{marker}-{sku},{marker} item {sku},{qty},2011-11-0{1 + sku % 9} 10:00,"
                   f"{price},{marker}1,\"{country}\"\n" for o, (sku, qty, price, country) in enumerate(lines)
                   for sku in [sku])
    return (HEADER + body).encode()


def _reads(repo: Repository) -> str:
    """Everything the tenant can read, as text."""
    parts: list[Any] = [repo.overview(), repo.list_batches(), repo.list_reports(), repo.audit_entries(),
                        preferences(repo).as_dict()]
    if repo.latest_data_dates()["sales_lines"]:
        parts.append(repo.sales_by("sku").to_dict("records"))
        parts.append(repo.sales_by("country").to_dict("records"))
    for r in repo.list_reports():
        parts.append(repo.get_report(int(r["number"])))
    return repr(parts)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(ops=st.lists(op, min_size=1, max_size=6))
def test_random_operation_sequences_never_cross_tenants(engine: sa.Engine, ops: list[tuple[Any, ...]]) -> None:
    ctxs = [RequestContext(tenant_id=new_tenant_ctx(engine, "seq").tenant_id, role="admin") for _ in MARKERS]
    alive = [True, True]
    for kind, who, arg in ops:
        if not alive[who]:
            continue
        ctx, marker = ctxs[who], MARKERS[who]
        repo = Repository(engine, ctx)
        if kind == "ingest":
            ingest_file(repo, "sales", _csv(marker, arg), settings=SETTINGS, file_name=f"{marker}.csv")
        elif kind == "ask":
            ask(f"{arg} {marker.lower()}", repo=repo, settings=SETTINGS)
        elif kind == "cache":
            key = cache_key(ctx.tenant_id, repo.data_version(), {"q": marker + arg})
            DatabaseCache(repo).set(key, {"answer": marker + arg})
            if alive[1 - who]:
                other = Repository(engine, ctxs[1 - who])
                with pytest.raises(ValueError, match="cache key of tenant"):  # refused before any read
                    DatabaseCache(other).lookup(key)
                same_plan = cache_key(other.tenant_id, other.data_version(), {"q": marker + arg})
                assert DatabaseCache(other).lookup(same_plan) is None
        elif kind == "prefs":
            save_preferences(repo, ctx, {"marketplaces": [f"{marker}{arg}"]})
        elif kind == "purge":
            purge(repo, ctx)
        elif kind == "delete":
            delete_tenant_data(engine, ctx, get_tenant_by_id(engine, ctx.tenant_id).slug, SETTINGS)
            alive[who] = False
        for i, live in enumerate(alive):
            if live:
                seen = _reads(Repository(engine, ctxs[i]))
                assert MARKERS[1 - i] not in seen, f"tenant {i} sees tenant {1 - i}'s rows after {kind}"
