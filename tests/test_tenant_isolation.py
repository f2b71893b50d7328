"""Tenant isolation, as a property: random data for two tenants, then every Repository read of one
tenant must see only its own rows — whatever the values (same SKUs, same orders, same files)."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecomintel.config import load_settings
from ecomintel.db import models as m
from ecomintel.db.repository import Repository
from ecomintel.errors import NotFound
from ecomintel.ingest.pipeline import ingest_file
from tests.conftest import new_tenant_ctx

SETTINGS = load_settings({}).replace(ingest_chunk_rows=7)
HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"

line = st.tuples(
    st.sampled_from(["536365", "536366", "C536367", "540001"]),
    st.sampled_from(["85123A", "22633", "POST", "84029E", "Z-1"]),
    st.sampled_from(["MUG", "LANTERN", "=1+2", ""]),
    st.integers(min_value=-5, max_value=40),
    st.datetimes(min_value=pd.Timestamp(2011, 1, 1).to_pydatetime(),
                 max_value=pd.Timestamp(2011, 12, 31).to_pydatetime()).map(lambda d: d.strftime("%Y-%m-%d %H:%M:00")),
    st.sampled_from(["0", "1.25", "2.55", "10", "-1", "x"]),
    st.sampled_from(["17850.0", "", "12583"]),
    st.sampled_from(["United Kingdom", "France", "EIRE", ""]),
)


def _file(lines: list[tuple]) -> bytes:
    body = "".join(",".join(str(v) for v in row) + "\n" for row in lines)
    return (HEADER + body).encode()


def _expected(lines: list[tuple]) -> pd.DataFrame:
    """The lines the shared validation rules accept, deduplicated — computed without ecomintel code."""
    df = pd.DataFrame(lines, columns=["order_id", "sku", "name", "quantity", "sold_at", "unit_price", "customer",
                                      "country"])
    df["unit_price"] = pd.to_numeric(df["unit_price"], errors="coerce")
    df = df[(df["quantity"] != 0) & (df["unit_price"] >= 0)]
    df["customer"] = df["customer"].str.replace(".0", "", regex=False)
    return df.drop_duplicates(["order_id", "sku", "quantity", "unit_price", "sold_at", "customer"])


@given(st.lists(line, min_size=1, max_size=25), st.lists(line, min_size=1, max_size=25), st.booleans())
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_read_sees_only_own_rows(engine: sa.Engine, lines_a: list, lines_b: list, same_file: bool) -> None:
    if same_file:
        lines_b = lines_a  # identical bytes: a duplicate for one tenant must not be one for the other
    repo_a = Repository(engine, new_tenant_ctx(engine, "iso-a"))
    repo_b = Repository(engine, new_tenant_ctx(engine, "iso-b"))
    res_a = ingest_file(repo_a, "sales", _file(lines_a), settings=SETTINGS)
    res_b = ingest_file(repo_b, "sales", _file(lines_b), settings=SETTINGS)
    assert res_b.status == "done"  # never "duplicate_file" because tenant A loaded the same bytes
    for repo, res, lines, other in ((repo_a, res_a, lines_a, res_b), (repo_b, res_b, lines_b, res_a)):
        expected = _expected(lines)
        assert res.accepted == len(expected)
        sales = repo.frame(repo.scoped(m.sales))
        assert len(sales) == len(expected) and set(sales["tenant_id"]) <= {repo.tenant_id}
        assert set(sales["batch_id"]) <= {res.batch_id}
        assert sales["revenue"].sum() == pytest.approx((expected["quantity"] * expected["unit_price"]).sum())
        totals = repo.sales_totals()
        assert totals["lines"] == len(expected)
        assert totals["revenue"] == pytest.approx(sales["revenue"].sum())
        assert repo.overview()["sales_lines"] == len(expected)
        assert repo.latest_data_dates()["sales_lines"] == len(expected)
        assert set(repo.sku_catalogue()) <= set(expected["sku"])
        assert set(repo.distinct_countries()) <= set(expected["country"])
        assert set(repo.sales_batches()) <= {res.batch_id}
        assert [b["id"] for b in repo.list_batches()] == [res.batch_id]
        rejected = repo.frame(repo.scoped(m.rejected_rows))
        assert set(rejected["batch_id"]) <= {res.batch_id} and len(rejected) == res.rejected
        assert all(e["tenant_id"] == repo.tenant_id for e in repo.audit_entries())
        with pytest.raises(NotFound):
            repo.get_batch(other.batch_id)
        assert repo.rejected(other.batch_id).empty
        assert repo.find_done_batch(other.sha256, "sales") is None or other.sha256 == res.sha256
