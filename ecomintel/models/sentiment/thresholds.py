"""The neutral band: how a score in -1..1 becomes a label, and how the band is calibrated on held-out data.

Why calibrated rather than fixed: a classifier trained with class weights and a lexicon score put "3 stars"
in different places; choosing the band that maximises 3-class macro-F1 on held-out reviews (a grid over the
scores' own quantiles) gives each model its best labels without touching its score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Label = Literal["positive", "neutral", "negative"]


@dataclass(frozen=True)
class Thresholds:
    """score < low → negative; score > high → positive; otherwise neutral."""

    low: float
    high: float

    def as_dict(self) -> dict[str, float]:
        return {"low": self.low, "high": self.high}


def label_of(score: float, band: Thresholds) -> Label:
    if score < band.low:
        return "negative"
    if score > band.high:
        return "positive"
    return "neutral"


def calibrate(scores: Sequence[float], labels: Sequence[str], grid: int = 40) -> Thresholds:
    """The band with the best 3-class macro-F1 of `scores` against true `labels` (low ≤ high)."""
    import numpy as np
    from sklearn.metrics import f1_score

    values = np.asarray(scores, dtype=float)
    truth = np.asarray(labels)
    candidates = np.unique(np.quantile(values, np.linspace(0.01, 0.99, grid)))
    best, best_f1 = Thresholds(-0.05, 0.05), -1.0
    for i, low in enumerate(candidates):
        for high in candidates[i:]:
            pred = np.where(values < low, "negative", np.where(values > high, "positive", "neutral"))
            f1 = f1_score(truth, pred, average="macro", labels=["negative", "neutral", "positive"], zero_division=0)
            if f1 > best_f1:
                best, best_f1 = Thresholds(float(low), float(high)), float(f1)
    return best
