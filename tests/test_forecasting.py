"""Forecasters and the portfolio on synthetic series with a known weekly pattern; backtest selection;
stockout math against known distributions."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecomintel.forecasting.backtest import Backtest, choose
from ecomintel.forecasting.calendar import TradingCalendar, learn_calendar
from ecomintel.forecasting.inventory import (
    advise,
    demand_over,
    normal_cdf,
    normal_quantile,
    reorder_point,
    stockout_probability,
)
from ecomintel.forecasting.metrics import mase, mase_scale, smape
from ecomintel.forecasting.portfolio import forecast_panel
from ecomintel.forecasting.seasonality import seasonality

PATTERN = np.array([20.0, 24, 24, 30, 16, 0, 10])  # Monday..Sunday; Saturday closed


def panel(days: int = 210, n: int = 6, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(history, the next 28 days) of n Poisson series with the weekly PATTERN scaled per series."""
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2011-01-03", periods=days + 28, freq="D")
    rows = []
    for i in range(n):
        lam = PATTERN[idx.dayofweek] * (0.3 + i * 0.4)
        rows.append(pd.DataFrame({"unique_id": f"s{i}", "ds": idx, "y": rng.poisson(lam).astype(float)}))
    full = pd.concat(rows, ignore_index=True)
    cut = idx[days - 1]
    return full[full["ds"] <= cut].reset_index(drop=True), full[full["ds"] > cut].reset_index(drop=True)


def calendar_of(history: pd.DataFrame) -> TradingCalendar:
    total = history.groupby("ds")["y"].sum()
    return learn_calendar(total, None)


def test_calendar_finds_the_closed_weekday_and_holiday_closures() -> None:
    history, _ = panel()
    assert calendar_of(history).closed_weekdays == frozenset({5})
    # a UK shop closed on the bank holidays of its history is closed on the next ones too
    idx = pd.date_range("2011-01-03", "2011-09-30", freq="D")
    total = pd.Series(10.0, index=idx)
    for d in ("2011-04-22", "2011-04-25", "2011-05-02", "2011-05-30", "2011-08-29"):
        total[pd.Timestamp(d)] = 0.0
    cal = learn_calendar(total, "United Kingdom")
    assert not cal.is_open(pd.Timestamp("2011-12-26").date()) and cal.is_open(pd.Timestamp("2011-12-23").date())


@pytest.mark.parametrize("candidates", [("recent_median", "weekday_median", "weekday_q60", "weekday_profile"),
                                        ("global_lgbm", "weekday_profile", "tsb", "seasonal_naive")])
def test_portfolio_forecasts_are_non_negative_zero_when_closed_and_beat_naive(candidates: tuple[str, ...]) -> None:
    history, future = panel()
    fc = forecast_panel(history, calendar_of(history), horizon=28, candidates=candidates)
    out = fc.forecast
    assert len(out) == 6 * 28 and out["ds"].nunique() == 28
    cols = ["yhat", "mean", "lo80", "hi80", "lo95", "hi95"]
    assert (out[cols] >= 0).all().all()
    saturdays = out["ds"].dt.dayofweek == 5
    assert (out.loc[saturdays, cols] == 0).all().all() and not out.loc[saturdays, "open"].any()
    assert ((out["lo95"] <= out["lo80"] + 1e-9) & (out["lo80"] <= out["yhat"] + 1e-9)
            & (out["yhat"] <= out["hi80"] + 1e-9) & (out["hi80"] <= out["hi95"] + 1e-9)).all()
    merged = future.merge(out, on=["unique_id", "ds"])
    opened = merged[merged["open"]]
    cover80 = ((opened["y"] >= opened["lo80"]) & (opened["y"] <= opened["hi80"])).mean()
    cover95 = ((opened["y"] >= opened["lo95"]) & (opened["y"] <= opened["hi95"])).mean()
    assert 0.6 <= cover80 <= 0.97 and cover95 >= cover80  # Poisson noise: intervals roughly calibrated
    # the weekly shape is learned: Thursday (30) forecast above Friday (16) for the biggest series
    big = out[(out["unique_id"] == "s5") & out["open"]]
    by_day = big.groupby(big["ds"].dt.dayofweek)["yhat"].mean()
    assert by_day[3] > by_day[4]
    # better than the seasonal naive forecast on these series
    ours, naive = [], []
    for uid, g in merged.groupby("unique_id"):
        h = history[history["unique_id"] == uid]["y"].to_numpy()
        ours.append(mase(g["y"], g["yhat"], h))
        naive.append(mase(g["y"], np.resize(h[-7:], len(g)), h))
    assert np.mean(ours) < np.mean(naive)
    assert set(fc.choice["unique_id"]) == {f"s{i}" for i in range(6)}
    assert fc.choice["backtest_mase"].notna().all() and fc.choice["model"].str.len().gt(0).all()


def test_choose_weights_the_better_model_and_shrinks_towards_the_pooled_error() -> None:
    rows = []
    for uid in ("a", "b"):
        for t in range(20):
            y = 10.0
            rows.append({"unique_id": uid, "ds": t, "y": y, "window": 0, "good": y + (0.5 if uid == "a" else 3.0),
                         "bad": y + (4.0 if uid == "a" else 2.0)})
    bt = Backtest(pd.DataFrame(rows), ["good", "bad"], 1)
    w = choose(bt, top_k=1, shrink=0.0).set_index("unique_id")
    assert w.loc["a", "good"] == 1.0 and w.loc["b", "bad"] == 1.0  # each series' own best
    pooled = choose(bt, top_k=1, shrink=1.0).set_index("unique_id")  # pooled: "good" (1.75) beats "bad" (3.0)
    assert (pooled["good"] == 1.0).all()
    both = choose(bt, top_k=2, shrink=0.0).set_index("unique_id")
    assert both.loc["a", "good"] == pytest.approx(4.0 / 4.5) and np.allclose(both.sum(axis=1), 1.0)


def test_metrics_on_hand_computed_values() -> None:
    assert smape([0, 10], [0, 30]) == pytest.approx(50.0)  # (0 + 2*20/40) / 2
    assert mase_scale([1, 2, 3, 4, 5, 6, 7, 3, 2, 3, 4, 5, 6, 7], 7) == pytest.approx(2 / 7)
    assert math.isnan(mase_scale([5] * 14, 7))


def test_stockout_math_matches_the_normal_distribution() -> None:
    assert normal_cdf(1.959963984540054) == pytest.approx(0.975, abs=1e-9)
    assert normal_quantile(0.95) == pytest.approx(1.6448536269514722, abs=1e-8)
    assert normal_quantile(0.001) == pytest.approx(-3.090232306167813, abs=1e-7)
    # demand over 4 days of mean 10, sd 3 each: N(40, 6); stock 46 = one sd above the mean
    mu, sigma = demand_over([10.0] * 7, [3.0] * 7, 4)
    assert (mu, sigma) == (pytest.approx(40.0), pytest.approx(6.0))
    assert stockout_probability(46, mu, sigma) == pytest.approx(1 - 0.8413447460685429, abs=1e-9)
    assert reorder_point(mu, sigma, 0.95) == pytest.approx(40 + 1.6448536 * 6, abs=1e-5)
    # days past the forecast repeat its average
    assert demand_over([10.0, 20.0], [1.0, 1.0], 4)[0] == pytest.approx(60.0)


@settings(max_examples=60, deadline=None)
@given(st.floats(0, 500), st.floats(0.1, 50), st.floats(0.1, 50), st.integers(1, 30))
def test_advice_is_monotone_in_stock(stock: float, mean: float, spread: float, lead: int) -> None:
    points = [mean] * 40
    hi95 = [mean + 1.96 * spread] * 40
    low = advise("X", stock, lead, points, points, hi95)
    high = advise("X", stock + 50, lead, points, points, hi95)
    assert 0.0 <= high.stockout_probability <= low.stockout_probability <= 1.0
    assert high.suggested_order <= low.suggested_order and low.suggested_order >= 0
    assert low.reorder_point >= low.lead_time_demand  # service level 95% > 50%


def test_advice_days_of_cover_and_order() -> None:
    a = advise("X", 95, 7, [10.0] * 28, [10.0] * 28, [10.0] * 28, 0.95)
    assert a.days_of_cover == 9  # cumulative demand passes 95 on day 10
    # sd per day = sqrt(10) (Poisson floor); order up to the 95% quantile of 14 days of demand minus stock
    want = math.ceil(140 + 1.6448536 * math.sqrt(140) - 95)
    assert a.suggested_order == want and a.lead_time_demand == 70


def test_seasonality_strength_and_peaks() -> None:
    history, _ = panel(days=140, n=6)
    s5 = history[history["unique_id"] == "s5"].set_index("ds")["y"]
    s = seasonality(s5, frozenset({5}))
    assert s.peak_weekdays[0] == "Thursday" and s.weekly_strength is not None and s.weekly_strength > 0.5
    flat = pd.Series(np.random.default_rng(0).poisson(10, 140).astype(float), index=s5.index)
    assert seasonality(flat).weekly_strength < s.weekly_strength
    assert s.yearly_strength is None and any("two years" in n for n in s.notes)
