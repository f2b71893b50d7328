"""The demand agent: forecasts with intervals, seasonality and trend, stockout risk and reorder advice.

Why one agent for the three: they share the series (a product, a category, a country or the total, units or
revenue per day), the trading calendar and the stored forecasts (ecomintel/forecasting/service.py). Every
answer says that it is a forecast, for which dates, from which model and with what backtest error next to the
baselines', so nobody mistakes it for sales that happened. Stock questions need products with
inventory_level and lead_time_days; without them the answer says what to upload.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ecomintel.agents.base import AgentResult, ChartSpec, EvidenceRef, Finding, Table
from ecomintel.ask.plan import Plan
from ecomintel.context import RequestContext
from ecomintel.db.sales_lines import SalesFilter

if TYPE_CHECKING:
    import pandas as pd

    from ecomintel.db.repository import Repository
    from ecomintel.forecasting.service import ForecastOutcome, SeriesSpec

FORECAST_INTENTS = ("forecast", "seasonality", "stockout")
HISTORY_SHOWN_DAYS = 91


def _r(value: Any, digits: int = 1) -> float:
    return round(float(value), digits)


def series_specs(repo: Repository, plan: Plan) -> list[SeriesSpec]:
    """The series a plan asks about: each SKU, else one aggregate over the plan's filters (category, country,
    product names), else the total. Revenue questions forecast revenue per day."""
    from ecomintel.forecasting.service import SeriesSpec

    f = plan.filters
    measure = "revenue" if plan.metric in ("revenue", "avg_daily_revenue") else "units"
    suffix = "" if measure == "units" else "@revenue"
    catalogue = repo.vocabulary().catalogue
    base = SalesFilter(countries=tuple(f.countries), exclude_countries=tuple(f.exclude_countries),
                       categories=tuple(f.categories), products=tuple(f.products), channels=tuple(f.channels),
                       marketplaces=tuple(f.marketplaces), exclude_skus=tuple(f.exclude_skus))
    where = [("country", c) for c in f.countries] + [("category", c) for c in f.categories] + \
        [("product", p) for p in f.products] + [("channel", c) for c in f.channels]
    if f.skus:
        out = []
        for sku in f.skus[:10]:
            spec = SeriesSpec.for_sku(sku, catalogue.get(sku))
            flt = SalesFilter(skus=(sku,), countries=base.countries)
            out.append(SeriesSpec(spec.key + suffix + "".join(f"|country:{c}" for c in f.countries), spec.label
                                  + "".join(f" in {c}" for c in f.countries), flt, measure))
        return out
    if where or base.exclude_countries or base.exclude_skus:
        key = "|".join(f"{k}:{v}" for k, v in where) + "".join(f"|not-country:{c}" for c in base.exclude_countries)
        label = ", ".join(f"{k} {v}" for k, v in where) or "all products"
        if base.exclude_countries:
            label += " excluding " + ", ".join(base.exclude_countries)
        return [SeriesSpec((key or "total") + suffix, label, base, measure)]
    total = SeriesSpec.total()
    return [SeriesSpec(total.key + suffix, total.label, total.flt, measure)]


def _horizon(repo: Repository, plan: Plan) -> tuple[int, date | None, date | None]:
    """(days to forecast, first and last day the question asks about) — a future period in the plan is
    forecast up to its end and reported for its days only."""
    from ecomintel.preferences import preferences

    end = repo.vocabulary().sales_end
    default = int(plan.horizon_days or preferences(repo).forecast_horizon_days)
    if plan.periods and end is not None and plan.periods[0].end > end:
        p = plan.periods[0]
        return max(1, (p.end - end).days), max(p.start, end + timedelta(days=1)), p.end
    return default, None, None


def _fan_chart(title: str, history: pd.Series, values: pd.DataFrame, unit: str) -> ChartSpec:
    import plotly.graph_objects as go

    from ecomintel.agents.charts import MARGIN, figure_json

    hist = history.iloc[-HISTORY_SHOWN_DAYS:]
    x = [str(d) for d in values["ds"]]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=x + x[::-1], y=list(values["hi95"]) + list(values["lo95"])[::-1], fill="toself",
                             fillcolor="rgba(31,119,180,0.12)", line={"width": 0}, name="95% interval",
                             hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=x + x[::-1], y=list(values["hi80"]) + list(values["lo80"])[::-1], fill="toself",
                             fillcolor="rgba(31,119,180,0.28)", line={"width": 0}, name="80% interval",
                             hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=[str(d.date()) for d in hist.index], y=[float(v) for v in hist], mode="lines",
                             name="actual", line={"color": "#444"}))
    fig.add_trace(go.Scatter(x=x, y=[float(v) for v in values["yhat"]], mode="lines", name="forecast",
                             line={"color": "#1f77b4", "dash": "dash"}))
    fig.update_layout(title=title, margin=MARGIN, yaxis_title=unit, hovermode="x unified",
                      legend={"orientation": "h", "y": -0.15})
    return ChartSpec(title, figure_json(fig))


def _model_text(choice: dict[Any, Any]) -> tuple[str, float | None, dict[str, float]]:
    mase = choice.get("backtest_mase")
    base = choice.get("baseline_mae") or {}
    mae = choice.get("backtest_mae")
    return str(choice.get("model", "")), (float(mase) if mase is not None and mase == mase else None), \
        {k: float(v) for k, v in base.items()} | ({"chosen": float(mae)} if mae is not None and mae == mae else {})


def _evidence(outcome: ForecastOutcome, repo: Repository, specs: list[SeriesSpec]) -> EvidenceRef:
    run = outcome.run
    return EvidenceRef(source="sales: units of sale lines per day" if specs[0].measure == "units" else
                       "sales: revenue of sale lines per day",
                       filters={"series": [s.key for s in specs]}, rows=sum(len(h) for h in outcome.history.values()),
                       data_version=repo.data_version(),
                       note=f"forecast run {run.get('id', '-')} ({outcome.source}), cut-off {run.get('cutoff')}, "
                            f"{outcome.calendar.describe()}")


def forecast_answer(repo: Repository, plan: Plan, result: AgentResult) -> None:
    import pandas as pd

    from ecomintel.forecasting.aggregate import weekly
    from ecomintel.forecasting.inventory import daily_sd
    from ecomintel.forecasting.service import forecast_specs

    specs = series_specs(repo, plan)
    horizon, first, last = _horizon(repo, plan)
    outcome = forecast_specs(repo, specs, horizon)
    result.warnings += outcome.notes
    if outcome.values.empty:
        result.status = "partial"
        result.summary = "There are no sales of " + ", ".join(s.label for s in specs) + " to forecast from."
        result.confidence = 0.3
        return
    unit = "units" if specs[0].measure == "units" else "revenue"
    weekly_grain = plan.group_by in ("week", "month", "quarter") or horizon > 120
    parts = []
    for spec in specs:
        v = outcome.values[outcome.values["series"] == spec.key].copy()
        if v.empty:
            continue
        v = v[pd.to_datetime(v["ds"]) <= pd.Timestamp(v["ds"].min()) + pd.Timedelta(days=horizon - 1)]
        if first is not None and last is not None:
            v = v[(pd.to_datetime(v["ds"]) >= pd.Timestamp(first)) & (pd.to_datetime(v["ds"]) <= pd.Timestamp(last))]
        choice = next((c for c in outcome.choices.to_dict("records") if c["series"] == spec.key), {})
        model, mase, maes = _model_text(choice)
        total = float(v["mean"].sum())
        sd = float(sum(daily_sd(p, m, h) ** 2 for p, m, h in zip(v["yhat"], v["mean"], v["hi95"], strict=True))) ** 0.5
        lo80, hi80 = max(0.0, total - 1.2816 * sd), total + 1.2816 * sd
        dates = f"{v['ds'].min()}..{v['ds'].max()}"
        closed = int((~v["is_open"].astype(bool)).sum())
        if weekly_grain:
            w = weekly(v)
            cols = ["date", "week", "days", "forecast", "lower_80", "upper_80", "lower_95", "upper_95"]
            rows = [[str(r["week"]), f"{r['week'].isocalendar()[0]}-W{r['week'].isocalendar()[1]:02d}",
                     int(r["days"]), _r(r["yhat"]), _r(r["lo80"]), _r(r["hi80"]), _r(r["lo95"]), _r(r["hi95"])]
                    for r in w.to_dict("records")]
        else:
            cols = ["date", "forecast", "lower_80", "upper_80", "lower_95", "upper_95", "trading_day"]
            rows = [[str(r["ds"]), _r(r["yhat"]), _r(r["lo80"]), _r(r["hi80"]), _r(r["lo95"]), _r(r["hi95"]),
                     bool(r["is_open"])] for r in v.to_dict("records")]
        if len(specs) > 1:
            cols = ["series", *cols]
            rows = [[spec.label, *row] for row in rows]
        grain = "week" if weekly_grain else "day"
        result.tables.append(Table(f"Forecast of {unit} per {grain}: {spec.label}, {dates} (not actual sales)",
                                   cols, rows))
        history = outcome.history.get(spec.key)
        if history is not None and len(result.charts) < 3:
            result.charts.append(_fan_chart(f"{spec.label}: {unit} per day, actual and forecast", history, v, unit))
        parts.append((spec, total, lo80, hi80, dates, model, mase, maes, closed))
    if not parts:
        result.status = "partial"
        result.summary = "The forecast does not cover the asked dates."
        return
    spec, total, lo80, hi80, dates, model, mase, maes, closed = parts[0]
    fmt = (lambda x: f"{x:,.0f}") if unit == "units" else (lambda x: f"{x:,.2f}")
    what = f"{fmt(total)} {unit}" if unit == "units" else f"gross revenue {fmt(total)} (sale lines, not net of returns)"
    text = (f"Forecast, not actual sales: {spec.label}, {dates}: {what} expected (80% interval "
            f"{fmt(lo80)}–{fmt(hi80)}).")
    if len(parts) > 1:
        text += " " + "; ".join(f"{p[0].label}: {fmt(p[1])}" for p in parts[1:4]) + "."
    if mase is not None:
        base = maes.get("last_week")
        text += f" Model: {model} (backtest MASE {mase:.2f}"
        if base and maes.get("chosen") is not None:
            text += f"; its backtest error is {100 * (1 - maes['chosen'] / base):.0f}% below last-week's" \
                if maes["chosen"] < base else "; no better than last week's in the backtest"
        text += ")."
    result.summary = text
    result.metrics.update({"forecast_total": _r(total, 2), "forecast_lower_80": _r(lo80, 2),
                           "forecast_upper_80": _r(hi80, 2), "horizon_days": float(horizon)})
    if mase is not None:
        result.metrics["backtest_mase"] = round(mase, 3)
    for name, value in maes.items():
        result.metrics[f"backtest_mae_{name}"] = round(value, 3)
    if closed:
        result.findings.append(Finding("info", f"{closed} day(s) forecast as 0: the shop {outcome.calendar.describe()}."))
    result.findings.append(Finding("info", "The forecast is the median-like value that minimises absolute error "
                                   "per day; totals add the days' means. Intervals are conformal: from this "
                                   "forecast's own errors in a rolling backtest."))
    result.evidence.append(_evidence(outcome, repo, specs))
    result.confidence = 0.85 if mase is not None and mase < 1.2 else 0.7


def seasonality_answer(repo: Repository, plan: Plan, result: AgentResult) -> None:
    import pandas as pd
    import plotly.graph_objects as go

    from ecomintel.agents.charts import MARGIN, figure_json
    from ecomintel.forecasting.seasonality import seasonality
    from ecomintel.forecasting.service import series_histories, shop_calendar

    specs = series_specs(repo, plan)[:1]
    end = repo.vocabulary().sales_end
    hist = series_histories(repo, specs, end) if end else {}
    if not hist:
        result.status, result.summary, result.confidence = "partial", "There are no sales to measure seasonality on.", 0.3
        return
    spec = specs[0]
    daily = hist[spec.key].set_index("ds")["y"]
    calendar = shop_calendar(repo)
    s = seasonality(daily, calendar.closed_weekdays)
    unit = "units" if spec.measure == "units" else "revenue"
    result.tables.append(Table(f"Weekday profile of {unit}: {spec.label} (1 = an average trading day)",
                               ["weekday", "index"], [[d, v] for d, v in s.weekday_index.items()]))
    result.tables.append(Table(f"{unit.capitalize()} per calendar day by month: {spec.label}",
                               ["month", f"{unit}_per_day"], [[m, v] for m, v in s.month_per_day.items()]))
    fig = go.Figure(go.Bar(x=list(s.weekday_index), y=list(s.weekday_index.values())))
    fig.update_layout(title=f"Weekday profile: {spec.label}", margin=MARGIN, yaxis_title="index (1 = average)")
    result.charts.append(ChartSpec(f"Weekday profile: {spec.label}", figure_json(fig)))
    weekly = daily.resample("W-MON", label="left", closed="left").sum()
    fig2 = go.Figure(go.Scatter(x=[str(d.date()) for d in weekly.index], y=[float(v) for v in weekly], mode="lines"))
    fig2.update_layout(title=f"{unit.capitalize()} per week: {spec.label}", margin=MARGIN, yaxis_title=unit)
    result.charts.append(ChartSpec(f"{unit.capitalize()} per week: {spec.label}", figure_json(fig2)))
    for key, value in (("weekly_strength", s.weekly_strength), ("yearly_strength", s.yearly_strength),
                       ("trend_pct_per_week", s.trend_pct_per_week), ("recent_change_pct", s.recent_change_pct)):
        if value is not None:
            result.metrics[key] = float(value)
    strength = "" if s.weekly_strength is None else \
        f"the week explains {100 * s.weekly_strength:.0f}% of the day-to-day variation around the trend; "
    trend = "" if s.trend_pct_per_week is None else \
        f" Trend over the last 12 weeks: {s.trend_pct_per_week:+.1f}% per week"
    if s.recent_change_pct is not None:
        trend += f" (last 28 days {s.recent_change_pct:+.1f}% vs the 28 before)"
    result.summary = (f"Seasonality of {spec.label} ({unit}, {daily.index.min().date()}..{daily.index.max().date()}): "
                      f"{strength}busiest days {', '.join(s.peak_weekdays) or '-'}; busiest months "
                      f"{', '.join(s.peak_months) or '-'}." + (trend + "." if trend else ""))
    if calendar.closed_weekdays or calendar.closed_dates:
        result.findings.append(Finding("info", f"The shop {calendar.describe()}."))
    for note in s.notes:
        result.warnings.append(note)
    result.evidence.append(EvidenceRef(source=f"sales: {unit} of sale lines per day", filters={"series": spec.key},
                                       rows=len(daily), data_version=repo.data_version()))
    result.confidence = 0.85 if pd.notna(s.weekly_strength) else 0.6


def stockout_answer(repo: Repository, plan: Plan, result: AgentResult) -> None:
    from ecomintel.forecasting.inventory import HIGH_RISK, OVERSTOCK_DAYS, WARN_RISK, advise
    from ecomintel.forecasting.service import SeriesSpec, forecast_specs
    from ecomintel.preferences import preferences

    stock = repo.stock_levels(list(plan.filters.skus) or None)
    if stock.empty:
        result.status = "partial"
        result.summary = ("No stock levels are loaded, so stockout risk cannot be computed. Upload products with "
                          "inventory_level and lead_time_days columns (Upload → products).")
        result.confidence = 0.9
        return
    level = float(plan.thresholds.get("service_level", preferences(repo).service_level))
    lead_max = int(stock["lead_time_days"].fillna(14).max())
    horizon = max(int(plan.horizon_days or 0), preferences(repo).forecast_horizon_days, lead_max + 7)
    specs = [SeriesSpec.for_sku(str(s), n) for s, n in zip(stock["sku"], stock["name"], strict=True)]
    outcome = forecast_specs(repo, specs, horizon)
    result.warnings += outcome.notes
    rows, findings = [], []
    for rec in stock.to_dict("records"):
        key = f"sku:{rec['sku']}"
        v = outcome.values[outcome.values["series"] == key]
        lead = int(rec["lead_time_days"]) if rec["lead_time_days"] is not None and rec["lead_time_days"] == rec["lead_time_days"] else 14
        if v.empty:
            rows.append([rec["sku"], rec["name"], int(rec["inventory_level"]), lead, 0.0, 0.0, None, 0.0, 0, 0.0,
                         "no sales to forecast from"])
            continue
        a = advise(str(rec["sku"]), float(rec["inventory_level"]), lead, list(v["yhat"]), list(v["mean"]),
                   list(v["hi95"]), level)
        cover = a.days_of_cover if a.days_of_cover is not None else (
            int(a.inventory_level / a.daily_mean) if a.daily_mean > 0 else None)
        rows.append([a.sku, rec["name"], int(a.inventory_level), a.lead_time_days, a.lead_time_demand,
                     a.stockout_probability, cover, a.reorder_point, a.suggested_order, a.daily_mean, ""])
        name = f"{a.sku} {rec['name'] or ''}".strip()
        if a.stockout_probability >= HIGH_RISK:
            findings.append(Finding("critical", f"{name}: {100 * a.stockout_probability:.0f}% risk of running out "
                                    f"before a delivery ordered today arrives ({a.lead_time_days} days; stock "
                                    f"{a.inventory_level:,.0f}, expected demand {a.lead_time_demand:,.0f}). Order "
                                    f"{a.suggested_order:,} units."))
        elif a.stockout_probability >= WARN_RISK:
            findings.append(Finding("warning", f"{name}: {100 * a.stockout_probability:.0f}% stockout risk within "
                                    f"the {a.lead_time_days}-day lead time; suggested order {a.suggested_order:,}."))
        elif cover is not None and cover > OVERSTOCK_DAYS:
            findings.append(Finding("warning", f"{name}: overstock — {a.inventory_level:,.0f} units last about "
                                    f"{cover} days at the forecast rate."))
    rows.sort(key=lambda r: (-float(r[5]), str(r[0])))
    top = rows[: max(plan.top_n, 20)]
    result.tables.append(Table(f"Stockout risk before the next delivery (service level {level:.0%}), highest first",
                               ["sku", "product", "inventory_level", "lead_time_days", "lead_time_demand",
                                "stockout_probability", "days_of_cover", "reorder_point", "suggested_order",
                                "daily_forecast", "note"], top))
    at_risk = [r for r in rows if float(r[5]) >= HIGH_RISK]
    result.metrics.update({"products_with_stock": float(len(rows)), "high_risk_products": float(len(at_risk)),
                           "service_level": level})
    result.findings += findings[:20]
    names = ", ".join(str(r[0]) for r in at_risk[:5])
    result.summary = (f"Forecast-based: {len(at_risk)} of {len(rows)} products with stock levels are more likely "
                      f"than not to run out before a delivery ordered today arrives" + (f" ({names})" if names else "")
                      + f". Reorder points and order quantities are for a {level:.0%} service level.")
    result.evidence.append(EvidenceRef(source="products: inventory_level, lead_time_days; sales: units per day",
                                       rows=len(rows), data_version=repo.data_version(),
                                       note=f"forecast run {outcome.run.get('id', '-')} ({outcome.source})"))
    result.confidence = 0.8


class ForecastAgent:
    """Demand forecasts, seasonality and stockout risk (ecomintel/forecasting)."""

    name = "forecast"
    time_budget_s = 20.0  # at least this long even for quick answers (ask/executor.py)
    description = ("Demand forecasting: daily/weekly forecasts with 80/95% intervals for a product, category, "
                   "country or the total; seasonality and trend; stockout risk, days of cover, reorder points and "
                   "order quantities from stock levels.")

    def run(self, ctx: RequestContext, repo: Repository, plan: Plan) -> AgentResult:
        started = time.perf_counter()
        result = AgentResult(agent=self.name)
        if plan.intent == "seasonality":
            seasonality_answer(repo, plan, result)
        elif plan.intent == "stockout":
            stockout_answer(repo, plan, result)
        else:
            forecast_answer(repo, plan, result)
        result.elapsed_ms = int(1000 * (time.perf_counter() - started))
        return result
