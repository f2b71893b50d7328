"""Expected answers for the ask benchmark, computed with plain pandas from the raw UCI Online Retail CSV.

Why a separate implementation: the bench must be able to catch ecomintel computing the wrong number, so
the expected values cannot come from ecomintel code. This module re-implements the definitions of
docs/ask-contract.md on its own (validation, dedup, the four sales line classes, net revenue, returns,
non-product SKUs, orders/customers/AOV, derived metrics, customers, shares, best/worst periods, ISO weeks,
inclusive dates) and NEVER imports ecomintel.

Line classes (docs/ask-contract.md), exactly one per line:
- stock adjustment: order id not starting with C, quantity < 0, unit price 0, no customer id;
- correction: order id not starting with C, quantity > 0, unit price 0, no customer id;
- return: a C (cancellation) invoice or another negative quantity, and not an adjustment;
- sale: everything else.
Adjustments and corrections are out of units, orders, customers and returns (their revenue is 0 anyway).

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

# Same list as the contract, written out again on purpose (independence).
NON_PRODUCT = frozenset({"POST", "DOT", "M", "D", "C2", "CRUK", "PADS", "B", "S", "BANK CHARGES", "AMAZONFEE"})
METRICS = ("revenue", "units", "orders", "customers", "aov")  # the five headline metrics (overview)
DERIVED = ("gross", "units_per_order", "asp", "avg_daily_revenue", "avg_daily_revenue_calendar", "trading_days",
           "calendar_days", "cancelled_orders", "return_rate", "revenue_per_customer", "returned_units",
           "returned_value", "return_lines", "adjustment_lines", "adjustment_units", "correction_lines")
ALL_METRICS = METRICS + DERIVED
RANK_METRICS = ("revenue", "units", "orders", "customers", "aov")  # what a group ranking can sort by
GROUPS = ("product", "country", "customer", "weekday", "hour", "week", "month", "quarter", "day")
TIME_GROUPS = ("day", "week", "month", "quarter", "weekday", "hour")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FILTER_KEYS = ("countries", "exclude_countries", "skus", "exclude_skus", "weekdays", "customers")
_ALIASES = {"gross_revenue": "gross", "returned_revenue": "returned_value"}  # names used by older questions


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
    cancel = df["order_id"].str.upper().str.startswith("C").astype(bool)
    no_customer = df["customer_id"].isna()
    free = df["unit_price"].eq(0)
    adjustment = ~cancel & df["quantity"].lt(0) & free & no_customer
    correction = ~cancel & df["quantity"].gt(0) & free & no_customer
    ret = (cancel | df["quantity"].lt(0)) & ~adjustment
    df["line_class"] = "sale"
    df.loc[ret, "line_class"] = "return"
    df.loc[adjustment, "line_class"] = "adjustment"
    df.loc[correction, "line_class"] = "correction"
    df["is_return"] = df["line_class"].eq("return")
    df["is_sale"] = df["line_class"].eq("sale")
    df["is_product"] = ~df["sku"].map(is_non_product).astype(bool)
    df["day"] = df["sold_at"].dt.normalize()
    df["date"] = df["sold_at"].dt.strftime("%Y-%m-%d")
    iso = df["sold_at"].dt.isocalendar()
    df["week"] = iso["year"].astype(int).astype(str) + "-W" + iso["week"].astype(int).map("{:02d}".format)
    df["month"] = df["sold_at"].dt.strftime("%Y-%m")
    df["quarter"] = df["sold_at"].dt.year.astype(str) + "-Q" + df["sold_at"].dt.quarter.astype(str)
    df["weekday"] = df["sold_at"].dt.day_name()
    df["hour"] = df["sold_at"].dt.hour.astype(int)
    cols = ["order_id", "sku", "product_name", "quantity", "unit_price", "revenue", "customer_id", "country",
            "sold_at", "day", "date", "week", "month", "quarter", "weekday", "hour", "line_class", "is_return",
            "is_sale", "is_product"]
    return df[cols].reset_index(drop=True)


def load(path: Path | str = DATASET) -> pd.DataFrame:
    return clean(load_raw(path))


# -- selection -------------------------------------------------------------------------------------------
def _day(value: str | date) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def data_range(df: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of the tenant's data (all lines, before any question's filter)."""
    return df["day"].min(), df["day"].max()


def filter_lines(df: pd.DataFrame, filters: Mapping[str, Any] | None) -> pd.DataFrame:
    """The non-period filters: countries, excluded countries, SKUs, excluded SKUs, weekdays, customer ids."""
    filters = filters or {}
    unknown = set(filters) - set(FILTER_KEYS)
    if unknown:
        raise ValueError(f"unknown filters {sorted(unknown)}")
    mask = pd.Series(True, index=df.index)
    if filters.get("countries"):
        mask &= df["country"].isin(list(filters["countries"]))
    if filters.get("exclude_countries"):
        mask &= ~df["country"].isin(list(filters["exclude_countries"]))
    if filters.get("skus"):
        mask &= df["sku"].isin(list(filters["skus"]))
    if filters.get("exclude_skus"):
        mask &= ~df["sku"].isin(list(filters["exclude_skus"]))
    if filters.get("weekdays"):
        mask &= df["weekday"].isin(list(filters["weekdays"]))
    if filters.get("customers"):
        mask &= df["customer_id"].isin([str(c) for c in filters["customers"]])
    return df[mask]


def in_period(df: pd.DataFrame, period: Mapping[str, str] | None) -> pd.DataFrame:
    if not period:
        return df
    return df[df["day"].ge(_day(period["start"])) & df["day"].le(_day(period["end"]))]


def select(df: pd.DataFrame, period: Mapping[str, str] | None,
           filters: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Lines inside an inclusive date period (None = all data) after the non-period filters."""
    return in_period(filter_lines(df, filters), period)


def calendar_days(df: pd.DataFrame, period: Mapping[str, str] | None) -> int:
    """Calendar days of the period clipped to the tenant's data (inclusive)."""
    first, last = data_range(df)
    start = max(first, _day(period["start"])) if period else first
    end = min(last, _day(period["end"])) if period else last
    return max(0, int((end - start).days) + 1)


# -- metrics ---------------------------------------------------------------------------------------------
def _div(a: float, b: float) -> float:
    return float(a / b) if b else 0.0


def metric_value(sel: pd.DataFrame, metric: str, calendar: int | None = None) -> float:
    """One metric over a selection of lines (definitions: docs/ask-contract.md). `calendar` = calendar days
    of the period clipped to the data (only avg_daily_revenue_calendar / calendar_days need it)."""
    metric = _ALIASES.get(metric, metric)

    def sold() -> pd.DataFrame:
        return sel[sel["is_sale"]]

    def ret() -> pd.DataFrame:
        return sel[sel["is_return"]]

    def counted() -> pd.DataFrame:  # the lines of revenue and units: sales and returns
        return sel[sel["is_sale"] | sel["is_return"]]

    def revenue() -> float:
        return float(counted()["revenue"].sum())

    def units() -> float:
        return float(counted()["quantity"].sum())

    def orders() -> float:
        return float(sold()["order_id"].nunique())

    def customers() -> float:
        return float(sold()["customer_id"].dropna().nunique())

    def gross() -> float:
        return float(sold()["revenue"].sum())

    def adj() -> pd.DataFrame:
        return sel[sel["line_class"].eq("adjustment")]

    def trading_days() -> float:
        return float(sold()["day"].nunique())

    def with_customer_revenue() -> float:
        c = counted()
        return float(c.loc[c["customer_id"].notna(), "revenue"].sum())

    def calendar_days_() -> float:
        if calendar is None:
            raise ValueError(f"{metric} needs the period's calendar days")
        return float(calendar)

    formulas: dict[str, Callable[[], float]] = {
        "revenue": revenue, "gross": gross, "units": units, "orders": orders, "customers": customers,
        "aov": lambda: _div(gross(), orders()),  # gross / orders (docs/ask-contract.md)
        "units_per_order": lambda: _div(units(), orders()),
        "asp": lambda: _div(revenue(), units()),
        "returned_units": lambda: float(-ret()["quantity"].sum()),
        "returned_value": lambda: float(-ret()["revenue"].sum()),
        "return_lines": lambda: float(len(ret())),
        "cancelled_orders": lambda: float(ret()["order_id"].nunique()),
        "return_rate": lambda: _div(float(-ret()["revenue"].sum()) * 100.0, gross()),
        "revenue_per_customer": lambda: _div(with_customer_revenue(), customers()),
        "trading_days": trading_days,
        "avg_daily_revenue": lambda: _div(revenue(), trading_days()),
        "calendar_days": calendar_days_,
        "avg_daily_revenue_calendar": lambda: _div(revenue(), calendar_days_()),
        "adjustment_lines": lambda: float(len(adj())),
        "adjustment_units": lambda: float(-adj()["quantity"].sum()),
        "correction_lines": lambda: float(sel["line_class"].eq("correction").sum()),
    }
    if metric not in formulas:
        raise ValueError(f"unknown metric {metric!r}")
    return formulas[metric]()


def _group_col(group: str) -> str:
    return {"product": "sku", "day": "date", "customer": "customer_id"}.get(group, group)


def grouped(df: pd.DataFrame, metric: str, group: str) -> pd.Series:
    """metric per group value (index = group key as the Report shows it; products keyed by SKU, customers by
    id). Products leave out non-product SKUs; customers leave out lines without a customer id. A group is
    present when it has a sale or a return line (adjustment/correction-only groups are not)."""
    metric = _ALIASES.get(metric, metric)
    col = _group_col(group)
    if group == "product":
        df = df[df["is_product"]]
    if group == "customer":
        df = df[df["customer_id"].notna()]
    counted = df[df["is_sale"] | df["is_return"]]
    sold = df[df["is_sale"]]
    ret = df[df["is_return"]]
    if metric == "revenue":
        out = counted.groupby(col)["revenue"].sum()
    elif metric == "units":
        out = counted.groupby(col)["quantity"].sum()
    elif metric == "orders":
        out = sold.groupby(col)["order_id"].nunique()
    elif metric == "customers":
        out = sold.dropna(subset=["customer_id"]).groupby(col)["customer_id"].nunique()
    elif metric == "aov":
        out = (sold.groupby(col)["revenue"].sum() / sold.groupby(col)["order_id"].nunique()).dropna()
    elif metric == "returned_units":
        out = -ret.groupby(col)["quantity"].sum()
    elif metric == "returned_value":
        out = -ret.groupby(col)["revenue"].sum()
    else:
        raise ValueError(f"unknown metric {metric!r}")
    out = out.astype(float)
    if group == "hour":
        out.index = out.index.astype(int).astype(str)
    return out


def _ranked(values: pd.Series, n: int, order: str) -> dict[str, Any]:
    """Top/bottom n keys; ties broken by key so the expected list is deterministic (the checker
    accepts any order among equal values)."""
    frame = values.rename("v").reset_index()
    frame.columns = ["key", "v"]
    frame["key"] = frame["key"].astype(str)
    frame = frame.sort_values(["v", "key"], ascending=[order == "asc", True]).head(n)
    return {"keys": frame["key"].tolist(), "values": frame["v"].tolist(),
            "all": {str(k): float(v) for k, v in values.items()}}


# -- time buckets ----------------------------------------------------------------------------------------
def bucket_bounds(group: str, key: str) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """First and last day of a calendar bucket key (None for weekday/hour, which are not time spans)."""
    if group == "day":
        d = _day(key)
        return d, d
    if group == "week":
        year, week = key.split("-W")
        start = pd.Timestamp(date.fromisocalendar(int(year), int(week), 1))
        return start, start + pd.Timedelta(days=6)
    if group == "month":
        start = pd.Timestamp(f"{key}-01")
        return start, start + pd.offsets.MonthEnd(0)
    if group == "quarter":
        year, q = key.split("-Q")
        start = pd.Timestamp(int(year), 3 * int(q) - 2, 1)
        return start, start + pd.offsets.QuarterEnd(0)
    return None


def is_partial(df: pd.DataFrame, group: str, key: str, period: Mapping[str, str] | None) -> bool:
    """A bucket is partial when it is not wholly inside the data (the data starts or ends inside it) or
    not wholly inside the question's period."""
    bounds = bucket_bounds(group, key)
    if bounds is None:
        return False
    first, last = data_range(df)
    if period:
        first, last = max(first, _day(period["start"])), min(last, _day(period["end"]))
    return bool(bounds[0] < first or bounds[1] > last)


# -- answer kinds ----------------------------------------------------------------------------------------
def _calendar(df: pd.DataFrame, args: Mapping[str, Any]) -> int:
    return calendar_days(df, args.get("period"))


def ans_metric(df: pd.DataFrame, args: Mapping[str, Any]) -> dict[str, Any]:
    """A single number: metric over one period after filters."""
    sel = select(df, args.get("period"), args.get("filters"))
    return {"metric": args["metric"], "value": metric_value(sel, args["metric"], _calendar(df, args))}


def ans_metrics(df: pd.DataFrame, args: Mapping[str, Any]) -> dict[str, Any]:
    """Several numbers of one period (e.g. stock adjustments: lines and units; avg daily revenue with the
    day counts)."""
    sel = select(df, args.get("period"), args.get("filters"))
    cal = _calendar(df, args)
    return {"metrics": {m: metric_value(sel, m, cal) for m in args["metrics"]}}


def ans_overview(df: pd.DataFrame, args: Mapping[str, Any]) -> dict[str, Any]:
    """The five headline metrics of one period."""
    sel = select(df, args.get("period"), args.get("filters"))
    return {"metrics": {m: metric_value(sel, m) for m in METRICS}}


def ans_top(df: pd.DataFrame, args: Mapping[str, Any]) -> dict[str, Any]:
    """Top-N (order desc) or bottom-N (order asc) products (by SKU), countries or customers (by id)."""
    sel = select(df, args.get("period"), args.get("filters"))
    values = grouped(sel, args["metric"], args["group"])
    out = _ranked(values, int(args.get("n", 10)), args.get("order", "desc"))
    out.update(metric=args["metric"], group=args["group"])
    return out


def ans_best_period(df: pd.DataFrame, args: Mapping[str, Any]) -> dict[str, Any]:
    """Best (order desc) or worst (order asc) periods — day, week, month, quarter, weekday or hour — by a
    metric. Periods the data (or the question's period) only partly covers are flagged; they stay in a
    "best" ranking but are left out of a "worst" one unless args include_partial."""
    group, order = args["group"], args.get("order", "desc")
    assert group in TIME_GROUPS, group
    sel = select(df, args.get("period"), args.get("filters"))
    values = grouped(sel, args["metric"], group)
    partial = {str(k): is_partial(df, group, str(k), args.get("period")) for k in values.index}
    ranked_values = values
    if order == "asc" and not args.get("include_partial"):
        ranked_values = values[[not partial[str(k)] for k in values.index]]
    out = _ranked(ranked_values, int(args.get("n", 1)), order)
    out.update(metric=args["metric"], group=group, partial=partial,
               excluded_partial=sorted(k for k, v in partial.items() if v and order == "asc"
                                       and not args.get("include_partial")))
    return out


def ans_breakdown(df: pd.DataFrame, args: Mapping[str, Any]) -> dict[str, Any]:
    """metric for every group value (country, customer, weekday, hour, ISO week, month, quarter, day)."""
    sel = select(df, args.get("period"), args.get("filters"))
    values = grouped(sel, args["metric"], args["group"])
    return {"metric": args["metric"], "group": args["group"],
            "groups": {str(k): float(v) for k, v in values.items()}}


def _compare(df: pd.DataFrame, args: Mapping[str, Any], metric: str) -> dict[str, float | None]:
    cur = metric_value(select(df, args["current"], args.get("filters")), metric,
                       calendar_days(df, args["current"]))
    prev = metric_value(select(df, args["previous"], args.get("filters")), metric,
                        calendar_days(df, args["previous"]))
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
    """Most-returned products (by SKU) or countries, ranked by returned units (-sum of return-line
    quantities; stock adjustments are not returns)."""
    sel = select(df, args.get("period"), args.get("filters"))
    values = grouped(sel, "returned_units", args.get("group", "product"))
    out = _ranked(values, int(args.get("n", 10)), "desc")
    out.update(metric="returned_units", group=args.get("group", "product"))
    return out


def ans_share(df: pd.DataFrame, args: Mapping[str, Any]) -> dict[str, Any]:
    """Share of a metric from a part: part = the period with all `filters`; total = the same period and
    metric with only `total_filters` (the share filter removed). share_pct = part / total × 100."""
    metric = args.get("metric", "revenue")
    cal = calendar_days(df, args.get("period"))
    part = metric_value(select(df, args.get("period"), args.get("filters")), metric, cal)
    total = metric_value(select(df, args.get("period"), args.get("total_filters")), metric, cal)
    return {"metric": metric, "part": part, "total": total, "share_pct": _div(part * 100.0, total)}


def _first_sale(df: pd.DataFrame, filters: Mapping[str, Any] | None) -> pd.Series:
    """Customer id -> day of their first sale line (all data, the question's non-period filters)."""
    sold = filter_lines(df, filters)
    sold = sold[sold["is_sale"] & sold["customer_id"].notna()]
    return sold.groupby("customer_id")["day"].min()


def _new_returning_counts(buyers: set[str], first: pd.Series, start: pd.Timestamp) -> dict[str, float]:
    firsts = first.reindex(sorted(buyers))
    new = float((firsts >= start).sum())
    return {"new_customers": new, "returning_customers": float(len(buyers) - new), "customers": float(len(buyers))}


def ans_new_returning(df: pd.DataFrame, args: Mapping[str, Any]) -> dict[str, Any]:
    """New = first sale line (over all data with the same non-period filters) inside the period; returning
    = bought in the period, first bought before it. With a `grain`, the same per time bucket (a bucket's
    returning customers first bought before that bucket)."""
    filters = args.get("filters")
    first = _first_sale(df, filters)
    sel = select(df, args.get("period"), filters)
    sel = sel[sel["is_sale"] & sel["customer_id"].notna()]
    start = _day(args["period"]["start"]) if args.get("period") else data_range(df)[0]
    out: dict[str, Any] = {"metrics": _new_returning_counts(set(sel["customer_id"]), first, start)}
    grain = args.get("grain")
    if grain:
        col = _group_col(grain)
        rows: dict[str, dict[str, float]] = {}
        for key, part in sel.groupby(col):
            bounds = bucket_bounds(grain, str(key))
            assert bounds is not None, grain
            rows[str(key)] = _new_returning_counts(set(part["customer_id"]), first, bounds[0])
        out["grain"] = grain
        out["rows"] = rows
    return out


def ans_repeat(df: pd.DataFrame, args: Mapping[str, Any]) -> dict[str, Any]:
    """Repeat customers = customers with >= 2 distinct orders (sale lines) in the period; rate in %."""
    sel = select(df, args.get("period"), args.get("filters"))
    sel = sel[sel["is_sale"] & sel["customer_id"].notna()]
    per = sel.groupby("customer_id")["order_id"].nunique()
    customers, repeat = float(len(per)), float((per >= 2).sum())
    return {"metrics": {"repeat_customers": repeat, "customers": customers,
                        "one_time_customers": customers - repeat,
                        "repeat_rate": _div(repeat * 100.0, customers)}}


def _month_index(month: str) -> int:
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def ans_cohorts(df: pd.DataFrame, args: Mapping[str, Any]) -> dict[str, Any]:
    """Cohort = month of a customer's first sale line (all data, the question's non-period filters). Cell
    "month k" = % of the cohort's customers with a sale line k months after their first month (month 0 =
    100), up to the data's last month. `cohorts` (a period) limits which cohorts are shown; `months` caps
    the offsets graded."""
    sold = filter_lines(df, args.get("filters"))
    sold = sold[sold["is_sale"] & sold["customer_id"].notna()]
    first_month = sold.groupby("customer_id")["month"].min()
    active = sold[["customer_id", "month"]].drop_duplicates()
    active = active.assign(cohort=active["customer_id"].map(first_month))
    active["k"] = active["month"].map(_month_index) - active["cohort"].map(_month_index)
    last = _month_index(data_range(df)[1].strftime("%Y-%m"))
    window = args.get("cohorts")
    rows: dict[str, dict[str, float]] = {}
    for cohort, size in first_month.value_counts().sort_index().items():
        if window and not (window["start"][:7] <= str(cohort) <= window["end"][:7]):
            continue
        counts = active[active["cohort"] == cohort].groupby("k")["customer_id"].nunique()
        top = last - _month_index(str(cohort))
        if args.get("months") is not None:
            top = min(top, int(args["months"]))
        row = {"customers": float(size)}
        for k in range(top + 1):
            row[f"month {k}"] = float(counts.get(k, 0)) * 100.0 / float(size)
        rows[str(cohort)] = row
    return {"rows": rows}


def ans_not_understood_filter(df: pd.DataFrame, args: Mapping[str, Any]) -> dict[str, Any]:
    """A filter word that matches nothing in the data (a city, a channel): the right answer says so."""
    return {"word": args["word"]}


def ans_cannot_answer(df: pd.DataFrame, args: Mapping[str, Any]) -> dict[str, Any]:
    """The data cannot answer it (no cost, reviews, inventory, traffic… or a future period)."""
    return {"need": args["need"]}


def ans_forecast(df: pd.DataFrame, args: Mapping[str, Any]) -> dict[str, Any]:
    """A question about a period after the data: the right answer is a forecast covering that period (its
    accuracy is bench/forecast.py's subject; here only its shape is graded)."""
    return {"period": args["period"], "metric": args.get("metric", "revenue")}


KINDS: dict[str, Callable[[pd.DataFrame, Mapping[str, Any]], dict[str, Any]]] = {
    "metric": ans_metric,
    "metrics": ans_metrics,
    "overview": ans_overview,
    "top": ans_top,
    "best_period": ans_best_period,
    "breakdown": ans_breakdown,
    "compare": ans_compare,
    "why_change": ans_why_change,
    "movers": ans_movers,
    "returns": ans_returns,
    "share": ans_share,
    "new_returning": ans_new_returning,
    "repeat": ans_repeat,
    "cohorts": ans_cohorts,
    "not_understood_filter": ans_not_understood_filter,
    "cannot_answer": ans_cannot_answer,
    "forecast": ans_forecast,
}
ANSWERABLE = frozenset(KINDS) - {"cannot_answer", "not_understood_filter"}


def answer(df: pd.DataFrame, kind: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """The expected answer of one question (df = `load()` output)."""
    if kind not in KINDS:
        raise ValueError(f"unknown answer kind {kind!r}; known: {sorted(KINDS)}")
    return KINDS[kind](df, args)

