"""The state one sales answer is built in (`SalesContext`): the plan, the repository, the filters, the data's
date range and the result being filled, plus the parts every sales analysis shares — the plan's periods,
coverage and small-sample warnings, memoised aggregates, evidence, the non-product rule, display names,
the line-class note and the definitions the answer states.

Why a context object and handler functions (sales_rankings.py, sales_trends.py, sales_changes.py,
sales_returns.py): each intent is a short function over the same few SQL aggregates
(`Repository.sales_totals` / `sales_by`), and the shared parts live once, here.
Agents never raise for data problems: empty periods, unknown filters and partial coverage become warnings
and a lower confidence. `tables[0]` is the primary answer (see the Report contract in the ask service).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd

from ecomintel.agents.base import AgentResult, EvidenceRef, Finding
from ecomintel.agents.definitions import DEFINITIONS, definition
from ecomintel.agents.numbers import Money, fmt_metric, fmt_pct, fmt_units, num, pct_change
from ecomintel.agents.time_buckets import PeriodSpec, bucket_key, month_end, previous_period
from ecomintel.ask.plan import Filters, Plan
from ecomintel.db.repository import Repository
from ecomintel.db.sales_lines import NO_CUSTOMER, SalesFilter

# Non-merchandise StockCodes (postage, manual adjustments, discounts, fees, carriage, charity, samples…):
# excluded from product rankings, included in revenue totals. The one definition the team shares.
NON_PRODUCT_SKUS = frozenset({"POST", "DOT", "M", "D", "C2", "CRUK", "PADS", "B", "S", "BANK CHARGES",
                              "AMAZONFEE"})
NON_PRODUCT_PREFIXES = ("GIFT_0001",)

HEADLINE = ("revenue", "units", "orders", "customers", "aov")
DERIVED = ("units_per_order", "asp", "avg_daily_revenue", "cancelled_orders", "return_rate",
           "revenue_per_customer")
LINE_CLASS_METRICS = ("adjustment_lines", "adjustment_units", "correction_lines")
ADDITIVE = ("revenue", "units", "returned_units", "returned_value", "gross")
DISTINCT_METRICS = ("orders", "customers", "aov", "units_per_order", "revenue_per_customer")
DETAIL_METRICS = ("cancelled_orders", "revenue_per_customer")  # need Repository.sales_by(details=True)
# ratio metrics and the column that must be positive for a group's ratio to mean something
RATIO_DENOMINATORS = {"aov": "orders", "units_per_order": "orders", "asp": "units", "return_rate": "gross",
                      "revenue_per_customer": "customers"}
REVENUE_DEFINITION = "Revenue = net: returns and cancellations subtract (sum of quantity × unit price)."
SMALL_SAMPLE_ORDERS = 30


def is_non_product_sku(sku: Any) -> bool:
    """True for postage, fees, adjustments and gift vouchers (not merchandise)."""
    code = str(sku or "").strip().upper()
    return code in NON_PRODUCT_SKUS or code.startswith(NON_PRODUCT_PREFIXES)


def metric_column(metric: str) -> str:
    """The table/metric column a plan metric is reported in ("returns" → "returned_units")."""
    return "returned_units" if metric == "returns" else metric


def sales_filter(filters: Filters) -> SalesFilter:
    """The plan's filters as the repository's SalesFilter (no dates; periods are applied per query)."""
    def tup(values: list[str]) -> tuple[str, ...]:
        return tuple(str(v) for v in values if str(v).strip())

    return SalesFilter(countries=tup(filters.countries), exclude_countries=tup(filters.exclude_countries),
                       skus=tup(filters.skus), exclude_skus=tup(filters.exclude_skus),
                       products=tup(filters.products), categories=tup(filters.categories),
                       channels=tup(filters.channels), marketplaces=tup(filters.marketplaces),
                       customers=tup(filters.customers), weekdays=tup(list(filters.weekdays)))


def plural(dim: str) -> str:
    return {"sku": "products", "country": "countries", "category": "categories"}.get(dim, dim + "s")


def extreme_row(frame: pd.DataFrame, column: str, highest: bool) -> pd.Series:
    """The first row holding the column's maximum (or minimum)."""
    values = frame[column].astype(float).to_numpy()
    return frame.iloc[int(values.argmax() if highest else values.argmin())]


class SalesContext:
    """One run of a sales analysis over one plan: holds the repo, filters, data range and the result being
    built, so each intent handler is a short function."""

    def __init__(self, name: str, repo: Repository, plan: Plan,
                 memo: dict[tuple[Any, ...], Any] | None = None) -> None:
        self.repo = repo
        self.plan = plan
        self.result = AgentResult(agent=name)
        self.intent = plan.intent
        self.metric = plan.metric
        self.mcol = metric_column(plan.metric)
        self.group_by = plan.group_by
        self.top_n = plan.top_n
        self.order = plan.order
        self.base = sales_filter(plan.filters)
        self.data_start, self.data_end = repo.sales_data_range()
        self.money = Money(repo.vocabulary().currency)  # from the vocabulary: no scan per answer
        self.data_version = 0
        self.needs_distinct = self.mcol in DISTINCT_METRICS
        # aggregates already computed (shared by the analyses of one deep run: same filters, same periods)
        self.memo: dict[tuple[Any, ...], Any] = {} if memo is None else memo
        self.batches: dict[tuple[date | None, date | None], list[int]] = {}
        self.confidence = 1.0
        self.coverage = 1.0

    # ---- result helpers ----
    def warn(self, text: str) -> None:
        if text not in self.result.warnings:
            self.result.warnings.append(text)

    def find(self, text: str, severity: str = "info") -> None:
        self.result.findings.append(Finding(severity=severity, text=text))  # type: ignore[arg-type]

    def define(self, *names: str) -> None:
        """State these definitions in the report (once each)."""
        have = {e.note for f in self.result.findings for e in f.evidence if e.source == "definition"}
        for name in names:
            if name in DEFINITIONS and name not in have:
                self.result.findings.append(definition(name))
                have.add(name)

    def evidence(self, flt: SalesFilter, totals: dict[str, float], note: str = "") -> None:
        self.result.evidence.append(EvidenceRef(
            source="sales", filters=flt.describe(), rows=int(totals["lines"]),
            data_version=self.data_version, batch_ids=self.batches.get((flt.start, flt.end), []), note=note))

    # ---- periods ----
    def filt(self, p: PeriodSpec) -> SalesFilter:
        return self.base.with_period(p.start, p.end)

    def periods(self, need: int) -> list[PeriodSpec]:
        """The plan's periods; defaults: all data for one, the preceding period for a comparison.
        With two periods, the later one is "current" whatever order the planner listed them in."""
        assert self.data_start is not None and self.data_end is not None
        ps = [PeriodSpec.of(p) for p in self.plan.periods]
        if not ps:
            ps = [PeriodSpec(self.data_start, self.data_end, "all data")]
            if need == 2:  # compare the latest complete month with the one before
                last_full = self.data_end if self.data_end == month_end(self.data_end) else \
                    self.data_end.replace(day=1) - timedelta(days=1)
                ps = [PeriodSpec(last_full.replace(day=1), last_full, last_full.strftime("%b %Y"))]
        if need == 2 and len(ps) == 1:
            prev = previous_period(ps[0])
            self.warn(f"No comparison period was given; compared {ps[0].text()} with the preceding period "
                      f"{prev.text()}.")
            ps.append(prev)
        if len(ps) == 2 and ps[1].start > ps[0].start:
            ps = [ps[1], ps[0]]
        return ps[:need] if need == 1 else ps

    def covered(self, p: PeriodSpec) -> tuple[date, date]:
        """The days of `p` inside the loaded data (may be empty: start > end)."""
        assert self.data_start is not None and self.data_end is not None
        return max(p.start, self.data_start), min(p.end, self.data_end)

    def check_coverage(self, p: PeriodSpec, totals: dict[str, float]) -> None:
        """Warn when the period reaches outside the loaded data or holds little data."""
        assert self.data_start is not None and self.data_end is not None
        lo, hi = self.covered(p)
        covered = max(0, (hi - lo).days + 1) / p.days
        if covered < 1:
            if covered == 0:
                self.warn(f"{p.text()} is outside the loaded sales data "
                          f"({self.data_start.isoformat()}..{self.data_end.isoformat()}).")
            else:
                self.warn(f"Partial period: {p.text()} extends beyond the loaded sales data "
                          f"({self.data_start.isoformat()}..{self.data_end.isoformat()}); figures cover "
                          f"{lo.isoformat()}..{hi.isoformat()} only.")
        self.coverage = min(self.coverage, covered)
        if totals["lines"] == 0:
            self.warn(f"No sales lines match {p.text()} with the filters given.")
            self.confidence = min(self.confidence, 0.2)
        elif totals["orders"] < SMALL_SAMPLE_ORDERS:
            self.warn(f"Small sample: only {int(totals['orders'])} orders in {p.text()}; treat changes and "
                      "rankings with caution.")
            self.confidence = min(self.confidence, 0.7)

    # ---- aggregates ----
    def totals(self, p: PeriodSpec, days: bool | None = None) -> dict[str, float]:
        """The period's totals (memoised); with `days` (default: when the metric is avg_daily_revenue) also
        trading_days, calendar_days, avg_daily_revenue and avg_daily_revenue_calendar."""
        key = ("totals", p.start, p.end)
        if key not in self.memo:
            totals, batch_ids = self.repo.sales_totals_and_batches(self.filt(p))
            self.memo[key] = (totals, self.repo.batch_numbers(batch_ids))  # evidence names the tenant's numbers
        totals, batches = self.memo[key]
        self.batches[(p.start, p.end)] = batches
        out = dict(totals)
        if days if days is not None else self.mcol == "avg_daily_revenue":
            lo, hi = self.covered(p)
            out["trading_days"] = float(len(self.trading_days(p)))
            out["calendar_days"] = float(max(0, (hi - lo).days + 1))
            out["avg_daily_revenue"] = out["revenue"] / out["trading_days"] if out["trading_days"] else 0.0
            out["avg_daily_revenue_calendar"] = (out["revenue"] / out["calendar_days"]
                                                 if out["calendar_days"] else 0.0)
        return out

    def trading_days(self, p: PeriodSpec) -> list[date]:
        key = ("trading_days", p.start, p.end)
        if key not in self.memo:
            self.memo[key] = self.repo.trading_days(self.filt(p))
        days: list[date] = self.memo[key]
        return days

    def by(self, dim: str, p: PeriodSpec, distinct: bool | None = None, details: bool | None = None) -> pd.DataFrame:
        """Grouped metrics of one period, memoised within the run (why-change and price/volume share
        the same SKU aggregates). Distinct counts and detail columns (adjustments, cancelled orders, customer
        revenue) only when the metric needs them, unless asked. For avg_daily_revenue, each group's revenue
        per trading day is added (see `per_trading_day`)."""
        want = self.needs_distinct if distinct is None else distinct
        extra = self.mcol in DETAIL_METRICS if details is None else details
        frame = None
        for d in ((True,) if want else (False, True)):
            for e in ((True,) if extra else (False, True)):
                hit = self.memo.get((dim, p.start, p.end, d, e))
                if hit is not None and frame is None:
                    frame = hit
        if frame is None:
            frame = self.repo.sales_by(dim, self.filt(p), distinct=want, details=extra)
            self.memo[(dim, p.start, p.end, want, extra)] = frame
        if self.mcol == "avg_daily_revenue" and "avg_daily_revenue" not in frame:
            frame = self.per_trading_day(frame, dim, p)
        return frame

    def per_trading_day(self, frame: pd.DataFrame, dim: str, p: PeriodSpec) -> pd.DataFrame:
        """avg_daily_revenue per group: a time bucket's revenue over its own trading days (a weekday's over
        the trading days that fall on it); any other group's over the period's trading days."""
        days = self.trading_days(p)
        frame = frame.copy()
        if dim in ("day", "week", "month", "quarter", "weekday"):
            counts = pd.Series([bucket_key(dim, d) for d in days], dtype=object).value_counts()
            denominators = frame["key"].astype(str).map(counts).fillna(0).astype(float)
        else:
            denominators = pd.Series(float(len(days)), index=frame.index)
        frame["trading_days"] = denominators
        frame["avg_daily_revenue"] = (frame["revenue"] / denominators.where(denominators > 0)).fillna(0.0)
        return frame

    def add_details(self, frame: pd.DataFrame, p: PeriodSpec, dim: str = "sku") -> pd.DataFrame:
        """Orders/customers/AOV for the few SKUs (or customers) of a ranking computed without them."""
        if frame.empty or "orders" in frame.columns or dim not in ("sku", "customer"):
            return frame
        details = self.repo.sales_by(dim, self.filt(p), keys=frame["key"].tolist())
        extra = details[["key", "orders", "customers", "aov"]]
        return frame.merge(extra, on="key", how="left").fillna({"orders": 0.0, "customers": 0.0, "aov": 0.0})

    # ---- groups ----
    def split_products(self, frame: pd.DataFrame, what: str, value_col: str = "revenue") -> pd.DataFrame:
        """Drop non-product SKUs from a by-SKU frame, warning with what was dropped and how much."""
        mask = frame["key"].map(is_non_product_sku).astype(bool)
        dropped = frame[mask]
        if not dropped.empty:
            parts = ", ".join(f"{r.key} ({fmt_metric(value_col, float(getattr(r, value_col)), self.money)})"
                              for r in dropped.sort_values(value_col, key=abs, ascending=False).itertuples())
            total = float(dropped[value_col].sum())
            self.warn(f"Non-product lines excluded from {what}: {parts}; total "
                      f"{fmt_metric(value_col, total, self.money)} (still included in totals).")
            self.define("non_product")
        return frame[~mask]

    def drop_no_customer(self, frame: pd.DataFrame, p: PeriodSpec) -> pd.DataFrame:
        """Leave out the lines without a customer id from a by-customer frame, saying how much revenue that is."""
        mask = frame["key"] == NO_CUSTOMER
        dropped = frame[mask]
        if not dropped.empty and float(dropped["lines"].sum()) > 0:
            self.warn(f"Lines without a customer id are left out of the customer figures: "
                      f"{self.money(float(dropped['revenue'].sum()))} of revenue, "
                      f"{int(dropped['lines'].sum()):,} lines in {p.text()}.")
        frame = frame[~mask]
        if self.metric in ("orders", "aov", "units_per_order") and "orders" in frame.columns:
            # orders count sale lines: a customer whose only lines in the period are returns placed no order
            # in it, so is not ranked as its smallest buyer (revenue, net of returns, keeps them: they can be
            # negative)
            frame = frame[frame["orders"] > 0]
        return frame

    def with_names(self, frame: pd.DataFrame) -> pd.DataFrame:
        names = self.repo.product_names(frame["key"].tolist()) if not frame.empty else {}
        frame = frame.copy()
        frame["product"] = frame["key"].map(lambda k: names.get(k, ""))
        if names:
            self.define("product_name")
        return frame

    def group_columns(self, dim: str) -> list[str]:
        return ["sku", "product"] if dim == "sku" else [dim]

    def group_values(self, dim: str, row: Any) -> list[Any]:
        return [row.key, row.product] if dim == "sku" else [num(row.key) if dim == "hour" else row.key]

    def label_of(self, dim: str, row: Any) -> str:
        return f"{row.key} {row.product}"[:40] if dim == "sku" else str(row.key)

    def dimension(self, default: str) -> str:
        dim = self.group_by or default
        return "sku" if dim in ("product", "sku") else str(dim)

    def metric_table_columns(self, frame: pd.DataFrame, dim: str | None = None) -> list[str]:
        """The metric first, then the headline metrics the frame has (a customer's own count is left out)."""
        rest = [c for c in ("revenue", "units", "orders", "customers", "aov")
                if c != self.mcol and c in frame and not (dim == "customer" and c == "customers")]
        return [self.mcol, *rest]

    def rank(self, frame: pd.DataFrame, ascending: bool) -> pd.DataFrame:
        """Groups sorted by the metric (ties by key); a ratio metric ranks only groups whose denominator is
        positive (a product with no units has no average selling price)."""
        den = RATIO_DENOMINATORS.get(self.mcol)
        if den and den in frame:
            frame = frame[frame[den] > 0]
        return frame.sort_values([self.mcol, "key"], ascending=[ascending, True])

    # ---- headline numbers ----
    def headline_metrics(self, cur: dict[str, float], prev: dict[str, float] | None = None,
                         derived: bool = False) -> None:
        """Headline metrics (and, with `derived`, every derived metric) into result.metrics; the plan's own
        metric always; with two periods also <m>_previous, <m>_change, <m>_change_pct."""
        mt = self.result.metrics
        names = [*HEADLINE, *(DERIVED if derived else ())]
        if self.mcol not in names and self.mcol in cur:
            names.append(self.mcol)
        names = [k for k in names if k in cur]
        for k in (*names, "gross", "returned_units", "returned_value", "lines", *LINE_CLASS_METRICS):
            mt[k] = cur[k]
        if derived:
            for k in ("trading_days", "calendar_days", "avg_daily_revenue_calendar"):
                if k in cur:
                    mt[k] = cur[k]
        if prev is not None:
            for k in names:
                if k not in prev:
                    continue
                mt[f"{k}_previous"] = prev[k]
                mt[f"{k}_change"] = cur[k] - prev[k]
                change = pct_change(cur[k], prev[k])
                if change is not None:
                    mt[f"{k}_change_pct"] = change

    def returns_note(self, totals: dict[str, float]) -> None:
        gross = totals["gross"]
        if gross > 0 and totals["returned_value"] / gross > 0.02:
            self.warn(f"Returns/cancellations were {fmt_pct(totals['returned_value'] / gross * 100, False)} of "
                      f"gross sales: gross revenue (before returns) {self.money(gross)}, net "
                      f"{self.money(totals['revenue'])}.")

    def line_class_note(self, p: PeriodSpec, totals: dict[str, float]) -> None:
        """State stock adjustments and corrections where there are any (they are neither sales nor returns)."""
        if totals.get("adjustment_lines"):
            self.warn(f"Stock adjustments in {p.text()}: {totals['adjustment_lines']:,.0f} lines, "
                      f"{fmt_units(totals['adjustment_units'])} units written off (zero-price lines without a "
                      "customer; not sales and not returns, so left out of units and returns).")
            self.define("stock_adjustments")
        if totals.get("correction_lines"):
            self.warn(f"Corrections in {p.text()}: {totals['correction_lines']:,.0f} zero-price lines without a "
                      "customer (not sales; left out of units and orders).")
            self.define("corrections")

    def single_period_totals(self, p: PeriodSpec, derived: bool = False) -> dict[str, float]:
        """The period's totals, with what every single-period answer states first: coverage of the period
        by data, the returns and line-class notes and the headline metrics."""
        cur = self.totals(p, days=True if derived else None)
        self.check_coverage(p, cur)
        self.returns_note(cur)
        self.line_class_note(p, cur)
        self.headline_metrics(cur, derived=derived)
        return cur

    def two_period_totals(self, cur_p: PeriodSpec, prev_p: PeriodSpec) -> tuple[dict[str, float], dict[str, float]]:
        """Both periods' totals, with the coverage of each, the notes and the headline changes."""
        cur, prev = self.totals(cur_p), self.totals(prev_p)
        for p, t in ((cur_p, cur), (prev_p, prev)):
            self.check_coverage(p, t)
        self.returns_note(cur)
        self.line_class_note(cur_p, cur)
        self.headline_metrics(cur, prev)
        return cur, prev

    def finish(self) -> AgentResult:
        """The definitions every sales answer states, and the agent's own certainty (sample size, empty
        results, unknown intent); period coverage and plan certainty are combined with it by the synthesizer."""
        self.warn(REVENUE_DEFINITION)
        self.define("revenue", "returns" if self.metric == "returns" else self.mcol)
        if self.mcol in ("units", "units_per_order", "asp"):
            self.define("units")
        if self.mcol in ("aov", "units_per_order"):
            self.define("orders")
        self.result.confidence = round(max(0.0, min(1.0, self.confidence)), 3)
        return self.result
