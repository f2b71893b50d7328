"""Sentiment over time: the trend of the monthly mean score, and the products whose reviews got worse.

Why a two-window test per product: "got worse" must mean more than one bad review. A product is worse when its
mean score in the recent window is lower than in the earlier one by at least `MIN_DROP`, with at least
`MIN_REVIEWS` reviews in each window, and the drop is large against its noise (Welch z ≤ −2). The windows are
the question's two periods when it names them, else the latest quarter of the review dates against everything
before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

MIN_REVIEWS = 5
MIN_DROP = 0.15
Z_WORSE = -2.0


@dataclass(frozen=True)
class Windows:
    earlier: tuple[date, date]
    recent: tuple[date, date]

    def text(self) -> str:
        return (f"{self.recent[0]}..{self.recent[1]} vs {self.earlier[0]}..{self.earlier[1]}")


def default_windows(first: date, last: date) -> Windows | None:
    """The latest quarter of the span (at least 30 days) against everything before; None when too short."""
    span = (last - first).days
    if span < 60:
        return None
    recent_days = max(30, span // 4)
    split = last - timedelta(days=recent_days - 1)
    return Windows((first, split - timedelta(days=1)), (split, last))


def worsening_products(frame: pd.DataFrame, windows: Windows) -> pd.DataFrame:
    """Products (key column `product`) whose score fell between the windows; frame: product, created_at, score,
    label. Columns: product, earlier_reviews, recent_reviews, earlier_mean, recent_mean, change, z,
    earlier_negative_pct, recent_negative_pct, worse (bool); most worsened first."""
    cols = ["product", "earlier_reviews", "recent_reviews", "earlier_mean", "recent_mean", "change", "z",
            "earlier_negative_pct", "recent_negative_pct", "worse"]
    day = pd.to_datetime(frame["created_at"], errors="coerce").dt.date
    scored = frame.assign(day=day).dropna(subset=["day", "score"])
    if scored.empty:
        return pd.DataFrame(columns=cols)
    early = scored[(scored["day"] >= windows.earlier[0]) & (scored["day"] <= windows.earlier[1])]
    late = scored[(scored["day"] >= windows.recent[0]) & (scored["day"] <= windows.recent[1])]

    def stats(part: pd.DataFrame) -> pd.DataFrame:
        return part.groupby("product").agg(n=("score", "size"), mean=("score", "mean"), var=("score", "var"),
                                           neg=("label", lambda s: float((s == "negative").mean() * 100)))

    both = stats(early).join(stats(late), lsuffix="_e", rsuffix="_r", how="inner")
    both = both[(both["n_e"] >= MIN_REVIEWS) & (both["n_r"] >= MIN_REVIEWS)]
    if both.empty:
        return pd.DataFrame(columns=cols)
    change = both["mean_r"] - both["mean_e"]
    noise = np.sqrt(both["var_e"].fillna(0).clip(lower=0.05) / both["n_e"]
                    + both["var_r"].fillna(0).clip(lower=0.05) / both["n_r"])
    z = change / noise
    out = pd.DataFrame({
        "product": both.index.astype(str), "earlier_reviews": both["n_e"].astype(int).to_numpy(),
        "recent_reviews": both["n_r"].astype(int).to_numpy(), "earlier_mean": both["mean_e"].round(3).to_numpy(),
        "recent_mean": both["mean_r"].round(3).to_numpy(), "change": change.round(3).to_numpy(),
        "z": z.round(2).to_numpy(), "earlier_negative_pct": both["neg_e"].round(1).to_numpy(),
        "recent_negative_pct": both["neg_r"].round(1).to_numpy(),
        "worse": ((change <= -MIN_DROP) & (z <= Z_WORSE)).to_numpy()})
    return out.sort_values(["z", "product"]).reset_index(drop=True)


def monthly_slope(keys: list[str], means: list[float], counts: list[int]) -> float | None:
    """Change of the mean score per month (least squares weighted by review count); None with < 3 months."""
    if len(keys) < 3:
        return None
    x = np.array([int(k[:4]) * 12 + int(k[5:7]) for k in keys], dtype=float)
    y, w = np.array(means, dtype=float), np.sqrt(np.array(counts, dtype=float))
    slope, _ = np.polyfit(x, y, 1, w=w)
    return float(slope)
