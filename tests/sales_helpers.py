"""Test support for the sales / ask tests: load Online Retail style CSVs into a tenant, and the same lines as
a pandas frame so tests can compute expected answers independently of ecomintel's SQL.

Why not ingest_file: the sales tests must not depend on the ingest pipeline's internals; this loader applies
the team's shared validation and dedup rules (common.md) in a few obvious lines and writes through the
repository's tenant stamp. When the pipeline is present, `load_via_ingest` uses it instead.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from ecomintel.db import models as m
from ecomintel.db.repository import Repository

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "data" / "samples" / "online_retail_small.csv"


def clean_retail(path: Path = SMALL) -> pd.DataFrame:
    """The accepted, de-duplicated lines of an Online Retail CSV as the shared rules define them."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = pd.DataFrame({
        "order_id": raw["InvoiceNo"].str.strip(),
        "sku": raw["StockCode"].str.strip(),
        "product_name": raw["Description"].str.strip().replace("", None),
        "quantity": pd.to_numeric(raw["Quantity"], errors="coerce"),
        "unit_price": pd.to_numeric(raw["UnitPrice"], errors="coerce"),
        "sold_at": pd.to_datetime(raw["InvoiceDate"], errors="coerce"),
        "customer_id": raw["CustomerID"].str.replace(r"\.0$", "", regex=True).replace("", None),
        "country": raw["Country"].str.strip().replace("", None),
    })
    ok = ((df.order_id != "") & (df.sku != "") & df.quantity.notna() & (df.quantity != 0)
          & df.unit_price.notna() & (df.unit_price >= 0) & df.sold_at.notna())
    df = df[ok].copy()
    key_cols = ["order_id", "sku", "quantity", "unit_price", "sold_at", "customer_id"]
    df = df.drop_duplicates(subset=key_cols, keep="last").reset_index(drop=True)
    df["revenue"] = df.quantity * df.unit_price
    df["is_return"] = df.order_id.str.upper().str.startswith("C") | (df.quantity < 0)
    df["line_key"] = [hashlib.md5("|".join(map(str, r)).encode()).hexdigest()
                      for r in df[key_cols].itertuples(index=False)]
    return with_line_classes(df)


def with_line_classes(df: pd.DataFrame) -> pd.DataFrame:
    """The truth frame plus `line_class` (sale/return/adjustment/correction), `sold` (a sale line), `returned`
    (a return line) and `units` (quantity of sales and returns, 0 for adjustments and corrections)."""
    df = df.copy()
    df["line_class"] = line_class(df)
    df["sold"] = df.line_class == "sale"
    df["returned"] = df.line_class == "return"
    df["units"] = df.quantity.where(df.sold | df.returned, 0.0)
    return df


def insert_sales(repo: Repository, df: pd.DataFrame, file_name: str = "test.csv") -> int:
    """Insert the frame's lines for repo's tenant as one finished batch; returns the batch id."""
    batch = repo.create_batch(file_name=file_name, sha256=hashlib.sha256(file_name.encode()).hexdigest(),
                              kind="sales", source="test")
    cols = ["line_key", "order_id", "sku", "product_name", "quantity", "unit_price", "revenue", "customer_id",
            "country", "sold_at", "is_return"]
    records = []
    for rec in df[cols].to_dict("records"):
        rec = {k: (None if (not isinstance(v, str) and pd.isna(v)) else v) for k, v in rec.items()}
        rec["sold_at"] = pd.Timestamp(rec["sold_at"]).to_pydatetime()
        rec["is_return"] = bool(rec["is_return"])
        rec["currency"] = "GBP"
        rec["batch_id"] = batch
        records.append(rec)
    with repo.engine.begin() as conn:
        for i in range(0, len(records), 5000):
            conn.execute(sa.insert(m.sales), repo.stamp(records[i:i + 5000]))
        repo.bump_data_version(conn)
    repo.finish_batch(batch, status="done", rows_total=len(df), rows_accepted=len(df))
    return batch


def load_small(repo: Repository) -> pd.DataFrame:
    """Load online_retail_small.csv into repo's tenant; returns the truth frame."""
    df = clean_retail(SMALL)
    insert_sales(repo, df, SMALL.name)
    return df


def load_via_ingest(repo: Repository) -> pd.DataFrame:
    """Load online_retail_small.csv through the real ingest pipeline; returns the independent truth frame
    (the same file cleaned by `clean_retail`, which does not use ecomintel code)."""
    from ecomintel.config import load_settings
    from ecomintel.ingest.pipeline import ingest_file

    result = ingest_file(repo, "sales", SMALL, settings=load_settings({}), file_name=SMALL.name,
                         source_label="test")
    assert result.status == "done", result.message
    return clean_retail(SMALL)


def retail_engine(kind: str, tmp_dir: Path, pg_url: str | None) -> sa.Engine:
    """A migrated engine: a fresh SQLite file, or the per-worker PostgreSQL test database."""
    from ecomintel.db.engine import make_engine, migrate

    if kind == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_dir / 'retail.db'}")
        migrate(engine)
        return engine
    assert pg_url is not None
    return make_engine(pg_url)


NON_PRODUCT = {"POST", "DOT", "M", "D", "C2", "CRUK", "PADS", "B", "S", "BANK CHARGES", "AMAZONFEE"}


def is_product(sku: str) -> bool:
    """The shared non-product rule written out again (tests must not reuse the code they check)."""
    s = str(sku).strip().upper()
    return not (s in NON_PRODUCT or s.startswith("GIFT_0001"))


def select(df: pd.DataFrame, start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Lines of the truth frame inside inclusive dates."""
    day = df.sold_at.dt.normalize()
    mask = pd.Series(True, index=df.index)
    if start:
        mask &= day >= pd.Timestamp(start)
    if end:
        mask &= day <= pd.Timestamp(end)
    return df[mask]


def line_class(df: pd.DataFrame) -> pd.Series:
    """The contract's line classes written out again in pandas (docs/ask-contract.md): "adjustment",
    "correction", "return" or "sale" per line; the first matching rule wins."""
    no_customer = df.customer_id.isna() | (df.customer_id.astype(str).str.strip() == "")
    stock = ~df.order_id.str.upper().str.startswith("C") & (df.unit_price == 0) & no_customer
    cls = pd.Series("sale", index=df.index)
    cls[df.is_return.astype(bool)] = "return"
    cls[stock & (df.quantity > 0)] = "correction"
    cls[stock & (df.quantity < 0)] = "adjustment"
    return cls


def truth_metrics(df: pd.DataFrame) -> dict[str, float]:
    """revenue, units, orders, customers, aov as the contract defines them, in pandas: adjustments and
    corrections are not units, orders count sale lines only, aov = gross / orders."""
    cls = line_class(df)
    sold = df[cls == "sale"]
    orders = sold.order_id.nunique()
    return {"revenue": float(df.revenue.sum()), "units": float(df.quantity[cls.isin(["sale", "return"])].sum()),
            "orders": float(orders), "customers": float(sold.customer_id.dropna().nunique()),
            "aov": float(sold.revenue.sum() / orders) if orders else 0.0}


LINE_COLUMNS = ["order_id", "sku", "product_name", "quantity", "unit_price", "sold_at", "customer_id", "country"]


def lines_frame(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    """Hand-written sales lines (order_id, sku, product_name, quantity, unit_price, sold_at, customer_id,
    country) as a truth frame ready for `insert_sales`: revenue, is_return (C invoice or negative quantity,
    as ingest sets it), a unique line_key and the line classes."""
    df = pd.DataFrame(rows, columns=LINE_COLUMNS)
    df["sold_at"] = pd.to_datetime(df["sold_at"])
    df["quantity"] = df["quantity"].astype(float)
    df["unit_price"] = df["unit_price"].astype(float)
    df["revenue"] = df.quantity * df.unit_price
    df["is_return"] = df.order_id.str.upper().str.startswith("C") | (df.quantity < 0)
    df["line_key"] = [hashlib.md5(f"{i}|{r}".encode()).hexdigest() for i, r in enumerate(rows)]
    return with_line_classes(df)
