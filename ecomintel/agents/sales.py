"""Sales analytics agent: revenue, units, orders, customers and AOV by period, product, country, channel,
marketplace, category, weekday and hour; rankings, period comparisons, movers, returns and "why did it
change" decompositions.

Why one agent with an intent switch: every sales question is the same few SQL aggregates
(`Repository.sales_totals` / `sales_by`, GROUP BY in the database) arranged differently, so the shared
parts — filters from the plan, period coverage warnings, evidence, the non-product SKU rule — live once.
The agent reads the Plan as a dict (`plan.model_dump(mode="json")`) and never raises for data problems:
empty periods, unknown filters and partial coverage become warnings and a lower confidence.
`tables[0]` is the primary answer (see the Report contract in the ask service).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from ecomintel.agents.base import AgentResult, ChartSpec, EvidenceRef, Finding, Table
from ecomintel.context import RequestContext
from ecomintel.db.repository import Repository
from ecomintel.db.sales_queries import TIME_DIMENSIONS, WEEKDAYS, SalesFilter

# Non-merchandise StockCodes (postage, manual adjustments, discounts, fees, carriage, charity, samples…):
# excluded from product rankings, included in revenue totals. The one definition the team shares.
NON_PRODUCT_SKUS = frozenset({"POST", "DOT", "M", "D", "C2", "CRUK", "PADS", "B", "S", "BANK CHARGES",
                              "AMAZONFEE"})
NON_PRODUCT_PREFIXES = ("GIFT_0001",)

HEADLINE = ("revenue", "units", "orders", "customers", "aov")
ADDITIVE = ("revenue", "units", "returned_units", "returned_value", "gross")
REVENUE_DEFINITION = "Revenue = net: returns and cancellations subtract (sum of quantity × unit price)."
SMALL_SAMPLE_ORDERS = 30
CURRENCY_SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€", "INR": "₹", "JPY": "¥"}


def is_non_product_sku(sku: Any) -> bool:
    """True for postage, fees, adjustments and gift vouchers (not merchandise)."""
    code = str(sku or "").strip().upper()
    return code in NON_PRODUCT_SKUS or code.startswith(NON_PRODUCT_PREFIXES)


def metric_column(metric: str) -> str:
    """The table/metric column a plan metric is reported in ("returns" → "returned_units")."""
    return "returned_units" if metric == "returns" else metric


# -- small presentation helpers ------------------------------------------------------------------------
def _num(value: Any) -> Any:
    """Presentation rounding (2 decimals); integers stay integers; NaN/inf → None (JSON-safe)."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        f = float(value)
        if math.isnan(f) or math.isinf(f):
            return None
        return int(f) if f.is_integer() and abs(f) < 2**53 else round(f, 2)
    return value


def pct_change(current: float, previous: float) -> float | None:
    """Percent change; None when the previous value is zero (undefined)."""
    if previous == 0:
        return None
    return (current - previous) / abs(previous) * 100.0


@dataclass(frozen=True)
class Money:
    """Formats amounts in the data's currency."""

    currency: str | None

    def __call__(self, value: float, signed: bool = False) -> str:
        sym = CURRENCY_SYMBOLS.get((self.currency or "").upper(), "")
        sign = "-" if value < 0 else ("+" if signed and value > 0 else "")
        body = f"{abs(value):,.2f}"
        if sym:
            return f"{sign}{sym}{body}"
        return f"{sign}{body}" + (f" {self.currency}" if self.currency else "")


def fmt_metric(metric: str, value: float, money: Money, signed: bool = False) -> str:
    if metric in ("revenue", "aov", "gross", "returned_value"):
        return money(value, signed)
    sign = "+" if signed and value > 0 else ""
    return f"{sign}{value:,.0f}" if float(value).is_integer() else f"{sign}{value:,.2f}"


def fmt_pct(value: float | None, signed: bool = True) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.1f}%" if signed else f"{value:.1f}%"


def figure_json(fig: go.Figure) -> dict[str, Any]:
    """Plotly JSON made of plain Python types (safe to store in the reports table and in Redis)."""
    data: dict[str, Any] = json.loads(pio.to_json(fig, validate=False))
    return data


def bar_chart(title: str, labels: list[Any], values: list[Any], metric: str, horizontal: bool = False) -> ChartSpec:
    labels = [str(x) for x in labels]
    values = [_num(v) for v in values]
    trace = (go.Bar(y=labels[::-1], x=values[::-1], orientation="h", name=metric) if horizontal
             else go.Bar(x=labels, y=values, name=metric))
    fig = go.Figure(data=[trace])
    fig.update_layout(title=title, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      xaxis_title=metric if horizontal else None, yaxis_title=None if horizontal else metric)
    return ChartSpec(title=title, figure=figure_json(fig))


def line_chart(title: str, x: list[Any], series: dict[str, list[Any]], metric: str) -> ChartSpec:
    fig = go.Figure(data=[go.Scatter(x=[str(v) for v in x], y=[_num(v) for v in ys], mode="lines+markers", name=name)
                          for name, ys in series.items()])
    fig.update_layout(title=title, margin={"l": 10, "r": 10, "t": 40, "b": 10}, yaxis_title=metric)
    return ChartSpec(title=title, figure=figure_json(fig))


# -- periods ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PeriodSpec:
    start: date
    end: date
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def text(self) -> str:
        span = f"{self.start.isoformat()}..{self.end.isoformat()}"
        return f"{self.label} = {span}" if self.label and self.label != span else span

    def to_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "label": self.label}


def _month_end(d: date) -> date:
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def previous_period(p: PeriodSpec) -> PeriodSpec:
    """The period just before `p`: the previous calendar month/quarter when `p` is one, else the same number
    of days immediately before."""
    if p.start.day == 1 and p.end == _month_end(p.end):
        months = (p.end.year - p.start.year) * 12 + p.end.month - p.start.month + 1
        if months in (1, 3):
            m0 = p.start.month - months
            y0 = p.start.year + (m0 - 1) // 12
            m0 = (m0 - 1) % 12 + 1
            start = date(y0, m0, 1)
            end = p.start - timedelta(days=1)
            label = start.strftime("%b %Y") if months == 1 else f"Q{(m0 - 1) // 3 + 1} {y0}"
            return PeriodSpec(start, end, label)
    end = p.start - timedelta(days=1)
    start = end - timedelta(days=p.days - 1)
    return PeriodSpec(start, end, f"previous {p.days} days")


def plan_periods(params: dict[str, Any]) -> list[PeriodSpec]:
    out = []
    for raw in params.get("periods") or []:
        start, end = date.fromisoformat(str(raw["start"])[:10]), date.fromisoformat(str(raw["end"])[:10])
        out.append(PeriodSpec(start, end, str(raw.get("label") or "")))
    return out


def plan_filter(params: dict[str, Any]) -> SalesFilter:
    f = params.get("filters") or {}

    def tup(name: str) -> tuple[str, ...]:
        return tuple(str(v) for v in (f.get(name) or []) if str(v).strip())

    return SalesFilter(countries=tup("countries"), exclude_countries=tup("exclude_countries"), skus=tup("skus"),
                       products=tup("products"), categories=tup("categories"), channels=tup("channels"),
                       marketplaces=tup("marketplaces"))


# -- the analysis ----------------------------------------------------------------------------------------
class SalesAnalysis:
    """One run of the sales agent over one plan: holds the repo, filters, data range and the result being
    built, so each intent handler is a short method."""

    def __init__(self, name: str, repo: Repository, params: dict[str, Any],
                 memo: dict[tuple[Any, ...], Any] | None = None) -> None:
        self.repo = repo
        self.params = params
        self.result = AgentResult(agent=name)
        self.intent = str(params.get("intent") or "overview")
        self.metric = str(params.get("metric") or "revenue")
        self.mcol = metric_column(self.metric)
        self.group_by = params.get("group_by")
        self.top_n = int(params.get("top_n") or 10)
        self.order = str(params.get("order") or "desc")
        self.base = plan_filter(params)
        self.data_start, self.data_end = repo.sales_data_range()
        self.money = Money(repo.sales_currency())
        self.data_version = 0
        self.needs_distinct = self.mcol in ("orders", "customers", "aov")
        # aggregates already computed (shared by the analyses of one deep run: same filters, same periods)
        self.memo: dict[tuple[Any, ...], Any] = {} if memo is None else memo
        self.batches: dict[tuple[date | None, date | None], list[int]] = {}
        self.confidence = 1.0
        self.coverage = 1.0

    # ---- shared pieces ----
    def warn(self, text: str) -> None:
        if text not in self.result.warnings:
            self.result.warnings.append(text)

    def find(self, text: str, severity: str = "info") -> None:
        self.result.findings.append(Finding(severity=severity, text=text))  # type: ignore[arg-type]

    def filt(self, p: PeriodSpec) -> SalesFilter:
        return self.base.with_period(p.start, p.end)

    def periods(self, need: int) -> list[PeriodSpec]:
        """The plan's periods; defaults: all data for one, the preceding period for a comparison.
        With two periods, the later one is "current" whatever order the planner listed them in."""
        assert self.data_start is not None and self.data_end is not None
        ps = plan_periods(self.params)
        if not ps:
            ps = [PeriodSpec(self.data_start, self.data_end, "all data")]
            if need == 2:  # compare the latest complete month with the one before
                last_full = self.data_end if self.data_end == _month_end(self.data_end) else \
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

    def check_coverage(self, p: PeriodSpec, totals: dict[str, float]) -> None:
        """Warn when the period reaches outside the loaded data or holds little data."""
        assert self.data_start is not None and self.data_end is not None
        lo, hi = max(p.start, self.data_start), min(p.end, self.data_end)
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

    def returns_note(self, totals: dict[str, float]) -> None:
        gross = totals["gross"]
        if gross > 0 and totals["returned_value"] / gross > 0.02:
            self.warn(f"Returns/cancellations were {fmt_pct(totals['returned_value'] / gross * 100, False)} of "
                      f"gross sales: gross revenue (before returns) {self.money(gross)}, net "
                      f"{self.money(totals['revenue'])}.")

    def evidence(self, flt: SalesFilter, totals: dict[str, float], note: str = "") -> None:
        self.result.evidence.append(EvidenceRef(
            source="sales", filters=flt.describe(), rows=int(totals["lines"]),
            data_version=self.data_version, batch_ids=self.batches.get((flt.start, flt.end), []), note=note))

    def totals(self, p: PeriodSpec) -> dict[str, float]:
        key = ("totals", p.start, p.end)
        if key not in self.memo:
            self.memo[key] = self.repo.sales_totals_and_batches(self.filt(p))
        totals, batches = self.memo[key]
        self.batches[(p.start, p.end)] = batches
        return dict(totals)

    def by(self, dim: str, p: PeriodSpec, distinct: bool | None = None) -> pd.DataFrame:
        """Grouped metrics of one period, memoised within the run (why-change and price/volume share
        the same SKU aggregates). Distinct counts only when the metric needs them, unless asked."""
        want = self.needs_distinct if distinct is None else distinct
        for d in ((True,) if want else (False, True)):
            hit = self.memo.get((dim, p.start, p.end, d))
            if hit is not None:
                return hit
        frame = self.repo.sales_by(dim, self.filt(p), distinct=want)
        self.memo[(dim, p.start, p.end, want)] = frame
        return frame

    def add_details(self, frame: pd.DataFrame, p: PeriodSpec) -> pd.DataFrame:
        """Orders/customers/AOV for the few SKUs of a ranking that was computed without them."""
        if frame.empty or "orders" in frame.columns:
            return frame
        details = self.repo.sales_by("sku", self.filt(p), keys=frame["key"].tolist())
        extra = details[["key", "orders", "customers", "aov"]]
        return frame.merge(extra, on="key", how="left").fillna({"orders": 0.0, "customers": 0.0, "aov": 0.0})

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
        return frame[~mask]

    def with_names(self, frame: pd.DataFrame) -> pd.DataFrame:
        names = self.repo.product_names(frame["key"].tolist()) if not frame.empty else {}
        frame = frame.copy()
        frame["product"] = frame["key"].map(lambda k: names.get(k, ""))
        return frame

    def group_columns(self, dim: str) -> list[str]:
        return ["sku", "product"] if dim == "sku" else [dim]

    def group_values(self, dim: str, row: Any) -> list[Any]:
        return [row.key, row.product] if dim == "sku" else [_num(row.key) if dim == "hour" else row.key]

    def label_of(self, dim: str, row: Any) -> str:
        return f"{row.key} {row.product}"[:40] if dim == "sku" else str(row.key)

    def dimension(self, default: str) -> str:
        dim = self.group_by or default
        return "sku" if dim in ("product", "sku") else str(dim)

    def headline_metrics(self, cur: dict[str, float], prev: dict[str, float] | None = None) -> None:
        mt = self.result.metrics
        for k in HEADLINE:
            mt[k] = cur[k]
        mt["gross"] = cur["gross"]
        mt["returned_units"] = cur["returned_units"]
        mt["returned_value"] = cur["returned_value"]
        mt["lines"] = cur["lines"]
        if prev is not None:
            for k in HEADLINE:
                mt[f"{k}_previous"] = prev[k]
                mt[f"{k}_change"] = cur[k] - prev[k]
                change = pct_change(cur[k], prev[k])
                if change is not None:
                    mt[f"{k}_change_pct"] = change

    def metric_table_columns(self, frame: pd.DataFrame) -> list[str]:
        rest = [c for c in ("revenue", "units", "orders", "customers", "aov") if c != self.mcol and c in frame]
        return [self.mcol, *rest]

    # ---- run ----
    def run(self) -> AgentResult:
        if self.data_start is None or self.data_end is None:
            self.result.status = "partial"
            self.result.summary = "No sales data is loaded for this workspace yet."
            self.warn("No sales data loaded: upload a sales file or load the sample data first.")
            self.result.confidence = 0.0
            return self.result
        self.data_version = self.repo.data_version()
        handler = {
            "overview": self.overview, "top_items": self.ranking, "bottom_items": self.ranking,
            "breakdown": self.breakdown, "trend": self.trend, "compare_periods": self.compare,
            "why_change": self.why_change, "movers": self.movers, "returns": self.returns,
            "patterns": self.patterns,
        }.get(self.intent)
        if handler is None:
            self.warn(f"Intent {self.intent!r} is not a sales analysis; showing the headline metrics.")
            self.confidence = min(self.confidence, 0.5)
            handler = self.overview
        handler()
        self.warn(REVENUE_DEFINITION)
        # The agent's own certainty (sample size, empty results, unknown intent); period coverage and plan
        # certainty are combined with it by the synthesizer.
        self.result.confidence = round(max(0.0, min(1.0, self.confidence)), 3)
        return self.result

    # ---- intents ----
    def overview(self) -> None:
        if self.group_by:
            self.breakdown()
            return
        (p,) = self.periods(1)
        cur = self.single_period_totals(p)
        cols = ["period", "revenue", "units", "orders", "customers", "aov", "gross", "returned_value"]
        self.result.tables.append(Table(f"Headline metrics, {p.text()}", cols,
                                        [[p.label or p.text(), *[_num(cur[c]) for c in cols[1:]]]]))
        dim = auto_time_dim(p)
        frame = self.by(dim, p).sort_values("key")
        cols = self.metric_table_columns(frame)
        self.result.tables.append(Table(f"{self.mcol} by {dim}", [dim, *cols],
                                        [[r.key, *[_num(getattr(r, c)) for c in cols]] for r in frame.itertuples()]))
        self.result.charts.append(line_chart(f"{self.mcol} by {dim}, {p.text()}", frame["key"].tolist(),
                                             {self.mcol: frame[self.mcol].tolist()}, self.mcol))
        self.result.summary = (f"{p.text()}: revenue {self.money(cur['revenue'])}, {cur['units']:,.0f} units, "
                               f"{cur['orders']:,.0f} orders from {cur['customers']:,.0f} customers, "
                               f"AOV {self.money(cur['aov'])}.")
        self.evidence(self.filt(p), cur)

    def single_period_totals(self, p: PeriodSpec) -> dict[str, float]:
        """The period's totals, with what every single-period answer states first: coverage of the period
        by data, the returns note and the headline metrics."""
        cur = self.totals(p)
        self.check_coverage(p, cur)
        self.returns_note(cur)
        self.headline_metrics(cur)
        return cur

    def two_period_totals(self, cur_p: PeriodSpec, prev_p: PeriodSpec) -> tuple[dict[str, float], dict[str, float]]:
        """Both periods' totals, with the coverage of each, the returns note and the headline changes."""
        cur, prev = self.totals(cur_p), self.totals(prev_p)
        for p, t in ((cur_p, cur), (prev_p, prev)):
            self.check_coverage(p, t)
        self.returns_note(cur)
        self.headline_metrics(cur, prev)
        return cur, prev

    def ranking(self) -> None:
        (p,) = self.periods(1)
        dim = self.dimension("product")
        flt = self.filt(p)
        cur = self.single_period_totals(p)
        frame = self.by(dim, p)
        if dim == "sku":
            frame = self.split_products(frame, "the product ranking", "revenue")
        frame = frame[frame["lines"] > 0]
        ascending = self.intent == "bottom_items" or self.order == "asc"
        if self.mcol == "returned_units":
            frame = frame[frame["returned_units"] != 0]
        frame = frame.sort_values([self.mcol, "key"], ascending=[ascending, True]).head(self.top_n)
        if dim == "sku":
            frame = self.with_names(self.add_details(frame, p))
        cols = self.metric_table_columns(frame)
        share = self.mcol in ADDITIVE and cur[self.mcol] != 0
        word = "Bottom" if ascending else "Top"
        title = f"{word} {len(frame)} {plural(dim)} by {self.mcol}, {p.text()}"
        rows = []
        for r in frame.itertuples():
            row = [*self.group_values(dim, r), *[_num(getattr(r, c)) for c in cols]]
            if share:
                row.append(_num(getattr(r, self.mcol) / cur[self.mcol] * 100))
            rows.append(row)
        self.result.tables.append(Table(title, [*self.group_columns(dim), *cols, *(["share_pct"] if share else [])],
                                        rows))
        labels = [self.label_of(dim, r) for r in frame.itertuples()]
        self.result.charts.append(bar_chart(title, labels, frame[self.mcol].tolist(), self.mcol,
                                            horizontal=dim == "sku"))
        if not frame.empty:
            first = frame.iloc[0]
            name = f"{first['key']} {first.get('product', '')}".strip()
            text = f"{word} {dim if dim != 'sku' else 'product'}: {name} with " \
                   f"{fmt_metric(self.mcol, float(first[self.mcol]), self.money)}"
            if share:
                text += (f"; the {len(frame)} shown account for "
                         f"{fmt_pct(float(frame[self.mcol].sum()) / cur[self.mcol] * 100, False)} of the total")
            self.find(text + ".")
            self.result.summary = f"{title}. {text}."
        else:
            self.result.summary = f"No {dim} had sales in {p.text()} with the filters given."
        self.evidence(flt, cur)

    def breakdown(self) -> None:
        dim = self.dimension("country")
        if dim in TIME_DIMENSIONS and dim not in ("weekday", "hour"):
            self.trend()
            return
        if dim in ("weekday", "hour"):
            self.patterns()
            return
        if dim == "sku":
            self.ranking()
            return
        (p,) = self.periods(1)
        flt = self.filt(p)
        cur = self.single_period_totals(p)
        frame = self.by(dim, p)
        frame = frame[frame["lines"] > 0].sort_values([self.mcol, "key"], ascending=[self.order == "asc", True])
        cols = self.metric_table_columns(frame)
        share = self.mcol in ADDITIVE and cur[self.mcol] != 0
        rows = [[r.key, *[_num(getattr(r, c)) for c in cols],
                 *([_num(getattr(r, self.mcol) / cur[self.mcol] * 100)] if share else [])]
                for r in frame.head(200).itertuples()]
        title = f"{self.mcol} by {dim}, {p.text()}"
        if self.base.exclude_countries:
            ex = self.repo.sales_totals(SalesFilter(p.start, p.end, countries=self.base.exclude_countries))
            title += f" (excluding {', '.join(self.base.exclude_countries)})"
            self.warn(f"Excluded {', '.join(self.base.exclude_countries)}: "
                      f"{fmt_metric(self.mcol, ex[self.mcol], self.money)} of {self.mcol} in {p.text()} "
                      "not shown.")
        self.result.tables.append(Table(title, [dim, *cols, *(["share_pct"] if share else [])], rows))
        self.result.charts.append(bar_chart(title, frame["key"].head(30).tolist(),
                                            frame[self.mcol].head(30).tolist(), self.mcol))
        if not frame.empty:
            top = frame.iloc[0]
            text = f"{top['key']} leads with {fmt_metric(self.mcol, float(top[self.mcol]), self.money)}"
            if share:
                text += f" ({fmt_pct(float(top[self.mcol]) / cur[self.mcol] * 100, False)} of the total)"
            self.find(text + f"; {len(frame)} {dim} values in all.")
            self.result.summary = (f"{title}: total {fmt_metric(self.mcol, cur[self.mcol], self.money)} across "
                                   f"{len(frame)} {dim} values; {text}.")
        else:
            self.result.summary = f"No sales in {p.text()} with the filters given."
        self.evidence(flt, cur)

    def trend(self) -> None:
        (p,) = self.periods(1)
        dim = self.group_by if self.group_by in ("day", "week", "month", "quarter") else auto_time_dim(p)
        flt = self.filt(p)
        cur = self.single_period_totals(p)
        frame = self.by(str(dim), p).sort_values("key")
        cols = self.metric_table_columns(frame)
        title = f"{self.mcol} by {dim}, {p.text()}"
        self.result.tables.append(Table(title, [str(dim), *cols],
                                        [[r.key, *[_num(getattr(r, c)) for c in cols]] for r in frame.itertuples()]))
        self.result.charts.append(line_chart(title, frame["key"].tolist(), {self.mcol: frame[self.mcol].tolist()},
                                             self.mcol))
        self.partial_bucket_warning(str(dim), frame, p)
        if len(frame) >= 2:
            first, last = frame.iloc[0], frame.iloc[-1]
            peak = _extreme_row(frame, self.mcol, highest=True)
            change = pct_change(float(last[self.mcol]), float(first[self.mcol]))
            self.find(f"Peak {dim}: {peak['key']} with {fmt_metric(self.mcol, float(peak[self.mcol]), self.money)}.")
            slope = _slope(frame[self.mcol].astype(float).tolist())
            direction = "rising" if slope > 0 else "falling" if slope < 0 else "flat"
            self.result.summary = (f"{title}: {len(frame)} {dim}s, {direction} overall; from "
                                   f"{fmt_metric(self.mcol, float(first[self.mcol]), self.money)} ({first['key']}) to "
                                   f"{fmt_metric(self.mcol, float(last[self.mcol]), self.money)} ({last['key']}), "
                                   f"{fmt_pct(change)}; peak {peak['key']}.")
        elif len(frame) == 1:
            self.result.summary = (f"{title}: a single {dim} ({frame.iloc[0]['key']}) with "
                                   f"{fmt_metric(self.mcol, float(frame.iloc[0][self.mcol]), self.money)}.")
        else:
            self.result.summary = f"No sales in {p.text()} with the filters given."
        self.evidence(flt, cur)

    def partial_bucket_warning(self, dim: str, frame: pd.DataFrame, p: PeriodSpec) -> None:
        """A month/quarter/week only partly inside the data or the period is not comparable to the others."""
        if frame.empty or dim not in ("week", "month", "quarter"):
            return
        assert self.data_start is not None and self.data_end is not None
        lo, hi = max(p.start, self.data_start), min(p.end, self.data_end)
        partial = []
        first_key, last_key = str(frame["key"].iloc[0]), str(frame["key"].iloc[-1])
        if dim == "month":
            if lo.day != 1:
                partial.append(first_key)
            if hi != _month_end(hi):
                partial.append(last_key)
        elif dim == "week":
            if lo.weekday() != 0:
                partial.append(first_key)
            if hi.weekday() != 6:
                partial.append(last_key)
        elif dim == "quarter":
            if not (lo.day == 1 and lo.month in (1, 4, 7, 10)):
                partial.append(first_key)
            if not (hi == _month_end(hi) and hi.month in (3, 6, 9, 12)):
                partial.append(last_key)
        if partial:
            self.warn(f"Partial {dim}(s) {', '.join(dict.fromkeys(partial))}: only {lo.isoformat()}..{hi.isoformat()} "
                      "is covered, so those buckets are not comparable with full ones.")

    def compare(self) -> None:
        cur_p, prev_p = self.periods(2)
        cur, prev = self.two_period_totals(cur_p, prev_p)
        dim = self.group_by
        if dim and dim not in TIME_DIMENSIONS:
            self.group_change_table(self.dimension("country"), cur_p, prev_p, cur, prev, primary=True)
        rows = []
        for k in (*HEADLINE, "gross", "returned_value", "returned_units"):
            rows.append([k, _num(cur[k]), _num(prev[k]), _num(cur[k] - prev[k]), _num(pct_change(cur[k], prev[k]))])
        self.result.tables.append(Table(f"{cur_p.text()} vs {prev_p.text()}",
                                        ["metric", "current", "previous", "change", "change_pct"], rows))
        fig = go.Figure(data=[go.Bar(name=prev_p.label or prev_p.text(), x=list(HEADLINE[1:4]),
                                     y=[_num(prev[k]) for k in HEADLINE[1:4]]),
                              go.Bar(name=cur_p.label or cur_p.text(), x=list(HEADLINE[1:4]),
                                     y=[_num(cur[k]) for k in HEADLINE[1:4]])])
        fig.update_layout(barmode="group", title="Units, orders, customers")
        rev = go.Figure(data=[go.Bar(x=[prev_p.label or prev_p.text(), cur_p.label or cur_p.text()],
                                     y=[_num(prev["revenue"]), _num(cur["revenue"])])])
        rev.update_layout(title="Revenue")
        self.result.charts += [ChartSpec("Revenue", figure_json(rev)),
                               ChartSpec("Units, orders, customers", figure_json(fig))]
        m = self.mcol
        if m not in cur:
            m = "revenue"
        self.result.summary = (f"{m.capitalize()} {fmt_metric(m, cur[m], self.money)} in {cur_p.text()} vs "
                               f"{fmt_metric(m, prev[m], self.money)} in {prev_p.text()}: "
                               f"{fmt_metric(m, cur[m] - prev[m], self.money, signed=True)} "
                               f"({fmt_pct(pct_change(cur[m], prev[m]))}).")
        for k in HEADLINE:
            if k != m:
                self.find(f"{k}: {fmt_metric(k, cur[k], self.money)} vs {fmt_metric(k, prev[k], self.money)} "
                          f"({fmt_pct(pct_change(cur[k], prev[k]))}).")
        self.evidence(self.filt(cur_p), cur, "current period")
        self.evidence(self.filt(prev_p), prev, "comparison period")

    def group_change_table(self, dim: str, cur_p: PeriodSpec, prev_p: PeriodSpec, cur: dict[str, float],
                           prev: dict[str, float], primary: bool, metric: str | None = None,
                           limit: int | None = None) -> pd.DataFrame:
        """A table of `metric` by `dim` in both periods with change; for additive metrics the rows sum to
        the total change (top rows, then "other …" and, for products, "non-product lines")."""
        m = metric or self.mcol
        a = self.by(dim, cur_p, m not in ADDITIVE)[["key", m]].set_index("key")
        b = self.by(dim, prev_p, m not in ADDITIVE)[["key", m]].set_index("key")
        both = a.join(b, how="outer", lsuffix="", rsuffix="_previous").fillna(0.0)
        both.columns = [m, f"{m}_previous"]
        both[f"{m}_change"] = both[m] - both[f"{m}_previous"]
        both = both.reset_index()
        total_change = cur[m] - prev[m]
        rest_rows: list[list[Any]] = []
        if dim == "sku":
            np_mask = both["key"].map(is_non_product_sku).astype(bool)
            nonprod = both[np_mask]
            both = both[~np_mask]
        else:
            nonprod = both.iloc[0:0]
        both = both.reindex(both[f"{m}_change"].abs().sort_values(ascending=False).index)
        n = limit or self.top_n
        shown, other = both.head(n), both.iloc[n:]
        additive = m in ADDITIVE
        if dim == "sku":
            shown = self.with_names(shown)
        cols = [*self.group_columns(dim), m, f"{m}_previous", f"{m}_change", f"{m}_change_pct"]
        if additive:
            cols.append("share_of_change_pct")
        rows = []

        def share(x: float) -> list[Any]:
            return [_num(x / total_change * 100) if total_change else None] if additive else []

        for r in shown.itertuples():
            c, pv = float(getattr(r, m)), float(getattr(r, f"{m}_previous"))
            rows.append([*self.group_values(dim, r), _num(c), _num(pv), _num(c - pv), _num(pct_change(c, pv)),
                         *share(c - pv)])
        if additive:
            for label, part in ((f"(other {dim if dim != 'sku' else 'products'}: {len(other)})", other),
                                ("(non-product lines)", nonprod)):
                if part.empty:
                    continue
                c, pv = float(part[m].sum()), float(part[f"{m}_previous"].sum())
                lead = [label, ""] if dim == "sku" else [label]
                rest_rows.append([*lead, _num(c), _num(pv), _num(c - pv), _num(pct_change(c, pv)), *share(c - pv)])
        title = (f"{m} change by {'product' if dim == 'sku' else dim}: {cur_p.label or cur_p.text()} vs "
                 f"{prev_p.label or prev_p.text()}")
        table = Table(title, cols, rows + rest_rows)
        if primary:
            self.result.tables.insert(0, table)
        else:
            self.result.tables.append(table)
        labels = [self.label_of(dim, r) for r in shown.itertuples()]
        self.result.charts.append(bar_chart(title, labels, shown[f"{m}_change"].tolist(), f"{m}_change",
                                            horizontal=True))
        return shown

    def why_change(self) -> None:
        cur_p, prev_p = self.periods(2)
        cur, prev = self.two_period_totals(cur_p, prev_p)
        m = self.mcol if self.mcol in ADDITIVE else "revenue"
        if m != self.mcol:
            self.warn(f"{self.mcol} is not additive across products, so the decomposition explains revenue; "
                      f"{self.mcol} changed {fmt_metric(self.mcol, cur[self.mcol] - prev[self.mcol], self.money, True)}"
                      f" ({fmt_pct(pct_change(cur[self.mcol], prev[self.mcol]))}).")
        delta = cur[m] - prev[m]
        first = "country" if self.group_by == "country" else "sku"
        second = "sku" if first == "country" else "country"
        top_a = self.group_change_table(first, cur_p, prev_p, cur, prev, primary=False, metric=m)
        top_b = self.group_change_table(second, cur_p, prev_p, cur, prev, primary=False, metric=m)
        by_product = top_a if first == "sku" else top_b
        by_country = top_b if first == "sku" else top_a
        effects = None
        if m == "revenue":
            effects = self.price_volume(cur_p, prev_p, delta)
        parts = [f"{m.capitalize()} {'rose' if delta > 0 else 'fell' if delta < 0 else 'was flat'} "
                 f"{fmt_metric(m, abs(delta), self.money)} ({fmt_pct(pct_change(cur[m], prev[m]))}) from "
                 f"{fmt_metric(m, prev[m], self.money)} in {prev_p.text()} to {fmt_metric(m, cur[m], self.money)} "
                 f"in {cur_p.text()}."]
        if not by_product.empty:
            drivers = ", ".join(f"{r.key} {r.product} ({fmt_metric(m, getattr(r, m + '_change'), self.money, True)})"
                                for r in by_product.head(3).itertuples())
            parts.append(f"Largest product contributions: {drivers}.")
            self.find(f"Product drivers: {drivers}.")
        if not by_country.empty:
            drivers = ", ".join(f"{r.key} ({fmt_metric(m, getattr(r, m + '_change'), self.money, True)})"
                                for r in by_country.head(3).itertuples())
            parts.append(f"By country: {drivers}.")
            self.find(f"Country drivers: {drivers}.")
        if effects:
            parts.append(f"Volume effect {self.money(effects['volume_effect'], True)}, price effect "
                         f"{self.money(effects['price_effect'], True)}, new products "
                         f"{self.money(effects['new_products'], True)}, discontinued "
                         f"{self.money(effects['discontinued_products'], True)}.")
            self.result.metrics.update(effects)
        self.result.summary = " ".join(parts)
        self.evidence(self.filt(cur_p), cur, "current period")
        self.evidence(self.filt(prev_p), prev, "comparison period")

    def price_volume(self, cur_p: PeriodSpec, prev_p: PeriodSpec, delta: float) -> dict[str, float]:
        """Split the revenue change per SKU into volume ((u1-u0)·p0) and price ((p1-p0)·u1) effects, with new,
        discontinued and other (zero net units) SKUs as their own terms; the terms sum to the change."""
        a = self.by("sku", cur_p, False)[["key", "revenue", "units"]].set_index("key")
        b = self.by("sku", prev_p, False)[["key", "revenue", "units"]].set_index("key")
        j = a.join(b, how="outer", lsuffix="1", rsuffix="0")
        new = j["revenue0"].isna()
        lost = j["revenue1"].isna()
        j = j.fillna(0.0)
        core = ~new & ~lost & (j["units1"] != 0) & (j["units0"] != 0)
        c = j[core]
        p0, p1 = c["revenue0"] / c["units0"], c["revenue1"] / c["units1"]
        volume = float(((c["units1"] - c["units0"]) * p0).sum())
        price = float(((p1 - p0) * c["units1"]).sum())
        new_v = float(j.loc[new, "revenue1"].sum())
        lost_v = -float(j.loc[lost, "revenue0"].sum())
        other = float((j.loc[~new & ~lost & ~core, "revenue1"] - j.loc[~new & ~lost & ~core, "revenue0"]).sum())
        effects = {"volume_effect": volume, "price_effect": price, "new_products": new_v,
                   "discontinued_products": lost_v, "other_effect": other}
        rows = [[k, _num(v), _num(v / delta * 100) if delta else None] for k, v in effects.items()]
        rows.append(["total_change", _num(delta), 100.0 if delta else None])
        self.result.tables.append(Table(f"Revenue change: price vs volume ({cur_p.label or cur_p.text()} vs "
                                        f"{prev_p.label or prev_p.text()})", ["effect", "revenue_change",
                                                                              "share_of_change_pct"], rows))
        self.result.charts.append(waterfall(effects, delta, self.money))
        return effects

    def movers(self) -> None:
        cur_p, prev_p = self.periods(2)
        cur, prev = self.totals(cur_p), self.totals(prev_p)
        for p, t in ((cur_p, cur), (prev_p, prev)):
            self.check_coverage(p, t)
        self.headline_metrics(cur, prev)
        dim = self.dimension("product")
        if dim in TIME_DIMENSIONS:
            dim = "sku"
        m = self.mcol
        a = self.by(dim, cur_p, m not in ADDITIVE)[["key", m]].set_index("key")
        b = self.by(dim, prev_p, m not in ADDITIVE)[["key", m]].set_index("key")
        j = a.join(b, how="outer", rsuffix="_previous").fillna(0.0).reset_index()
        j[f"{m}_change"] = j[m] - j[f"{m}_previous"]
        if dim == "sku":
            j = self.split_products(j, "the movers", m)
        risers = j[j[f"{m}_change"] > 0].sort_values([f"{m}_change", "key"], ascending=[False, True]).head(self.top_n)
        fallers = j[j[f"{m}_change"] < 0].sort_values([f"{m}_change", "key"]).head(self.top_n)
        if dim == "sku":
            risers, fallers = self.with_names(risers), self.with_names(fallers)
        cols = [*self.group_columns(dim), m, f"{m}_previous", f"{m}_change", f"{m}_change_pct"]
        what = "products" if dim == "sku" else dim
        span = f"{cur_p.label or cur_p.text()} vs {prev_p.label or prev_p.text()}"
        tables = []
        for word, frame in (("risers", risers), ("fallers", fallers)):
            rows = [[*self.group_values(dim, r), _num(getattr(r, m)), _num(getattr(r, f"{m}_previous")),
                     _num(getattr(r, f"{m}_change")), _num(pct_change(getattr(r, m), getattr(r, f"{m}_previous")))]
                    for r in frame.itertuples()]
            tables.append(Table(f"Biggest {word} ({what}, {m}), {span}", cols, rows))
        if self.order == "asc":
            tables.reverse()
        self.result.tables += tables
        both = pd.concat([risers, fallers])
        self.result.charts.append(bar_chart(f"Biggest movers by {m} change, {span}",
                                            [self.label_of(dim, r) for r in both.itertuples()],
                                            both[f"{m}_change"].tolist(), f"{m}_change", horizontal=True))
        parts = [f"Between {prev_p.text()} and {cur_p.text()}, {m} changed "
                 f"{fmt_metric(m, cur[m] - prev[m], self.money, True)} ({fmt_pct(pct_change(cur[m], prev[m]))})."]
        if not risers.empty:
            r0 = risers.iloc[0]
            parts.append(f"Biggest riser: {r0['key']} {r0.get('product', '')}".rstrip()
                         + f" ({fmt_metric(m, float(r0[m + '_change']), self.money, True)}).")
        if not fallers.empty:
            f0 = fallers.iloc[0]
            parts.append(f"Biggest faller: {f0['key']} {f0.get('product', '')}".rstrip()
                         + f" ({fmt_metric(m, float(f0[m + '_change']), self.money, True)}).")
        self.result.summary = " ".join(parts)
        for text in parts[1:]:
            self.find(text)
        self.evidence(self.filt(cur_p), cur, "current period")
        self.evidence(self.filt(prev_p), prev, "comparison period")

    def returns(self) -> None:
        (p,) = self.periods(1)
        flt = self.filt(p)
        cur = self.totals(p)
        self.check_coverage(p, cur)
        self.headline_metrics(cur)
        self.result.metrics["return_lines"] = cur["return_lines"]
        self.result.metrics["return_rate_pct"] = (cur["returned_value"] / cur["gross"] * 100) if cur["gross"] else 0.0
        dim = self.dimension("product")
        frame = self.by(dim, p, False)
        frame = frame[frame["return_lines"] > 0]
        if dim == "sku":
            frame = self.split_products(frame, "the returns ranking", "returned_value")
        if dim not in TIME_DIMENSIONS:
            tables = [(col, frame.sort_values([col, "key"], ascending=[False, True]).head(self.top_n))
                      for col in ("returned_units", "returned_value")]
        else:
            tables = [("returned_units", frame.sort_values("key"))]
        cols = ["returned_units", "returned_value", "return_lines", "return_rate_pct"]
        for sort_col, part in tables:
            if dim == "sku":
                part = self.with_names(part)
            rates = (part["returned_value"] / part["gross"].where(part["gross"] > 0) * 100).tolist()
            rows = [[*self.group_values(dim, r), _num(r.returned_units), _num(r.returned_value),
                     _num(r.return_lines), _num(rate)] for r, rate in zip(part.itertuples(), rates, strict=True)]
            title = f"Most returned {plural(dim)} by {sort_col}, {p.text()}"
            self.result.tables.append(Table(title, [*self.group_columns(dim), *cols], rows))
            self.result.charts.append(bar_chart(title, [self.label_of(dim, r) for r in part.itertuples()],
                                                part[sort_col].tolist(), sort_col, horizontal=dim == "sku"))
            if sort_col == "returned_units":
                frame = part
        text = (f"{p.text()}: {cur['return_lines']:,.0f} return/cancellation lines, {cur['returned_units']:,.0f} "
                f"units, {self.money(cur['returned_value'])} "
                f"({fmt_pct(self.result.metrics['return_rate_pct'], False)} of gross sales).")
        if not frame.empty:
            top = frame.iloc[0]
            text += (f" Most returned: {top['key']} {top.get('product', '')}".rstrip()
                     + f" ({_fmt_units(float(top['returned_units']))} units, {self.money(float(top['returned_value']))}).")
        self.result.summary = text
        self.find(text)
        self.evidence(flt, cur)

    def patterns(self) -> None:
        (p,) = self.periods(1)
        dim = self.group_by if self.group_by in ("weekday", "hour") else "weekday"
        flt = self.filt(p)
        cur = self.single_period_totals(p)
        frame = self.by(dim, p)
        if dim == "weekday":
            order = {d: i for i, d in enumerate(WEEKDAYS)}
            frame = frame.assign(_o=frame["key"].map(order)).sort_values("_o")
            missing = [d for d in WEEKDAYS if d not in set(frame["key"])]
            if missing and p.days >= 7:
                self.warn(f"No sales on {', '.join(missing)} in {p.text()}.")
        else:
            frame = frame.sort_values("key")
        cols = self.metric_table_columns(frame)
        share = self.mcol in ADDITIVE and cur[self.mcol] != 0
        title = f"{self.mcol} by {dim}, {p.text()}"
        self.result.tables.append(Table(title, [dim, *cols, *(["share_pct"] if share else [])],
                                        [[_num(r.key) if dim == "hour" else r.key, *[_num(getattr(r, c)) for c in cols],
                                          *([_num(getattr(r, self.mcol) / cur[self.mcol] * 100)] if share else [])]
                                         for r in frame.itertuples()]))
        self.result.charts.append(bar_chart(title, frame["key"].tolist(), frame[self.mcol].tolist(), self.mcol))
        if not frame.empty:
            hi = _extreme_row(frame, self.mcol, highest=True)
            lo = _extreme_row(frame, self.mcol, highest=False)
            self.result.summary = (f"{title}: busiest {dim} {_num(hi['key'])} "
                                   f"({fmt_metric(self.mcol, float(hi[self.mcol]), self.money)}), quietest {_num(lo['key'])} "
                                   f"({fmt_metric(self.mcol, float(lo[self.mcol]), self.money)}).")
            self.find(self.result.summary)
        else:
            self.result.summary = f"No sales in {p.text()} with the filters given."
        self.evidence(flt, cur)


def _extreme_row(frame: pd.DataFrame, column: str, highest: bool) -> pd.Series:
    """The first row holding the column's maximum (or minimum)."""
    values = frame[column].astype(float).to_numpy()
    return frame.iloc[int(values.argmax() if highest else values.argmin())]


def plural(dim: str) -> str:
    return {"sku": "products", "country": "countries", "category": "categories"}.get(dim, dim + "s")


def _fmt_units(value: float) -> str:
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"


def _slope(values: list[float]) -> float:
    n = len(values)
    if n < 2:
        return 0.0
    mean_x, mean_y = (n - 1) / 2, sum(values) / n
    num = sum((i - mean_x) * (v - mean_y) for i, v in enumerate(values))
    den = sum((i - mean_x) ** 2 for i in range(n))
    return num / den if den else 0.0


def auto_time_dim(p: PeriodSpec) -> str:
    """Day for up to a month, week up to ~4 months, month beyond."""
    if p.days <= 31:
        return "day"
    if p.days <= 120:
        return "week"
    return "month"


def waterfall(effects: dict[str, float], delta: float, money: Money) -> ChartSpec:
    labels = [*effects, "total_change"]
    values = [_num(v) for v in effects.values()] + [_num(delta)]
    fig = go.Figure(go.Waterfall(x=labels, y=values, measure=["relative"] * len(effects) + ["total"]))
    fig.update_layout(title="Revenue change: price vs volume", margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return ChartSpec(title="Revenue change: price vs volume", figure=figure_json(fig))


class SalesAgent:
    """Answers sales questions (quick mode): the plan's intent on the plan's periods and filters."""

    name = "sales"
    description = "Revenue, units, orders, customers and AOV: rankings, breakdowns, trends, comparisons, " \
                  "movers, returns, weekday/hour patterns and why-change decompositions."

    def run(self, ctx: RequestContext, repo: Repository, params: dict[str, Any]) -> AgentResult:
        started = time.perf_counter()
        result = SalesAnalysis(self.name, repo, params).run()
        result.elapsed_ms = int((time.perf_counter() - started) * 1000)
        return result


DEEP_ANALYSES: tuple[tuple[str, str | None], ...] = (
    ("trend", None), ("breakdown", "country"), ("top_items", "product"), ("returns", "product"),
    ("patterns", "weekday"), ("patterns", "hour"),
)


class SalesDeepAgent:
    """Deep mode: the context around the question — trend, countries, top products, returns, weekday and
    hour patterns for the same period and filters, plus movers and drivers when two periods are given."""

    name = "sales_deep"
    description = "Heavier sales context for deep mode: trend, country mix, top products, returns, patterns, " \
                  "movers and change drivers."

    def run(self, ctx: RequestContext, repo: Repository, params: dict[str, Any]) -> AgentResult:
        started = time.perf_counter()
        result = AgentResult(agent=self.name)
        analyses = list(DEEP_ANALYSES)
        if len(params.get("periods") or []) == 2:
            analyses += [("movers", "product"), ("why_change", None)]
        main_period = (params.get("periods") or [])[:1]
        skip = (params.get("intent"), params.get("group_by"))
        memo: dict[tuple[Any, ...], Any] = {}
        confidences = []
        for intent, group_by in analyses:
            if (intent, group_by) == skip:
                continue
            sub = {**params, "intent": intent, "group_by": group_by, "metric": params.get("metric") or "revenue"}
            if intent not in ("movers", "why_change"):
                sub["periods"] = main_period
            part = SalesAnalysis(self.name, repo, sub, memo).run()
            result.tables += part.tables
            result.charts += part.charts
            result.findings += part.findings
            for w in part.warnings:
                if w not in result.warnings:
                    result.warnings.append(w)
            confidences.append(part.confidence)
            if not result.evidence:
                result.evidence = part.evidence
        result.confidence = min(confidences) if confidences else 0.0
        result.summary = f"Deep context: {len(result.tables)} supporting tables."
        result.elapsed_ms = int((time.perf_counter() - started) * 1000)
        return result
