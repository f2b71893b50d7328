"""The Forecaster protocol every model implements, and the name → forecaster table.

Why one protocol over panels (many series at once): statsforecast and mlforecast fit many series in one
call (vectorised, numba-compiled), and the global model *needs* every series together; a per-series
interface would throw that away. A forecaster receives the trading-day history of all series and the future
trading days, and returns one point forecast per series and day. Intervals are not its job: the portfolio
calibrates them from backtest errors (conformal), the same way for every model, so an ensemble of models
gets honest intervals too.

History frame: columns `unique_id` (str), `ds` (datetime64, trading days only, ascending per series), `y`
(units, ≥ 0) and optionally `price`. Forecast frame: `unique_id`, `ds`, `yhat`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import pandas as pd

    from ecomintel.forecasting.calendar import TradingCalendar


@dataclass(frozen=True)
class FitContext:
    """What a forecaster may know besides the history: the calendar and the season length in trading days."""

    calendar: TradingCalendar
    season: int  # trading days per week (7 for a shop open daily, 6 for the Online Retail shop)
    threads: int = 2


class Forecaster(Protocol):
    """A demand model. `forecast` must not return negative values or skip a series of `history`."""

    @property
    def name(self) -> str: ...

    def forecast(self, history: pd.DataFrame, future: list[pd.Timestamp], ctx: FitContext) -> pd.DataFrame: ...
