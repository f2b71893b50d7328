"""statsforecast's local models (one model per series) behind the Forecaster protocol.

Why over trading days with integer time: the shop's closed days are removed before fitting (they are known
zeros, see calendar.py), so the weekly season is `ctx.season` trading days and the models see positions
0..n-1 rather than dates; the forecast positions are mapped back onto the future trading dates.
Intermittent-demand models (Croston, ADIDA, IMAPA, TSB) suit the many products that sell on few days.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ecomintel.forecasting.protocol import FitContext

if TYPE_CHECKING:
    import pandas as pd


def _positions(history: pd.DataFrame) -> pd.DataFrame:
    frame = history[["unique_id", "y"]].copy()
    frame["ds"] = frame.groupby("unique_id", sort=False).cumcount()
    return frame


def run_statsforecast(history: pd.DataFrame, future: list[pd.Timestamp], models: list[Any],
                      threads: int = 1) -> pd.DataFrame:
    """Fit `models` on every series; columns unique_id, ds (the future dates), one column per model alias."""
    import pandas as pd
    from statsforecast import StatsForecast

    h = len(future)
    sf = StatsForecast(models=models, freq=1, n_jobs=threads)
    out = sf.forecast(df=_positions(history), h=h)
    out = out.reset_index() if "unique_id" not in out.columns else out
    out["step"] = out.groupby("unique_id", sort=False).cumcount()
    out["ds"] = pd.DatetimeIndex(future)[out["step"].to_numpy()]
    return out.drop(columns=["step"])


@dataclass(frozen=True)
class StatsModel:
    """One statsforecast model; `build(season)` makes the model object (its alias is `name`)."""

    name: str
    build: Callable[[int], Any]

    def forecast(self, history: pd.DataFrame, future: list[pd.Timestamp], ctx: FitContext) -> pd.DataFrame:
        model = self.build(ctx.season)
        out = run_statsforecast(history, future, [model], threads=1)
        out = out.rename(columns={model.alias: "yhat"})[["unique_id", "ds", "yhat"]]
        out["yhat"] = out["yhat"].fillna(0.0).clip(lower=0.0)
        return out


def _model(cls_name: str, **kwargs: Any) -> Callable[[int], Any]:
    def build(season: int) -> Any:
        import statsforecast.models as sm

        cls = getattr(sm, cls_name)
        args = {k: (season if v == "season" else v) for k, v in kwargs.items()}
        return cls(**args)
    return build


SEASONAL_NAIVE = StatsModel("seasonal_naive", _model("SeasonalNaive", season_length="season", alias="seasonal_naive"))
AUTO_ETS = StatsModel("auto_ets", _model("AutoETS", season_length="season", alias="auto_ets"))
AUTO_THETA = StatsModel("auto_theta", _model("AutoTheta", season_length="season", alias="auto_theta"))
WEEKDAY_MEAN = StatsModel("weekday_mean", _model("SeasonalWindowAverage", season_length="season", window_size=6,
                                                 alias="weekday_mean"))
RECENT_MEAN = StatsModel("recent_mean", _model("WindowAverage", window_size=28, alias="recent_mean"))
CROSTON = StatsModel("croston", _model("CrostonOptimized", alias="croston"))
ADIDA = StatsModel("adida", _model("ADIDA", alias="adida"))
IMAPA = StatsModel("imapa", _model("IMAPA", alias="imapa"))
TSB = StatsModel("tsb", _model("TSB", alpha_d=0.2, alpha_p=0.2, alias="tsb"))


@dataclass(frozen=True)
class WeekdayProfile:
    """Recent level × weekday profile: the mean of the last `level_days` trading days, times each trading
    weekday's share of demand over the last `profile_weeks` weeks (shrunk towards a flat week when the
    product sold on few days). Plain numpy, so it costs nothing; it is the forecast a planner would make by
    hand, and the one a model must beat."""

    name: str = "weekday_profile"
    level_days: int = 14
    profile_weeks: int = 8
    shrink: float = 5.0  # pseudo-days of a flat profile mixed into each weekday's estimate
    quantile: float | None = None  # the level as this quantile of the recent days instead of their mean
    use_profile: bool = True

    def forecast(self, history: pd.DataFrame, future: list[pd.Timestamp], ctx: FitContext) -> pd.DataFrame:
        """Vectorised over series (groupby, no Python loop per series): thousands of SKUs in well under a
        second."""
        import numpy as np
        import pandas as pd

        fut = pd.DatetimeIndex(future)
        ids = history["unique_id"].unique()
        if not len(ids):
            return pd.DataFrame(columns=["unique_id", "ds", "yhat"])
        by = history.groupby("unique_id", sort=False)
        recent = by.tail(self.level_days).groupby("unique_id", sort=False)["y"]
        level = (recent.mean() if self.quantile is None else recent.quantile(self.quantile)).reindex(ids).fillna(0.0)
        span = self.profile_weeks * max(1, ctx.season)
        tail = by.tail(span)
        mean = tail.groupby("unique_id", sort=False)["y"].mean().reindex(ids)
        prof = pd.DataFrame(1.0, index=ids, columns=range(7))
        if self.use_profile:
            dow = tail["ds"].dt.dayofweek
            agg = tail.assign(dow=dow).groupby(["unique_id", "dow"], sort=False)["y"].agg(["sum", "size"])
            m = mean.reindex(agg.index.get_level_values(0)).to_numpy()
            val = np.where(m > 0, (agg["sum"].to_numpy() / np.where(m > 0, m, 1.0) + self.shrink)
                           / (agg["size"].to_numpy() + self.shrink), 1.0)
            prof = pd.Series(val, index=agg.index).unstack().reindex(index=ids, columns=range(7),
                                                                                    fill_value=1.0).fillna(1.0)
        factors = prof.to_numpy()[:, fut.dayofweek.to_numpy()]  # series x future days
        yhat = (level.to_numpy()[:, None] * factors).ravel()
        return pd.DataFrame({"unique_id": np.repeat(ids, len(fut)), "ds": np.tile(fut.to_numpy(), len(ids)),
                             "yhat": np.clip(yhat, 0.0, None)})


@dataclass(frozen=True)
class LastWeek:
    """Seasonal naive in plain numpy: each future trading day repeats the same weekday of the last week.
    A baseline shown next to the chosen forecast's error (no statsforecast import, so it is instant)."""

    name: str = "last_week"

    def forecast(self, history: pd.DataFrame, future: list[pd.Timestamp], ctx: FitContext) -> pd.DataFrame:
        import numpy as np
        import pandas as pd

        fut = pd.DatetimeIndex(future)
        s = max(1, ctx.season)
        ids, vals = [], []
        for uid, g in history.groupby("unique_id", sort=False):
            last = g["y"].to_numpy(dtype=float)[-s:]
            last = np.pad(last, (s - len(last), 0)) if len(last) < s else last
            ids.append(np.full(len(fut), uid, dtype=object))
            vals.append(np.resize(last, len(fut)))
        if not ids:
            return pd.DataFrame(columns=["unique_id", "ds", "yhat"])
        return pd.DataFrame({"unique_id": np.concatenate(ids), "ds": np.tile(fut.to_numpy(), len(ids)),
                             "yhat": np.clip(np.concatenate(vals), 0.0, None)})
