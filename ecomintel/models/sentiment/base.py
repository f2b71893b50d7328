"""The sentiment types every model module shares: SentimentScore, the SentimentModel protocol, the labels.

Why apart from the package's __init__: the models (linear, vader, transformer) and training import these
types, and the package's `load_active_model` imports the models; keeping the types here keeps that acyclic.
Import them from `ecomintel.models.sentiment` (re-exported there).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ecomintel.models.sentiment.thresholds import Label

LABELS: tuple[Label, ...] = ("negative", "neutral", "positive")
KIND = "sentiment"


@dataclass(frozen=True, slots=True)
class SentimentScore:
    """A text's sentiment: its label, a score in -1..1 and, when it was not judged normally, why."""

    label: Label
    score: float
    reason: str | None = None


@runtime_checkable
class SentimentModel(Protocol):
    """What every sentiment model offers. `version` is its registry version (what review_scores stores)."""

    name: str
    version: str

    def predict(self, texts: Sequence[str]) -> list[SentimentScore]: ...
