"""Migrations: 0003's frozen copy of the line key still equals today's ingest function."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pandas as pd

from ecomintel.db.engine import MIGRATIONS
from ecomintel.ingest.dedup import line_keys
from tests.sales_helpers import SMALL


def load_migration(name: str) -> ModuleType:
    path = next((MIGRATIONS / "versions").glob(f"{name}_*.py"))
    spec = importlib.util.spec_from_file_location(f"migration_{name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sample_lines() -> pd.DataFrame:
    """Real lines of the committed sample plus the representations the key must see through."""
    raw = pd.read_csv(SMALL, dtype=str, keep_default_na=False, nrows=3000)
    frame = pd.DataFrame({
        "order_id": raw["InvoiceNo"], "sku": raw["StockCode"],
        "quantity": pd.to_numeric(raw["Quantity"]), "unit_price": pd.to_numeric(raw["UnitPrice"]),
        "sold_at": pd.to_datetime(raw["InvoiceDate"]),
        "customer_id": raw["CustomerID"].str.replace(r"\.0$", "", regex=True).replace("", None),
    })
    odd = pd.DataFrame({
        "order_id": ["C1", "2", "3", "4"], "sku": ["A", "B", "POST", "D"], "quantity": [-1.0, 2.0, 1.0, 6.0],
        "unit_price": [-0.0, 0.0, 18.0, 2.55],
        "sold_at": pd.to_datetime(["2011-12-01 08:00:00.750", "2011-12-01 08:00:00", "2010-12-01", "2011-06-30 23:59:59"],
                                  format="ISO8601"),
        "customer_id": [None, "", "12583", "17850"],
    })
    return pd.concat([frame, odd], ignore_index=True)


def test_migration_0003_frozen_line_key_equals_todays_ingest_key() -> None:
    """If this fails, ingest's line key changed: stored lines no longer match re-uploads. Decide consciously
    (a new migration re-keying stored lines, like 0003 did) — do not edit 0003's frozen copy."""
    frozen = load_migration("0003").line_keys
    frame = sample_lines()
    assert frozen(frame).tolist() == line_keys(frame).tolist()
    assert frozen(frame.iloc[:0]).tolist() == []
    assert frozen is not line_keys
