"""Forecast errors: sMAPE, MAE and MASE (scaled by the in-sample seasonal naive error, season 7 days).

Why MASE: it compares across products of any size (a 3-unit and a 300-unit product weigh the same) and says
whether a model beats "same as last week" (MASE < 1) on the product's own history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


def smape(actual: npt.ArrayLike, forecast: npt.ArrayLike) -> float:
    """Mean of 2|y − f| / (|y| + |f|) in percent; a day where both are 0 counts as 0."""
    import numpy as np

    y, f = np.asarray(actual, dtype=float), np.asarray(forecast, dtype=float)
    den = np.abs(y) + np.abs(f)
    terms = np.where(den > 0, 2 * np.abs(y - f) / np.where(den > 0, den, 1.0), 0.0)
    return float(100 * terms.mean()) if len(terms) else float("nan")


def mae(actual: npt.ArrayLike, forecast: npt.ArrayLike) -> float:
    import numpy as np

    y, f = np.asarray(actual, dtype=float), np.asarray(forecast, dtype=float)
    return float(np.abs(y - f).mean()) if len(y) else float("nan")


def mase_scale(history: npt.ArrayLike, season: int = 7) -> float:
    """Mean absolute error of the in-sample seasonal naive forecast (y_t − y_{t−season}); nan if undefined."""
    import numpy as np

    y = np.asarray(history, dtype=float)
    if len(y) <= season:
        return float("nan")
    scale = float(np.abs(y[season:] - y[:-season]).mean())
    return scale if scale > 0 else float("nan")


def mase(actual: npt.ArrayLike, forecast: npt.ArrayLike, history: npt.ArrayLike, season: int = 7) -> float:
    return mae(actual, forecast) / mase_scale(history, season)


def coverage(actual: npt.ArrayLike, lo: npt.ArrayLike, hi: npt.ArrayLike) -> float:
    """Share of days whose actual value lies inside [lo, hi]."""
    import numpy as np

    y = np.asarray(actual, dtype=float)
    inside: np.ndarray = (y >= np.asarray(lo, dtype=float) - 1e-9) & (y <= np.asarray(hi, dtype=float) + 1e-9)
    return float(inside.mean()) if len(y) else float("nan")
