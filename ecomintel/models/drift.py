"""Drift check: do new reviews still look like what the active model was trained and measured on?

Public API:

    reference = build_reference(train_texts, heldout_texts, heldout_scores)   # at training time
    registry.register(..., files={REFERENCE_FILE: reference.to_json()})
    result = drift_check(registry, model_version, texts, scores)              # e.g. the sentiment agent
    result.drifted, result.psi, result.coverage, result.message, result.severity

Two signals, both against the reference stored with the model version (reference.json):
- score distribution: population stability index (PSI) of the new scores against the held-out scores, over ten
  fixed bins of -1..1. PSI < 0.1 is stable, 0.1–0.25 a moderate shift, ≥ 0.25 a significant one (the usual
  reading of PSI in model monitoring);
- vocabulary coverage: the share of the new texts' words found in the training vocabulary, against the same
  share measured on the held-out reviews. Reviews of another kind of shop use words the model never saw; its
  scores then rest on fewer words and are worth less, even if their distribution looks normal.
Drifted when PSI ≥ 0.25 or coverage fell by more than 0.15 below the reference; fewer than MIN_TEXTS texts are
not enough to say (drifted False, and the message says so).
Why a plain function returning a result (not a Finding): the agent that calls it turns it into its own finding
with evidence; the models package does not import the agents.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ecomintel.models.registry import ModelRegistry

REFERENCE_FILE = "reference.json"
BINS = 10
PSI_DRIFT = 0.25
PSI_MODERATE = 0.1
COVERAGE_DROP = 0.15
MIN_TEXTS = 50
VOCABULARY_SIZE = 30000
_WORD = re.compile(r"[^\W\d_]{2,}")
_EPS = 1e-4


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def histogram(scores: Iterable[float], bins: int = BINS) -> list[float]:
    """Shares of `scores` (clipped to -1..1) in `bins` equal bins of -1..1."""
    counts = [0] * bins
    n = 0
    for s in scores:
        if s is None or not math.isfinite(float(s)):
            continue
        idx = int((min(1.0, max(-1.0, float(s))) + 1.0) / 2.0 * bins)
        counts[min(bins - 1, idx)] += 1
        n += 1
    return [c / n for c in counts] if n else [0.0] * bins


def psi(expected: Sequence[float], actual: Sequence[float]) -> float:
    """Population stability index of two binned distributions (shares); empty bins count as _EPS."""
    total = 0.0
    for e, a in zip(expected, actual, strict=True):
        e, a = max(float(e), _EPS), max(float(a), _EPS)
        total += (a - e) * math.log(a / e)
    return total


def coverage(texts: Iterable[str], vocabulary: frozenset[str] | set[str]) -> float:
    """Share of the texts' words that are in `vocabulary` (1.0 for texts with no words)."""
    known = seen = 0
    for text in texts:
        for w in words(text if isinstance(text, str) else str(text or "")):
            seen += 1
            known += w in vocabulary
    return known / seen if seen else 1.0


@dataclass(frozen=True)
class Reference:
    """What the model version was measured on: its held-out score histogram and the training vocabulary."""

    score_hist: list[float]
    vocabulary: frozenset[str]
    coverage: float
    n: int

    def to_json(self) -> str:
        return json.dumps({"score_hist": self.score_hist, "vocabulary": sorted(self.vocabulary),
                           "coverage": self.coverage, "n": self.n, "bins": BINS})

    @classmethod
    def from_json(cls, text: str) -> Reference:
        data = json.loads(text)
        return cls([float(x) for x in data["score_hist"]], frozenset(data["vocabulary"]), float(data["coverage"]),
                   int(data["n"]))


def build_reference(train_texts: Sequence[str], heldout_texts: Sequence[str], heldout_scores: Sequence[float],
                    vocabulary_size: int = VOCABULARY_SIZE) -> Reference:
    """The reference of a model trained on `train_texts` and scored on the held-out texts."""
    counts: Counter[str] = Counter()
    for text in train_texts:
        counts.update(words(text))
    vocabulary = frozenset(w for w, c in counts.most_common(vocabulary_size) if c >= 2)
    return Reference(histogram(heldout_scores), vocabulary, coverage(heldout_texts, vocabulary), len(heldout_scores))


@dataclass(frozen=True)
class DriftResult:
    """The outcome of one drift check; `message` is one sentence for a finding or a log line."""

    psi: float | None
    coverage: float | None
    reference_coverage: float | None
    drifted: bool
    message: str
    n: int
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def severity(self) -> str:
        return "warning" if self.drifted else "info"


def compare(reference: Reference, texts: Sequence[str], scores: Sequence[float], model_version: str = "") -> DriftResult:
    """Drift of (texts, scores) against `reference` (see the module docstring for the rule)."""
    label = f"model {model_version}" if model_version else "the model"
    n = len(scores)
    if n < MIN_TEXTS:
        return DriftResult(None, None, reference.coverage, False,
                           f"{n} reviews are too few to check drift against {label}'s training data "
                           f"(at least {MIN_TEXTS}).", n)
    value = psi(reference.score_hist, histogram(scores))
    cov = coverage(texts, reference.vocabulary)
    shifted = value >= PSI_DRIFT
    unfamiliar = cov < reference.coverage - COVERAGE_DROP
    parts = []
    if shifted:
        parts.append(f"their sentiment scores are distributed unlike the held-out reviews (PSI {value:.2f} ≥ "
                     f"{PSI_DRIFT})")
    if unfamiliar:
        parts.append(f"only {cov:.0%} of their words are in the training vocabulary (held-out reviews: "
                     f"{reference.coverage:.0%})")
    if parts:
        message = (f"These {n} reviews differ from what {label} was trained on: " + "; ".join(parts)
                   + ". Its scores may be less reliable here; consider training on this shop's rated reviews.")
    else:
        level = "a moderate shift" if value >= PSI_MODERATE else "stable"
        message = (f"{n} reviews look like {label}'s training data (score PSI {value:.2f}, {level}; "
                   f"vocabulary coverage {cov:.0%} vs {reference.coverage:.0%}).")
    return DriftResult(round(value, 4), round(cov, 4), round(reference.coverage, 4), shifted or unfamiliar,
                       message, n, {"psi_threshold": PSI_DRIFT, "coverage_drop": COVERAGE_DROP})


@functools.lru_cache(maxsize=16)
def _read_reference(path: str, mtime_ns: int) -> Reference:
    return Reference.from_json(Path(path).read_text(encoding="utf-8"))


def load_reference(registry: ModelRegistry, model_version: str, tenant_id: int | None = None) -> Reference | None:
    """The version's stored reference (parsed once per file and modification time: it holds ~30k words)."""
    path = registry.artifact_file(model_version, REFERENCE_FILE, tenant_id)
    return None if path is None else _read_reference(str(path), path.stat().st_mtime_ns)


def drift_check(registry: ModelRegistry, model_version: str, texts: Sequence[str], scores: Sequence[float],
                tenant_id: int | None = None) -> DriftResult:
    """Drift of new reviews (their texts and the scores `model_version` gave them) against its reference."""
    reference = load_reference(registry, model_version, tenant_id)
    if reference is None:
        return DriftResult(None, None, None, False,
                           f"Model {model_version} has no training reference on this install; drift not checked.",
                           len(scores))
    return compare(reference, texts, scores, model_version)
