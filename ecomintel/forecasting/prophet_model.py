"""Prophet, one model per series (weekly and, with a year of history, yearly seasonality).

Why it is in the portfolio but not in the default candidates: it is the familiar reference (the bench's
baseline), but fitting it per series costs ~40 ms each, and a backtest fits every candidate several times.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ecomintel.forecasting.protocol import FitContext

if TYPE_CHECKING:
    import pandas as pd


def quiet_prophet() -> None:
    for name in ("prophet", "cmdstanpy"):
        logging.getLogger(name).setLevel(logging.ERROR)
        logging.getLogger(name).propagate = False


def prophet_point(train: pd.DataFrame, future: pd.DatetimeIndex) -> list[float]:
    """Prophet with default settings on one series (`ds`, `y`): the clipped point forecast for `future`."""
    import pandas as pd
    from prophet import Prophet

    quiet_prophet()
    if train["y"].gt(0).sum() < 2:
        return [float(train["y"].mean() if len(train) else 0.0)] * len(future)
    model = Prophet()
    model.fit(train[["ds", "y"]])
    pred = model.predict(pd.DataFrame({"ds": future}))
    return [max(0.0, float(v)) for v in pred["yhat"]]


@dataclass(frozen=True)
class ProphetModel:
    name: str = "prophet"

    def forecast(self, history: pd.DataFrame, future: list[pd.Timestamp], ctx: FitContext) -> pd.DataFrame:
        import pandas as pd

        days = pd.DatetimeIndex(future)
        rows = []
        for uid, group in history.groupby("unique_id", sort=False):
            for ds, value in zip(days, prophet_point(group, days), strict=True):
                rows.append((uid, ds, value))
        return pd.DataFrame(rows, columns=["unique_id", "ds", "yhat"])
