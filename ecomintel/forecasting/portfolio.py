"""The default forecaster: backtest a portfolio of models, choose per series, forecast with intervals.

    result = forecast_panel(panel, calendar, horizon=28)
    result.forecast  # unique_id, ds (every calendar day of the horizon), yhat, lo80, hi80, lo95, hi95
    result.choice    # unique_id, model, weights, backtest_mae, backtest_mase, baseline errors

Why a portfolio chosen per series: no single model wins on every product (steady sellers like a global
model that knows the calendar, sparse ones an intermittent-demand model, a product whose level just moved a
recent mean); a rolling-origin backtest on each product's own recent past picks the best few and weights
them by their errors. Closed days (calendar.py) are removed before fitting and forecast as exactly 0.
Intervals are conformal: quantiles of the chosen forecast's own backtest errors around the point forecast,
clipped at 0; wider where the product's forecasts were wrong more.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ecomintel.forecasting import local_models as lm
from ecomintel.forecasting.backtest import MIN_TRAIN, Backtest, choose, combine, run_backtest
from ecomintel.forecasting.calendar import TradingCalendar
from ecomintel.forecasting.global_model import GlobalLightGBM
from ecomintel.forecasting.prophet_model import ProphetModel
from ecomintel.forecasting.protocol import FitContext, Forecaster

if TYPE_CHECKING:
    import pandas as pd

Progress = Callable[[float, str], None]

FORECASTERS: dict[str, Callable[[], Forecaster]] = {
    # the global model: LightGBM across all series (tweedie loss; the l1 variant forecasts a median)
    "global_lgbm": GlobalLightGBM,
    "global_lgbm_l1": lambda: GlobalLightGBM(name="global_lgbm_l1", objective="l1"),
    # recent level (median / 60% quantile / mean of the last 2-4 weeks), times the weekday profile or flat
    "recent_median": lambda: lm.WeekdayProfile(name="recent_median", level_days=28, quantile=0.5,
                                               use_profile=False),
    "weekday_median": lambda: lm.WeekdayProfile(name="weekday_median", level_days=14, quantile=0.5),
    "weekday_q60": lambda: lm.WeekdayProfile(name="weekday_q60", level_days=28, quantile=0.6),
    "weekday_profile": lm.WeekdayProfile,
    "last_week": lm.LastWeek,
    "mean_28d": lambda: lm.WeekdayProfile(name="mean_28d", level_days=28, use_profile=False),
    # statsforecast's local models
    "auto_ets": lambda: lm.AUTO_ETS,
    "auto_theta": lambda: lm.AUTO_THETA,
    "seasonal_naive": lambda: lm.SEASONAL_NAIVE,
    "weekday_mean": lambda: lm.WEEKDAY_MEAN,
    "recent_mean": lambda: lm.RECENT_MEAN,
    "croston": lambda: lm.CROSTON,
    "adida": lambda: lm.ADIDA,
    "imapa": lambda: lm.IMAPA,
    "tsb": lambda: lm.TSB,
    "prophet": ProphetModel,
}
# Chosen by the bench (bench/forecast.py, two cut-offs): AutoETS, AutoTheta and Prophet forecast no better here
# and cost 10-40× more per backtest window; Croston/ADIDA/IMAPA lose to TSB. Any name above can be passed.
DEFAULT_CANDIDATES = ("global_lgbm", "recent_median", "weekday_median", "weekday_q60", "weekday_profile", "tsb")
# Without the global model and statsforecast (pure numpy, well under a second): one aggregate series asked
# about in Ask (a category, a country, the total) when no stored catalogue run covers it.
QUICK_CANDIDATES = ("recent_median", "weekday_median", "weekday_q60", "weekday_profile")
# backtested too and shown next to the chosen forecast's error: seasonal naive (same weekday last week) and
# the mean of the last 28 trading days
BASELINES = ("last_week", "mean_28d")
LEVELS = (80, 95)
FALLBACK = "recent_median"  # series too short to backtest
OWN_SHARE = 0.7  # weight of a series' own error quantiles against those pooled over all series


@dataclass
class PortfolioForecast:
    forecast: pd.DataFrame
    choice: pd.DataFrame
    calendar: TradingCalendar
    horizon: int
    models: list[str]
    backtest_windows: int
    timings: dict[str, float] = field(default_factory=dict)


def to_trading(panel: pd.DataFrame, calendar: TradingCalendar) -> pd.DataFrame:
    """The rows of open days only (closed days are known zeros)."""
    import pandas as pd

    closed = pd.DatetimeIndex(sorted(calendar.closed_dates))
    keep = ~panel["ds"].dt.dayofweek.isin(list(calendar.closed_weekdays)) & ~panel["ds"].dt.normalize().isin(closed)
    return panel[keep.to_numpy()].reset_index(drop=True)


def season_length(calendar: TradingCalendar) -> int:
    return max(1, 7 - len(calendar.closed_weekdays))


def forecast_panel(panel: pd.DataFrame, calendar: TradingCalendar, horizon: int = 28,
                   candidates: Sequence[str] = DEFAULT_CANDIDATES, windows: int = 2, top_k: int = 2,
                   threads: int = 2, progress: Progress | None = None) -> PortfolioForecast:
    """Forecast every series of `panel` (unique_id, ds daily, y, optional price; every series ending on the
    same last day, the cut-off) for `horizon` calendar days after the cut-off."""
    import time

    import numpy as np
    import pandas as pd

    def say(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction, message)

    timings: dict[str, float] = {}
    cutoff = panel["ds"].max()
    days = pd.date_range(cutoff + pd.Timedelta(days=1), periods=horizon, freq="D")
    future = [d for d in days if calendar.is_open(d.date())]
    history = to_trading(panel.sort_values(["unique_id", "ds"]), calendar)
    ctx = FitContext(calendar=calendar, season=season_length(calendar), threads=threads)
    models = [FORECASTERS[name]() for name in candidates]
    names = [m.name for m in models]
    baselines = [FORECASTERS[name]() for name in BASELINES if name not in names]
    steps = max(1, len(future))
    # a horizon longer than the history allows is backtested over shorter windows (the errors of the first
    # weeks then stand for the whole horizon): better than choosing and calibrating on nothing
    n_dates = history["ds"].nunique()
    steps = max(1, min(steps, max(ctx.season, (n_dates - MIN_TRAIN) // max(1, windows + 1))))

    t0 = time.perf_counter()
    bt = run_backtest(history, [*models, *baselines], ctx, steps, windows,
                      progress=lambda f, msg: say(0.7 * f, msg))
    timings["backtest_s"] = time.perf_counter() - t0
    weights = choose(bt, top_k=top_k, among=names)
    fallback = {n: (1.0 if n == FALLBACK else 0.0) for n in names} if FALLBACK in names else \
        {n: 1.0 / len(names) for n in names}

    t0 = time.perf_counter()
    preds = pd.DataFrame({"unique_id": np.repeat(history["unique_id"].unique(), len(future)),
                          "ds": np.tile(pd.DatetimeIndex(future).to_numpy(), history["unique_id"].nunique())})
    for i, model in enumerate(models):
        say(0.7 + 0.25 * i / len(models), f"fitting {model.name} on all history")
        if future:
            out = model.forecast(history, future, ctx).rename(columns={"yhat": model.name})
            preds = preds.merge(out, on=["unique_id", "ds"], how="left")
        else:
            preds[model.name] = 0.0
    preds[names] = preds[names].fillna(0.0)
    timings["fit_s"] = time.perf_counter() - t0
    preds["yhat"] = combine(preds, weights, names, fallback).clip(min=0.0)
    preds = _conformal(preds, bt, weights, names, fallback)
    forecast = _calendar_days(preds, history["unique_id"].unique(), days)
    choice = _choice(bt, weights, names, history, ctx.season)
    say(1.0, "forecast ready")
    return PortfolioForecast(forecast, choice, calendar, horizon, names, bt.windows, timings)


def _conformal(preds: pd.DataFrame, bt: Backtest, weights: pd.DataFrame, names: list[str],
               fallback: dict[str, float]) -> pd.DataFrame:
    """Intervals and the mean from the chosen forecast's signed backtest errors (actual − forecast).

    Errors are taken relative to the series' forecast level in their window and applied at today's level, so
    a product whose demand doubled gets intervals twice as wide. Each series' quantiles are mixed with
    the quantiles pooled over all series (OWN_SHARE; a product's own 40-odd errors are a noisy tail estimate). Lower
    bounds are clipped at 0. `mean` = point + the mean relative error × level (the point forecast is the
    median-like forecast that minimises absolute error; sums over days or products need the mean)."""
    own = OWN_SHARE
    import numpy as np

    out = preds.copy()
    level_now = out.groupby("unique_id")["yhat"].transform("mean").clip(lower=0.05).to_numpy()
    yhat = out["yhat"].to_numpy()
    if bt.errors.empty:
        out["mean"] = yhat
        for lvl in LEVELS:
            out[f"lo{lvl}"], out[f"hi{lvl}"] = yhat * 0.0, yhat * 2.0
        return out
    err = bt.errors.copy()
    err["ens"] = combine(err, weights, names, fallback)
    level = err.groupby(["unique_id", "window"])["ens"].transform("mean").clip(lower=0.05)
    err["rn"] = (err["y"] - err["ens"]) / level
    pooled = err["rn"].to_numpy()
    per = err.groupby("unique_id")["rn"]
    uids = out["unique_id"]
    bias = (err["y"] - err["ens"]).groupby(err["unique_id"]).mean()  # units/day the point runs below the mean
    out["mean"] = np.clip(yhat + uids.map(bias).fillna(0.0).to_numpy(), 0.0, None)
    counts = per.size()
    for lvl in LEVELS:
        a = (1 - lvl / 100) / 2
        pooled_lo, pooled_hi = np.quantile(pooled, a), np.quantile(pooled, 1 - a)
        q_lo = (own * per.quantile(a) + (1 - own) * pooled_lo).where(counts >= 10, pooled_lo)
        q_hi = (own * per.quantile(1 - a) + (1 - own) * pooled_hi).where(counts >= 10, pooled_hi)
        lo = uids.map(q_lo).fillna(pooled_lo).to_numpy() * level_now
        hi = uids.map(q_hi).fillna(pooled_hi).to_numpy() * level_now
        out[f"lo{lvl}"] = np.clip(np.minimum(yhat + lo, yhat), 0.0, None)
        out[f"hi{lvl}"] = np.maximum(yhat + hi, yhat)
    return out


def _calendar_days(preds: pd.DataFrame, ids: Any, days: pd.DatetimeIndex) -> pd.DataFrame:
    """Every calendar day of the horizon per series: closed days get 0 (point and interval), `open` says which."""
    import numpy as np
    import pandas as pd

    grid = pd.DataFrame({"unique_id": np.repeat(ids, len(days)), "ds": np.tile(days.to_numpy(), len(ids))})
    cols = ["yhat", "mean", *[f"{side}{lvl}" for lvl in LEVELS for side in ("lo", "hi")]]
    out = grid.merge(preds[["unique_id", "ds", *cols]], on=["unique_id", "ds"], how="left")
    out["open"] = out["yhat"].notna()
    out[cols] = out[cols].fillna(0.0)
    return out


def _choice(bt: Backtest, weights: pd.DataFrame, names: list[str], history: pd.DataFrame,
            season: int) -> pd.DataFrame:
    """Per series: the model label, its weights, and backtest MAE/MASE of the choice and of each baseline."""
    import numpy as np
    import pandas as pd

    from ecomintel.forecasting.metrics import mase_scale

    scales = history.groupby("unique_id", sort=False)["y"].apply(lambda y: mase_scale(y.to_numpy(), season))
    rows = []
    err = bt.errors
    fallback = {n: (1.0 if n == FALLBACK else 0.0) for n in names}
    if not err.empty:
        err = err.copy()
        err["ens"] = combine(err, weights, names, fallback)
    per = err.groupby("unique_id") if not err.empty else None
    wmap: dict[Any, dict[str, float]] = ({k: {str(c): float(v) for c, v in row.items()}
                                          for k, row in weights.set_index("unique_id").to_dict("index").items()}
                                         if not weights.empty else {})
    for uid in history["unique_id"].unique():
        scale = float(scales.get(uid, np.nan))
        if per is not None and uid in wmap:
            g = per.get_group(uid)
            w = {m: round(wmap[uid][m], 3) for m in names if wmap[uid][m] > 0}
            mae = float((g["ens"] - g["y"]).abs().mean())
            base = {b: float((g[b] - g["y"]).abs().mean()) for b in BASELINES if b in g}
        else:
            w, mae, base = {FALLBACK: 1.0}, float("nan"), {}
        label = next(iter(w)) if len(w) == 1 else "ensemble of " + " + ".join(
            f"{m} {v:.0%}" for m, v in sorted(w.items(), key=lambda kv: -kv[1]))
        rows.append({"unique_id": uid, "model": label, "weights": w, "backtest_mae": mae,
                     "backtest_mase": mae / scale if scale == scale and scale > 0 else float("nan"),
                     "baseline_mae": base})
    return pd.DataFrame(rows)
