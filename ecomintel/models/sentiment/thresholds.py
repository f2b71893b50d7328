"""The neutral band: how a score in -1..1 becomes a label, and how the band is calibrated on held-out data.

Why calibrated rather than fixed: a classifier trained with class weights and a lexicon score put "3 stars"
in different places; choosing the band that maximises 3-class macro-F1 on held-out reviews (a grid over the
scores' own quantiles) gives each model its best labels without touching its score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

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


def macro_f1(truth: Any, pred: Any, labels: Sequence[str]) -> float:
    """Macro-F1 over `labels` of two numpy label arrays (sklearn's f1_score, ~100× faster for the calibration
    grids, which call it hundreds of times)."""
    total = 0.0
    for label in labels:
        t, p = truth == label, pred == label
        tp = float((t & p).sum())
        denom = float(t.sum() + p.sum())
        total += 2.0 * tp / denom if denom else 0.0
    return total / len(labels)


def calibrate(scores: Sequence[float] | Any, labels: Sequence[str], grid: int = 40) -> Thresholds:
    """The band with the best 3-class macro-F1 of `scores` against true `labels` (low ≤ high)."""
    import numpy as np

    values = np.asarray(scores, dtype=float)
    truth = np.asarray(labels)
    candidates = np.unique(np.quantile(values, np.linspace(0.01, 0.99, grid))) if len(values) else np.zeros(1)
    best, best_f1 = Thresholds(-0.05, 0.05), -1.0
    for i, low in enumerate(candidates):
        for high in candidates[i:]:
            pred = np.where(values < low, "negative", np.where(values > high, "positive", "neutral"))
            f1 = macro_f1(truth, pred, ("negative", "neutral", "positive"))
            if f1 > best_f1:
                best, best_f1 = Thresholds(float(low), float(high)), f1
    return best


def calibrate_cut(scores: Sequence[float] | Any, labels: Sequence[str], grid: int = 81) -> float:
    """The cut with the best binary macro-F1 (score > cut → positive) over the positive/negative `labels`
    (neutral ones are left out, as the binary figures leave out 3★); 0.0 when one class is missing."""
    import numpy as np

    values = np.asarray(scores, dtype=float)
    truth = np.asarray(labels)
    keep = truth != "neutral"
    values, truth = values[keep], truth[keep]
    if len(set(truth.tolist())) < 2:
        return 0.0
    best, best_f1 = 0.0, -1.0
    for cut in sorted(np.linspace(-0.8, 0.8, grid), key=abs):  # ties: the cut nearest 0
        pred = np.where(values > cut, "positive", "negative")
        f1 = macro_f1(truth, pred, ("negative", "positive"))
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(cut), f1
    return best
