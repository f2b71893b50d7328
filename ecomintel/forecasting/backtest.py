"""Rolling-origin backtest: each candidate forecasts the last windows of history it was not fitted on.

Why rolling origin: a model is chosen for a product by how it forecast that product's own recent past, over
the same horizon the user asks for, not by how well it fits. The windows' errors serve three purposes: the
choice (best model, or an inverse-error weighted ensemble of the best few), the error shown next to the
baselines' on the page, and the conformal intervals (quantiles of the chosen forecast's backtest errors).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ecomintel.forecasting.protocol import FitContext, Forecaster

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

MIN_TRAIN = 14  # trading days a series needs before a backtest origin to take part in that window


@dataclass
class Backtest:
    """`errors`: one row per (window, unique_id, ds) with `y` and one column per candidate's forecast."""

    errors: pd.DataFrame
    models: list[str]
    windows: int


def origins(trading_dates: Sequence[pd.Timestamp], steps: int, windows: int) -> list[int]:
    """Indexes into the sorted trading dates where each window's training data ends (oldest first)."""
    n = len(trading_dates)
    return [n - w * steps - 1 for w in range(windows, 0, -1) if n - w * steps - 1 >= MIN_TRAIN]


def run_backtest(history: pd.DataFrame, candidates: Sequence[Forecaster], ctx: FitContext, steps: int,
                 windows: int, progress: Callable[[float, str], None] | None = None) -> Backtest:
    """Forecast `steps` trading days from each of `windows` origins with every candidate."""
    import pandas as pd

    dates = sorted(pd.DatetimeIndex(history["ds"].unique()))
    parts = []
    cuts = origins(dates, steps, windows)
    total = max(1, len(cuts) * len(candidates))
    done = 0
    for w, cut in enumerate(cuts):
        origin = dates[cut]
        future = list(dates[cut + 1: cut + 1 + steps])
        train = history[history["ds"] <= origin]
        counts = train.groupby("unique_id", sort=False)["y"].size()
        train = train[train["unique_id"].isin(counts[counts >= MIN_TRAIN].index)]
        if train.empty:
            continue
        actual = history[history["ds"].isin(future) & history["unique_id"].isin(train["unique_id"].unique())]
        merged = actual[["unique_id", "ds", "y"]].copy()
        for model in candidates:
            if progress is not None:
                progress(done / total, f"backtest window {w + 1}/{len(cuts)}: {model.name}")
            pred = model.forecast(train, future, ctx).rename(columns={"yhat": model.name})
            merged = merged.merge(pred, on=["unique_id", "ds"], how="left")
            done += 1
        merged["window"] = w
        parts.append(merged)
    names = [m.name for m in candidates]
    errors = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["unique_id", "ds", "y", *names, "window"])
    errors[names] = errors[names].fillna(0.0)
    return Backtest(errors, names, len(cuts))


def choose(bt: Backtest, top_k: int = 3, power: float = 1.0, shrink: float = 0.5,
           among: Sequence[str] | None = None) -> pd.DataFrame:
    """Per series, the weights of the `top_k` candidates with the lowest backtest error, ∝ 1 / error^power.

    The error is the series' MAE relative to its own mean demand, shrunk towards the same error pooled over
    all series (`shrink` = the pooled share): two windows of one product are a noisy judge, and a choice made
    per product on noise forecasts worse than one model for all. Columns unique_id + one weight per model
    (rows sum to 1)."""
    import numpy as np
    import pandas as pd

    models = list(among or bt.models)
    if bt.errors.empty:
        return pd.DataFrame(columns=["unique_id", *models])
    err = bt.errors.copy()
    for m in models:
        err[m] = (err[m] - err["y"]).abs()
    per = err.groupby("unique_id", sort=False)[models].mean()
    level = bt.errors.groupby("unique_id", sort=False)["y"].mean().reindex(per.index).clip(lower=1e-3)
    rel = per.div(level, axis=0)
    values = (1 - shrink) * rel.to_numpy() + shrink * rel.mean(axis=0).to_numpy()[None, :]
    ranks = values.argsort(axis=1).argsort(axis=1)
    floor = np.maximum(values.min(axis=1, keepdims=True) * 0.05, 1e-6)
    inv = 1.0 / np.maximum(values, floor) ** power
    inv[ranks >= top_k] = 0.0
    weights = inv / inv.sum(axis=1, keepdims=True)
    out = pd.DataFrame(weights, index=per.index, columns=models).reset_index()
    return out


def combine(preds: pd.DataFrame, weights: pd.DataFrame, models: Sequence[str],
            fallback: dict[str, float]) -> np.ndarray:
    """The weighted forecast of each row of `preds` (which carries one column per model); series without
    weights (too short to backtest) use `fallback`."""
    import numpy as np

    w = preds[["unique_id"]].merge(weights, on="unique_id", how="left")
    total = np.zeros(len(preds))
    for m in models:
        col = w[m].to_numpy(dtype=float) if m in w else np.full(len(preds), np.nan)
        col = np.where(np.isnan(col), fallback.get(m, 0.0), col)
        total += col * preds[m].to_numpy(dtype=float)
    return total
