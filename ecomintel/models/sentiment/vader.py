"""VADER (vaderSentiment): the lexicon baseline, and the fallback when no trained model can be had.

Why thresholds as parameters: VADER's customary ±0.05 on the compound score calls most mildly worded reviews
positive; training.py calibrates the neutral band on the training split like it does for the classifier, so
the baseline is compared at its best, and the registered version records the thresholds it used.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ecomintel.models.sentiment.base import SentimentScore
from ecomintel.models.sentiment.guard import judge_text
from ecomintel.models.sentiment.thresholds import Thresholds, label_of


class VaderModel:
    """Compound score in -1..1 → label by the neutral band (negative < low ≤ neutral ≤ high < positive)."""

    name = "vader"

    def __init__(self, thresholds: Thresholds | None = None, version: str = "vader",
                 fallback_reason: str | None = None, binary_cut: float = 0.0) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self.thresholds = thresholds or Thresholds(-0.05, 0.05)
        self.version = version
        self.binary_cut = binary_cut
        self.fallback_reason = fallback_reason
        self._analyzer: Any = SentimentIntensityAnalyzer()

    def raw_scores(self, texts: Sequence[str]) -> list[float]:
        """Compound scores of judgeable texts (others 0.0): what the thresholds are calibrated on."""
        return [float(self._analyzer.polarity_scores(t)["compound"]) if judge_text(t) is None else 0.0
                for t in map(_text, texts)]

    def predict(self, texts: Sequence[str]) -> list[SentimentScore]:
        out: list[SentimentScore] = []
        for text in map(_text, texts):
            reason = judge_text(text)
            if reason is not None:
                out.append(SentimentScore("neutral", 0.0, reason))
                continue
            try:
                score = float(self._analyzer.polarity_scores(text)["compound"])
            except Exception:  # VADER on pathological input: not judged rather than a crash
                out.append(SentimentScore("neutral", 0.0, "could not be scored"))
                continue
            out.append(SentimentScore(label_of(score, self.thresholds), max(-1.0, min(1.0, score)),
                                      self.fallback_reason))
        return out


def _text(value: object) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))
