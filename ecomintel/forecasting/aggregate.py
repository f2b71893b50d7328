"""Weekly grain from a daily forecast: sums per ISO week (Monday first).

Why from the daily forecast: one model fit serves both grains. A week's point forecast is the sum of its
days' means (the median of a sum is not the sum of medians; the mean of a sum is the sum of means); its
intervals are normal around it with the days' variances summed (σ_t from each day's 95% interval, as in
inventory.py). A partial first or last week says how many of its days the forecast covers.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ecomintel.forecasting.inventory import daily_sd

if TYPE_CHECKING:
    import pandas as pd

Z80, Z95 = 1.2815515655446004, 1.959963984540054


def weekly(daily: pd.DataFrame) -> pd.DataFrame:
    """`daily`: ds, yhat, mean, lo80, hi80, lo95, hi95 (one series). Returns week (Monday), days, yhat, lo80,
    hi80, lo95, hi95."""
    import pandas as pd

    frame = daily.copy()
    frame["week"] = pd.to_datetime(frame["ds"]) - pd.to_timedelta(pd.to_datetime(frame["ds"]).dt.dayofweek, unit="D")
    frame["var"] = [daily_sd(p, m, h) ** 2 for p, m, h in zip(frame["yhat"], frame["mean"], frame["hi95"],
                                                              strict=True)]
    rows = []
    for week, g in frame.groupby("week", sort=True):
        mu, sd = float(g["mean"].sum()), math.sqrt(float(g["var"].sum()))
        rows.append({"week": pd.Timestamp(str(week)).date(), "days": len(g), "yhat": mu,
                     "lo80": max(0.0, mu - Z80 * sd), "hi80": mu + Z80 * sd,
                     "lo95": max(0.0, mu - Z95 * sd), "hi95": mu + Z95 * sd})
    return pd.DataFrame(rows, columns=["week", "days", "yhat", "lo80", "hi80", "lo95", "hi95"])
