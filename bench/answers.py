"""Expected answers for the ask benchmark, computed with plain pandas from the raw UCI Online Retail CSV.

Why a separate implementation: the bench must be able to catch ecomintel computing the wrong number, so
the expected values cannot come from ecomintel code. This module re-implements the shared semantics of
notes/common.md on its own (validation, dedup, net revenue, returns, non-product SKUs, orders/customers,
AOV, ISO weeks, inclusive dates) and NEVER imports ecomintel.

Each question in bench/questions.jsonl names a `kind` (a key of `KINDS`) and explicit `args` (what a
perfect planner would resolve: ISO dates, filters, n, metric, group). `answer(df, kind, args)` returns a
plain dict that bench/ask.py compares with the Report's `metrics` and `tables[0]`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

DATASET = Path("/work/shared/datasets/uci-online-retail/online-retail.csv.gz")

# Same list as the shared semantics (common.md), written out again on purpose (independence).
NON_PRODUCT = frozenset({"POST", "DOT", "M", "D", "C2", "CRUK", "PADS", "B", "S", "BANK CHARGES", "AMAZONFEE"})
METRICS = ("revenue", "units", "orders", "customers", "aov")
GROUPS = ("product", "country", "weekday", "hour", "week", "month", "day")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def is_non_product(sku: str) -> bool:
    """Postage, fees, manual adjustments, gift vouchers: not merchandise, so not in product rankings."""
    s = str(sku).strip().upper()
    return s in NON_PRODUCT or s.startswith("GIFT_0001")


# -- loading and cleaning ------------------------------------------------------------------------------
def load_raw(path: Path | str = DATASET) -> pd.DataFrame:
    """The CSV exactly as shipped (ids read as text so '85123A' and 'C536379' stay intact)."""
    return pd.read_csv(path, dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": str,
                                    "Description": str, "Country": str})


def _customer(value: Any) -> str | None:
    """'17850.0' -> '17850'; empty -> None (customers are counted on non-empty ids only)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    if not text or text.lower() == "nan":
        return None
    if text.endswith(".0"):
        text = text[:-2]
    return text


def clean(raw: pd.DataFrame) -> pd.DataFrame:
    """Apply the shared validation + dedup rules and add the derived columns the answers use.

    Rejected: empty InvoiceNo/StockCode, Quantity missing or 0, UnitPrice missing or < 0, unparseable date.
    Duplicates: identical (InvoiceNo, StockCode, Quantity, UnitPrice, InvoiceDate, CustomerID) kept once.
    """
    df = raw.copy()
    df["order_id"] = df["InvoiceNo"].astype("string").str.strip()
    df["sku"] = df["StockCode"].astype("string").str.strip()
    df["quantity"] = pd.to_numeric(df["Quantity"], errors="coerce")
    df["unit_price"] = pd.to_numeric(df["UnitPrice"], errors="coerce")
    df["sold_at"] = pd.to_datetime(df["InvoiceDate"], errors="coerce")
    ok = (df["order_id"].fillna("").ne("") & df["sku"].fillna("").ne("")
          & df["quantity"].notna() & df["quantity"].ne(0)
          & df["unit_price"].notna() & df["unit_price"].ge(0) & df["sold_at"].notna())
    df = df[ok].copy()
    df["customer_id"] = [_customer(v) for v in df["CustomerID"]]
    df = df.drop_duplicates(subset=["order_id", "sku", "quantity", "unit_price", "sold_at", "customer_id"])
    df["country"] = df["Country"].fillna("").astype(str).str.strip()
    df["product_name"] = df["Description"]
    df["revenue"] = df["quantity"] * df["unit_price"]
    df["is_return"] = df["order_id"].str.upper().str.startswith("C") | df["quantity"].lt(0)
    df["is_product"] = ~df["sku"].map(is_non_product).astype(bool)
    df["day"] = df["sold_at"].dt.normalize()
    df["date"] = df["sold_at"].dt.strftime("%Y-%m-%d")
    iso = df["sold_at"].dt.isocalendar()
    df["week"] = iso["year"].astype(int).astype(str) + "-W" + iso["week"].astype(int).map("{:02d}".format)
    df["month"] = df["sold_at"].dt.strftime("%Y-%m")
    df["weekday"] = df["sold_at"].dt.day_name()
    df["hour"] = df["sold_at"].dt.hour.astype(int)
    cols = ["order_id", "sku", "product_name", "quantity", "unit_price", "revenue", "customer_id", "country",
            "sold_at", "day", "date", "week", "month", "weekday", "hour", "is_return", "is_product"]
    return df[cols].reset_index(drop=True)


def load(path: Path | str = DATASET) -> pd.DataFrame:
    return clean(load_raw(path))


# -- selection -------------------------------------------------------------------------------------------
def _day(value: str | date) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def select(df: pd.DataFrame, period: Mapping[str, str] | None,
           filters: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Lines inside an inclusive date period (None = all data) after country/SKU filters."""
    mask = pd.Series(True, index=df.index)
    if period:
        mask &= df["day"].ge(_day(period["start"])) & df["day"].le(_day(period["end"]))
    filters = filters or {}
    if filters.get("countries"):
        mask &= df["country"].isin(list(filters["countries"]))
    if filters.get("exclude_countries"):
        mask &= ~df["country"].isin(list(filters["exclude_countries"]))
    if filters.get("skus"):
        mask &= df["sku"].isin(list(filters["skus"]))
    return df[mask]


# -- metrics ---------------------------------------------------------------------------------------------
def metric_value(df: pd.DataFrame, metric: str) -> float:
    """One metric over a selection of lines (see module docstring for the definitions)."""
    sold = df[~df["is_return"]]
    if metric == "revenue":
        return float(df["revenue"].sum())
    if metric == "gross_revenue":
        return float(sold["revenue"].sum())
    if metric == "units":
        return float(df["quantity"].sum())
    if metric == "orders":
        return float(sold["order_id"].nunique())
    if metric == "customers":
        return float(sold["customer_id"].dropna().nunique())
    if metric == "aov":
        orders = sold["order_id"].nunique()
        return float(sold["revenue"].sum() / orders) if orders else 0.0
    if metric == "returned_units":
        return float(-df.loc[df["is_return"], "quantity"].sum())
    if metric == "returned_revenue":
        return float(-df.loc[df["is_return"], "revenue"].sum())
    raise ValueError(f"unknown metric {metric!r}")


def grouped(df: pd.DataFrame, metric: str, group: str) -> pd.Series:
    """metric per group value (index = group key as the Report shows it; products keyed by SKU)."""
    col = {"product": "sku", "day": "date"}.get(group, group)
    if group == "product":
        df = df[df["is_product"]]
    sold = df[~df["is_return"]]
    if metric == "revenue":
        out = df.groupby(col)["revenue"].sum()
    elif metric == "units":
        out = df.groupby(col)["quantity"].sum()
    elif metric == "orders":
        out = sold.groupby(col)["order_id"].nunique()
    elif metric == "customers":
        out = sold.dropna(subset=["customer_id"]).groupby(col)["customer_id"].nunique()
    elif metric == "aov":
        out = sold.groupby(col)["revenue"].sum() / sold.groupby(col)["order_id"].nunique()
    elif metric == "returned_units":
        out = -df[df["is_return"]].groupby(col)["quantity"].sum()
    elif metric == "returned_revenue":
        out = -df[df["is_return"]].groupby(col)["revenue"].sum()
    else:
        raise ValueError(f"unknown metric {metric!r}")
    return out.astype(float)


def _ranked(values: pd.Series, n: int, order: str) -> dict[str, Any]:
    """Top/bottom n keys; ties broken by key so the expected list is deterministic (the checker
    accepts any order among equal values)."""
    frame = values.rename("v").reset_index()
    frame.columns = ["key", "v"]
    frame["key"] = frame["key"].astype(str)
    frame = frame.sort_values(["v", "key"], ascending=[order == "asc", True]).head(n)
    return {"keys": frame["key"].tolist(), "values": frame["v"].tolist(),
            "all": {str(k): float(v) for k, v in values.items()}}


# -- answer kinds ----------------------------------------------------------------------------------------
def ans_metric(df: pd.DataFrame, args: Mapping[str, Any]) -> dict[str, Any]:
    """A single number: metric over one period after filters."""
    sel = select(df, args.get("period"), args.get("filters"))
    return {"metric": args["metric"], "value": metric_value(sel, args["metric"])}


def ans_overview(df: pd.DataFrame, args: Mapping[str, Any]) -> dict[str, Any]:
    """The five headline metrics of one period."""
    sel = select(df, args.get("period"), args.get("filters"))
    return {"metrics": {m: metric_value(sel, m) for m in METRICS}}


def ans_top(df: pd.DataFrame, args: Mapping[str, Any]) -> dict[str, Any]:
    """Top-N (order desc) or bottom-N (order asc) products (by SKU) or countries by a metric."""
    sel = select(df, args.get("period"), args.get("filters"))
    values = grouped(sel, args["metric"], args["group"])
    out = _ranked(values, int(args.get("n", 10)), args.get("order", "desc"))
    out.update(metric=args["metric"], group=args["group"])
    return out


def ans_breakdown(df: pd.DataFrame, args: Mapping[str, Any]) -> dict[str, Any]:
    """metric for every group value (country, weekday, hour, ISO week, month, day)."""
    sel = select(df, args.get("period"), args.get("filters"))
    values = grouped(sel, args["metric"], args["group"])
    return {"metric": args["metric"], "group": args["group"],
            "groups": {str(k): float(v) for k, v in values.items()}}


def _compare(df: pd.DataFrame, args: Mapping[str, Any], metric: str) -> dict[str, float | None]:
    cur = metric_value(select(df, args["current"], args.get("filters")), metric)
    prev = metric_value(select(df, args["previous"], args.get("filters")), metric)
    change = cur - prev
    pct = change / abs(prev) * 100.0 if prev else None
    return {"current": cur, "previous": prev, "change": change, "change_pct": pct}


def ans_compare(df: pd.DataFrame, args: Mapping[str, Any]) -> dict[str, Any]:
    """Period A (current) vs period B (previous): values, absolute change, change in percent."""
    return {"metric": args["metric"], **_compare(df, args, args["metric"])}


def ans_why_change(df: pd.DataFrame, args: Mapping[str, Any]) -> dict[str, Any]:
    """Revenue change between two periods plus the products and countries that moved it most
    (contributors are informative; the checker grades the change itself)."""
    metric = args.get("metric", "revenue")
    out: dict[str, Any] = {"metric": metric, **_compare(df, args, metric)}
    cur = select(df, args["current"], args.get("filters"))
    prev = select(df, args["previous"], args.get("filters"))
    for group in ("product", "country"):
        delta = grouped(cur, metric, group).sub(grouped(prev, metric, group), fill_value=0.0)
        top = delta.reindex(delta.abs().sort_values(ascending=False).index).head(5)
        out[f"contributors_{group}"] = {str(k): float(v) for k, v in top.items()}
    return out


def ans_movers(df: pd.DataFrame, args: Mapping[str, Any]) -> dict[str, Any]:
    """Products ranked by change between two periods: risers (direction up) or fallers (down)."""
    metric = args.get("metric", "revenue")
    group = args.get("group", "product")
    cur = grouped(select(df, args["current"], args.get("filters")), metric, group)
    prev = grouped(select(df, args["previous"], args.get("filters")), metric, group)
    delta = cur.sub(prev, fill_value=0.0)
    order = "desc" if args.get("direction", "up") == "up" else "asc"
    out = _ranked(delta, int(args.get("n", 10)), order)
    out.update(metric=metric, group=group, direction=args.get("direction", "up"))
    return out


def ans_returns(df: pd.DataFrame, args: Mapping[str, Any]) -> dict[str, Any]:
    """Most-returned products (by SKU) or countries, ranked by returned units (-sum of return quantities)."""
    sel = select(df, args.get("period"), args.get("filters"))
    values = grouped(sel, "returned_units", args.get("group", "product"))
    out = _ranked(values, int(args.get("n", 10)), "desc")
    out.update(metric="returned_units", group=args.get("group", "product"))
    return out


KINDS: dict[str, Callable[[pd.DataFrame, Mapping[str, Any]], dict[str, Any]]] = {
    "metric": ans_metric,
    "overview": ans_overview,
    "top": ans_top,
    "breakdown": ans_breakdown,
    "compare": ans_compare,
    "why_change": ans_why_change,
    "movers": ans_movers,
    "returns": ans_returns,
}


def answer(df: pd.DataFrame, kind: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """The expected answer of one question (df = `load()` output)."""
    if kind not in KINDS:
        raise ValueError(f"unknown answer kind {kind!r}; known: {sorted(KINDS)}")
    return KINDS[kind](df, args)
