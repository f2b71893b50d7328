"""One LightGBM model across all series (mlforecast): the approach that won the M5 competition.

Why global: most products sell a few units on a few days; one series alone says little, but hundreds of
series together say how demand moves after a busy week, before Christmas, on a Monday, or when the price
drops. Each series is divided by its own recent level so that the model learns shapes, not sizes, and the
forecast is multiplied back. Features: lags and rolling means over trading days (recursive forecast),
calendar (weekday, month, day of month, days to Christmas, public holidays), and the price relative to the
series' usual price. The history's trading days only (closed days are known zeros, see calendar.py).
One LightGBM thread: OpenMP threads spin-wait, and on a busy machine two threads train ~7× slower than one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ecomintel.forecasting.protocol import FitContext

if TYPE_CHECKING:
    import pandas as pd

SCALE_DAYS = 56  # the level a series is divided by: its mean over the last 56 trading days (or all it has)


def calendar_features(ds: pd.Series, ctx: FitContext) -> pd.DataFrame:
    """Calendar columns for dates `ds` (datetime64), computed once per distinct date (a catalogue has a
    million rows but a few hundred dates)."""
    import numpy as np
    import pandas as pd

    uniq, inverse = np.unique(pd.DatetimeIndex(ds).to_numpy(), return_inverse=True)
    days = pd.DatetimeIndex(uniq)
    christmas = pd.DatetimeIndex([pd.Timestamp(year=int(y), month=12, day=25) for y in days.year])
    to_xmas = (christmas - days).days.to_numpy()
    hol = ctx.calendar.holidays
    near = np.array([any((d + pd.Timedelta(days=k)).date() in hol for k in (-1, 1, 2)) for d in days], dtype=int) \
        if hol else np.zeros(len(days), dtype=int)
    table = {"dow": days.dayofweek.to_numpy(), "month": days.month.to_numpy(), "dom": days.day.to_numpy(),
             "to_christmas": np.where(to_xmas >= 0, to_xmas, 400), "holiday_near": near}
    return pd.DataFrame({k: v[inverse] for k, v in table.items()}, index=ds.index)


@dataclass(frozen=True)
class GlobalLightGBM:
    """mlforecast + LightGBM over every series at once, on the scaled units (tweedie loss by default; "l1"
    forecasts a median)."""

    name: str = "global_lgbm"
    n_estimators: int = 250
    learning_rate: float = 0.05
    num_leaves: int = 31
    objective: str = "tweedie"
    max_train_rows: int = 200_000  # a whole catalogue (1M+ rows) trains on a seeded sample of this many

    def forecast(self, history: pd.DataFrame, future: list[pd.Timestamp], ctx: FitContext) -> pd.DataFrame:
        import lightgbm as lgb
        import numpy as np
        import pandas as pd
        from mlforecast import MLForecast
        from mlforecast.lag_transforms import ExpandingMean, RollingMean, SeasonalRollingMean

        s = max(2, int(ctx.season))
        frame = history[["unique_id", "ds", "y"] + (["price"] if "price" in history else [])].copy()
        frame["t"] = frame.groupby("unique_id", sort=False).cumcount()
        tail = frame.groupby("unique_id", sort=False).tail(SCALE_DAYS)
        scale = tail.groupby("unique_id", sort=False)["y"].mean()
        scale = scale.where(scale > 0, frame.groupby("unique_id", sort=False)["y"].mean()).clip(lower=1e-3)
        frame["y"] = frame["y"] / frame["unique_id"].map(scale).to_numpy()
        price_rel = self._price_rel(frame)
        feats = calendar_features(frame["ds"], ctx)
        train = pd.concat([frame[["unique_id", "t", "y"]], feats], axis=1).assign(price_rel=price_rel)
        train = train.rename(columns={"t": "ds"})

        last = frame.groupby("unique_id", sort=False).agg(t=("t", "max"))
        last_rel = pd.Series(price_rel.to_numpy(), index=frame.index).groupby(frame["unique_id"]).last()
        ids = last.index.to_numpy()
        h = len(future)
        fut_ds = pd.Series(np.tile(pd.DatetimeIndex(future).to_numpy(), len(ids)))
        x_df = pd.DataFrame({"unique_id": np.repeat(ids, h),
                             "ds": (np.repeat(last["t"].to_numpy(), h) + np.tile(np.arange(1, h + 1), len(ids)))})
        x_df = pd.concat([x_df, calendar_features(fut_ds, ctx)], axis=1)
        x_df["price_rel"] = np.repeat(last_rel.reindex(ids).fillna(1.0).to_numpy(), h)

        extra: dict[str, Any] = {"tweedie_variance_power": 1.2} if self.objective == "tweedie" else {}
        model = lgb.LGBMRegressor(objective=self.objective, **extra, n_estimators=self.n_estimators,
                                  learning_rate=self.learning_rate, num_leaves=self.num_leaves,
                                  min_child_samples=40, subsample=0.8, subsample_freq=1, colsample_bytree=0.8,
                                  n_jobs=1, force_col_wise=True, max_bin=63,
                                  verbose=-1, random_state=0)
        mlf = MLForecast(models={"lgbm": model}, freq=1,
                         lags=[1, 2, 3, s, 2 * s, 4 * s],
                         lag_transforms={1: [RollingMean(window_size=s), RollingMean(window_size=4 * s),
                                             ExpandingMean()],
                                         s: [SeasonalRollingMean(season_length=s, window_size=4)]})
        X, y = mlf.preprocess(train, static_features=[], dropna=True, return_X_y=True)
        if len(y) == 0:  # too short a history for the longest lag: no rows to learn from, no forecast
            return pd.DataFrame({"unique_id": pd.Series(dtype=object), "ds": pd.Series(dtype="datetime64[ns]"),
                                 "yhat": pd.Series(dtype=float)})
        if len(y) > self.max_train_rows:  # a global model learns shapes: a seeded sample of rows is enough
            keep = np.random.default_rng(0).choice(len(y), self.max_train_rows, replace=False)
            keep.sort()
            X, y = X.iloc[keep], y[keep]
        mlf.fit_models(X, y)
        pred = mlf.predict(h, X_df=x_df)
        pred["yhat"] = (pred["lgbm"].clip(lower=0.0) * pred["unique_id"].map(scale).to_numpy())
        pred["step"] = pred.groupby("unique_id", sort=False).cumcount()
        pred["ds"] = pd.DatetimeIndex(future)[pred["step"].to_numpy()]
        return pred[["unique_id", "ds", "yhat"]]

    @staticmethod
    def _price_rel(frame: pd.DataFrame) -> pd.Series:
        """Price relative to the series' median price, carried forward over days without sales (1 = usual)."""
        if "price" not in frame:
            return pd_ones(len(frame), frame.index)
        price = frame["price"].where(frame["price"] > 0)
        price = price.groupby(frame["unique_id"], sort=False).ffill()
        median = price.groupby(frame["unique_id"], sort=False).transform("median")
        return (price / median).fillna(1.0).clip(0.2, 5.0)


def pd_ones(n: int, index: pd.Index) -> pd.Series:
    import pandas as pd

    return pd.Series(1.0, index=index)
