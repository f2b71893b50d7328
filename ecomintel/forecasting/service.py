"""Forecasts for a tenant: read its series through the repository, fit or read stored runs, store new ones.

    outcome = forecast_specs(repo, [SeriesSpec.for_sku("85123A")], horizon=28)
    outcome.values   # series, ds, yhat, mean, lo80, hi80, lo95, hi95, is_open
    fit_catalogue(repo, settings, progress=report)   # every SKU with ≥ 30 days of history; stored + registered

Why stored runs: the whole-catalogue fit (the global model and the backtest over every product) takes
minutes; it runs as a job (forecasting/tasks.py) and the page and Ask read its rows. A question about a
series the catalogue run does not hold (a category, a country, the total), or asked before any catalogue run
for the current data, is fitted on the spot with the fast candidates (portfolio.QUICK_CANDIDATES, well under a
second) and stored too, so asking again reads it. Every run records the data_version it was fitted on; after
an upload it is stale and is never read as current.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from ecomintel.db.sales_lines import SalesFilter
from ecomintel.forecasting.calendar import TradingCalendar, learn_calendar
from ecomintel.forecasting.portfolio import DEFAULT_CANDIDATES, QUICK_CANDIDATES, forecast_panel

if TYPE_CHECKING:
    import pandas as pd

    from ecomintel.config import Settings
    from ecomintel.db.repository import Repository

Progress = Callable[[float, str], None]
CATALOGUE = "catalogue"
MIN_HISTORY_DAYS = 30
VALUE_COLUMNS = ["series", "ds", "yhat", "mean", "lo80", "hi80", "lo95", "hi95", "is_open"]


@dataclass(frozen=True)
class SeriesSpec:
    """One demand series: its key ("sku:85123A", "total", "category:Christmas", "country:France"), a label for
    people, and the sales lines it sums."""

    key: str
    label: str
    flt: SalesFilter
    measure: str = "units"  # or "revenue" (revenue of sale lines per day)

    @staticmethod
    def for_sku(sku: str, name: str | None = None) -> SeriesSpec:
        return SeriesSpec(f"sku:{sku}", f"{sku} {name}".strip() if name else sku, SalesFilter(skus=(sku,)))

    @staticmethod
    def total() -> SeriesSpec:
        return SeriesSpec("total", "all products", SalesFilter())


@dataclass
class ForecastOutcome:
    values: pd.DataFrame           # VALUE_COLUMNS
    choices: pd.DataFrame          # series, model, weights, backtest_mae, backtest_mase, baseline_mae
    history: dict[str, pd.Series]  # series key → units per calendar day up to the cut-off
    calendar: TradingCalendar
    run: dict[str, Any]
    source: str                    # "stored" (read) | "fitted" (now)
    notes: list[str] = field(default_factory=list)


def daily_index(frame: pd.DataFrame, start: date, end: date, measure: str = "units") -> pd.DataFrame:
    """`measure` (y: units or revenue) and mean price per calendar day in [start, end] from (day, units,
    revenue) rows."""
    import pandas as pd

    idx = pd.date_range(start, end, freq="D")
    f = frame.assign(day=pd.to_datetime(frame["day"])).set_index("day").reindex(idx)
    units = f[measure].fillna(0.0).clip(lower=0.0)
    price = (f["revenue"] / f["units"]).where(f["units"] > 0)
    return pd.DataFrame({"ds": idx, "y": units.to_numpy(), "price": price.to_numpy()})


_MEMO: dict[tuple[Any, ...], Any] = {}  # (database, tenant, data_version, what) → value: a few per process


def _total_daily(repo: Repository) -> pd.DataFrame:
    """The shop's units and revenue per day, read once per data version (the calendar and the total series
    both need it, and it is a scan of every sales line)."""
    key = (str(repo.engine.url), repo.tenant_id, repo.data_version(), "total")
    if key not in _MEMO:
        if len(_MEMO) > 64:
            _MEMO.clear()
        _MEMO[key] = repo.daily_units(SalesFilter())
    frame: pd.DataFrame = _MEMO[key]
    return frame.copy()


def shop_calendar(repo: Repository) -> TradingCalendar:
    """The tenant's trading calendar from its total units per day and its home market's holidays."""
    import pandas as pd

    total = _total_daily(repo)
    if total.empty:
        return TradingCalendar()
    series = total.set_index(pd.to_datetime(total["day"]))["units"]
    series = series.reindex(pd.date_range(series.index.min(), series.index.max(), freq="D"), fill_value=0.0)
    return learn_calendar(series, repo.vocabulary().main_country)


def _scope(specs: Sequence[SeriesSpec]) -> str:
    keys = sorted(s.key for s in specs)
    if len(keys) == 1:
        return keys[0][:200]
    return "set:" + hashlib.sha256("|".join(keys).encode()).hexdigest()[:24]


def _read_run(repo: Repository, run: dict[str, Any], keys: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    return repo.forecast_values(int(run["id"]), keys), repo.forecast_choices(int(run["id"]), keys)


def series_histories(repo: Repository, specs: Sequence[SeriesSpec], end: date) -> dict[str, pd.DataFrame]:
    """Each spec's daily series up to `end`; plain SKU series are read in one query (a stock table asks for
    dozens), aggregates one query each."""
    out = {}
    plain = {spec.flt.skus[0]: spec for spec in specs if len(spec.flt.skus) == 1 and
             spec.flt == SalesFilter(skus=spec.flt.skus)}
    if len(plain) > 1:
        rows = repo.daily_units_by_sku(SalesFilter(end=end), list(plain))
        for sku, frame in rows.groupby("sku"):
            spec = plain[str(sku)]
            if frame["units"].sum() > 0:
                out[spec.key] = daily_index(frame, min(frame["day"]), end, spec.measure)
    for spec in specs:
        if len(plain) > 1 and spec.flt.skus[:1] and spec.flt.skus[0] in plain and plain[spec.flt.skus[0]] is spec:
            continue
        frame = _total_daily(repo) if spec.flt == SalesFilter() else repo.daily_units(spec.flt.with_period(None, end))
        frame = frame[[d <= end for d in frame["day"]]] if len(frame) else frame
        if frame.empty or frame["units"].sum() <= 0:
            continue
        out[spec.key] = daily_index(frame, min(frame["day"]), end, spec.measure)
    return out


def forecast_specs(repo: Repository, specs: Sequence[SeriesSpec], horizon: int, *,
                   candidates: Sequence[str] = QUICK_CANDIDATES, store: bool = True) -> ForecastOutcome:
    """Forecasts of `specs` for `horizon` days after the tenant's last sales day: from the current catalogue
    run (SKU series) or this scope's current run when they cover it, else fitted now (and stored)."""
    import pandas as pd

    vocab = repo.vocabulary()
    end = vocab.sales_end
    calendar = shop_calendar(repo)
    if end is None:
        empty = pd.DataFrame(columns=VALUE_COLUMNS)
        return ForecastOutcome(empty, pd.DataFrame(), {}, calendar, {}, "fitted", ["There is no sales data."])
    hist = series_histories(repo, specs, end)
    history = {k: v.set_index("ds")["y"] for k, v in hist.items()}
    keys = [s.key for s in specs if s.key in hist]
    notes: list[str] = []
    missing = [s.label for s in specs if s.key not in hist]
    if missing:
        notes.append("No sales to forecast from for " + ", ".join(missing[:5]) + ".")
    if not keys:
        return ForecastOutcome(pd.DataFrame(columns=VALUE_COLUMNS), pd.DataFrame(), history, calendar, {},
                               "fitted", notes)
    for scope in ([CATALOGUE] if all(k.startswith("sku:") for k in keys) else []) + [_scope(specs)]:
        run = repo.latest_forecast_run(scope, horizon)
        if run is None:
            continue
        if run["stale"]:
            notes.append(f"The stored {scope} forecast of {run['created_at']:%Y-%m-%d %H:%M} predates the latest "
                         "upload; refitted on the current data.")
            continue
        values, choices = _read_run(repo, run, keys)
        if set(values["series"]) >= set(keys):
            cutoff = pd.Timestamp(run["cutoff"]) + pd.Timedelta(days=horizon)
            values = values[pd.to_datetime(values["ds"]) <= cutoff].reset_index(drop=True)
            return ForecastOutcome(values, choices, history, calendar, run, "stored", notes)
    panel = pd.concat([v.assign(unique_id=k) for k, v in hist.items() if k in keys], ignore_index=True)
    started = time.perf_counter()
    fc = forecast_panel(panel, calendar, horizon=horizon, candidates=candidates)
    values, choices = _frames(fc)
    run = {"scope": _scope(specs), "data_version": repo.data_version(), "grain": "day", "horizon_days": horizon,
           "cutoff": end, "series_count": len(keys), "candidates": list(candidates),
           "metrics": _summary(choices), "calendar": calendar.describe()[:300],
           "elapsed_ms": int(1000 * (time.perf_counter() - started))}
    if store and repo.ctx.can_write:
        run["id"] = repo.save_forecast_run(run, _records(choices), values)
    return ForecastOutcome(values, choices, history, calendar, run, "fitted", notes)


def _frames(fc: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    values = fc.forecast.rename(columns={"unique_id": "series", "open": "is_open"})
    values["ds"] = values["ds"].dt.date
    choices = fc.choice.rename(columns={"unique_id": "series"})
    choices["backtest_mae"] = choices["backtest_mae"].astype(float).where(choices["backtest_mae"].notna(), None)
    choices["backtest_mase"] = choices["backtest_mase"].astype(float).where(choices["backtest_mase"].notna(), None)
    choices = choices.astype(object).where(choices.notna(), None)
    return values[VALUE_COLUMNS].reset_index(drop=True), choices


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def _summary(choices: pd.DataFrame) -> dict[str, Any]:
    """Backtest figures of a run: mean/median MASE over series, and the share of series each choice took."""
    import numpy as np

    mase = np.array([v for v in choices["backtest_mase"] if v is not None and v == v], dtype=float)
    return {"series": len(choices),
            "backtest_mase_mean": float(mase.mean()) if len(mase) else None,
            "backtest_mase_median": float(np.median(mase)) if len(mase) else None,
            "models": {str(k): int(v) for k, v in choices["model"].map(
                lambda s: "ensemble" if str(s).startswith("ensemble") else str(s)).value_counts().items()}}


def eligible_skus(rows: pd.DataFrame, end: date, min_days: int = MIN_HISTORY_DAYS) -> list[str]:
    """From (sku, day, units, revenue) rows: SKUs first sold at least `min_days` before `end`, on 2+ days."""
    if rows.empty:
        return []
    per = rows.groupby("sku").agg(first=("day", "min"), days=("day", "size"), units=("units", "sum"))
    import numpy as np

    long_enough = np.array([(end - first).days + 1 >= min_days for first in per["first"]], dtype=bool)
    keep = per[(per["days"].to_numpy() >= 2) & (per["units"].to_numpy() > 0) & long_enough]
    return sorted(str(s) for s in keep.index)


def catalogue_skus(repo: Repository, min_days: int = MIN_HISTORY_DAYS) -> list[str]:
    """SKUs whose first sale is at least `min_days` before the last sales day (and that sold on 2+ days)."""
    import pandas as pd

    end = repo.vocabulary().sales_end
    if end is None:
        return []
    days = repo.sku_history_days(SalesFilter())
    if days.empty:
        return []
    span = [(end - first).days + 1 for first in days["first_day"]]
    long_enough = pd.Series([s >= min_days for s in span], index=days.index)
    keep = days[(days["days"] >= 2) & (days["units"] > 0) & long_enough]
    return sorted(str(s) for s in keep["sku"])


def sku_panel(rows: pd.DataFrame, skus: Sequence[str], end: date) -> pd.DataFrame:
    """Every calendar day from each SKU's first sale to `end` (unique_id "sku:<code>", ds, y, price), from
    the (sku, day, units, revenue) rows of days with sales — one pivot, not a reindex per SKU."""
    import numpy as np
    import pandas as pd

    rows = rows[rows["sku"].isin(set(skus))].copy()
    rows["day"] = pd.to_datetime(rows["day"])
    days = pd.date_range(rows["day"].min(), end, freq="D")
    units = rows.pivot_table(index="day", columns="sku", values="units", aggfunc="sum").reindex(days)
    revenue = rows.pivot_table(index="day", columns="sku", values="revenue", aggfunc="sum").reindex(days)
    first = rows.groupby("sku")["day"].min().reindex(units.columns)
    grid_days = np.tile(days.to_numpy(), len(units.columns))
    grid_sku = np.repeat(units.columns.to_numpy(), len(days))
    y = units.to_numpy().T.ravel()
    rev = revenue.to_numpy().T.ravel()
    keep = grid_days >= np.repeat(first.to_numpy(), len(days))
    price = np.where(y > 0, rev / np.where(y > 0, y, 1.0), np.nan)
    return pd.DataFrame({"unique_id": ["sku:" + str(s) for s in grid_sku[keep]], "ds": grid_days[keep],
                         "y": np.nan_to_num(y[keep], nan=0.0).clip(min=0.0), "price": price[keep]})


def fit_catalogue(repo: Repository, settings: Settings, *, horizon: int | None = None,
                  min_days: int = MIN_HISTORY_DAYS, candidates: Sequence[str] = DEFAULT_CANDIDATES,
                  progress: Progress | None = None, register: bool = True) -> dict[str, Any]:
    """Backtest and forecast every SKU with ≥ `min_days` of history with the full portfolio (global model
    included); store the run (scope "catalogue") and register the backtest in the model registry."""

    from ecomintel.preferences import preferences

    say = progress or (lambda f, m: None)
    started = time.perf_counter()
    horizon = int(horizon or preferences(repo, settings=settings).forecast_horizon_days)
    vocab = repo.vocabulary()
    end = vocab.sales_end
    say(0.0, "reading daily sales per SKU")
    rows = repo.daily_units_by_sku(SalesFilter(end=end)) if end is not None else None
    skus = eligible_skus(rows, end, min_days) if rows is not None and end is not None else []
    if end is None or rows is None or not skus:
        return {"status": "empty", "series": 0, "message": f"No SKU has {min_days} days of sales history yet."}
    data_version = repo.data_version()
    say(0.02, f"{len(skus)} SKUs with {min_days}+ days of history; learning the trading calendar")
    calendar = shop_calendar(repo)
    panel = sku_panel(rows, skus, end)
    say(0.05, f"fitting {len(skus)} SKUs")
    fc = forecast_panel(panel, calendar, horizon=horizon, candidates=candidates,
                        progress=lambda f, m: say(0.05 + 0.85 * f, m))
    values, choices = _frames(fc)
    summary = _summary(choices)
    say(0.92, "storing forecasts")
    run = {"scope": CATALOGUE, "data_version": data_version, "grain": "day", "horizon_days": horizon,
           "cutoff": end, "series_count": len(skus), "candidates": list(candidates), "metrics": summary,
           "calendar": calendar.describe()[:300], "elapsed_ms": int(1000 * (time.perf_counter() - started))}
    version = None
    if register:
        version = _register(repo, settings, fc, run, panel)
        run["model_version"] = version
    run_id = repo.save_forecast_run(run, _records(choices), values)
    say(1.0, f"{len(skus)} SKUs forecast")
    return {"status": "ok", "run_id": run_id, "series": len(skus), "horizon_days": horizon, "cutoff": str(end),
            "data_version": data_version, "model_version": version, "metrics": summary,
            "seconds": round(time.perf_counter() - started, 1), "timings": fc.timings}


def _register(repo: Repository, settings: Settings, fc: Any, run: dict[str, Any], panel: pd.DataFrame) -> str:
    """Register the catalogue backtest (kind "forecast", this tenant) with its errors; WAPE ranks versions."""
    from ecomintel.models.registry import fingerprint, open_registry

    choices = fc.choice
    mae = choices["backtest_mae"].astype(float)
    level = panel.groupby("unique_id")["y"].mean().reindex(choices["unique_id"]).to_numpy()
    ok = mae.notna().to_numpy()
    wape = float(mae[ok].sum() / max(float(level[ok].sum()), 1e-9)) if ok.any() else None
    base = {b: float(sum(d.get(b, 0.0) for d in choices["baseline_mae"]) / max(float(level[ok].sum()), 1e-9))
            for b in ("last_week", "mean_28d")}
    fp = fingerprint([repo.tenant_id, run["data_version"], run["cutoff"], len(panel), float(panel["y"].sum())])
    metrics = {"wape": wape, "baseline_wape": base, "eval_fingerprint": fp, **run["metrics"]}
    registry = open_registry(settings, repo.engine)
    mv = registry.register("forecast", "portfolio", params={"candidates": run["candidates"],
                                                            "horizon_days": run["horizon_days"],
                                                            "windows": fc.backtest_windows, "grain": "day"},
                           data_fingerprint=fp, metrics=metrics, tenant_id=repo.tenant_id, activate=True,
                           note=f"catalogue backtest, cut-off {run['cutoff']}, {run['series_count']} SKUs")
    return mv.version
