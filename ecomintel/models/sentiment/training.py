"""Train, evaluate and register the sentiment models; the registry activates the best on held-out data.

`ecomintel models train sentiment [--data FILE]` and the first use of `load_active_model` both call
`train_sentiment`: read a rated reviews file (default: the shipped sample data/samples/clothing_reviews_3000.csv;
labels from stars: ≥4 positive, ≤2 negative, 3 neutral), split it (seeded, stratified, 20% held out), fit the
TF-IDF classifier on the rest, calibrate VADER's neutral band and binary cut on the same training part, and —
when ECOMINTEL_SENTIMENT_TRANSFORMERS_MODEL is set — calibrate the transformers model too. Every candidate is
measured on the same held-out reviews (`evaluate`), registered with its metrics, params, the training data's
fingerprint and a drift reference (held-out score histogram + training vocabulary), and the registry activates
the one ranked first by binary macro-F1 (RANKINGS in ecomintel/models/registry.py).

Metric definitions (bench/sentiment.py uses the same `evaluate`):
- binary accuracy / macro-F1: reviews with 3★ left out; a review is called positive when its score is above the
  model's calibrated binary cut (texts the guard did not judge score 0);
- 3-class accuracy / macro-F1: the model's labels (its calibrated neutral band) against the star labels;
- throughput: reviews per second through `predict` (guard included), one process, wall time.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ecomintel.errors import InputError
from ecomintel.models.registry import fingerprint

if TYPE_CHECKING:
    from ecomintel.config import Settings
    from ecomintel.models.registry import ModelRegistry, ModelVersion
    from ecomintel.models.sentiment.base import SentimentModel

SAMPLE_REVIEWS = Path(__file__).resolve().parents[3] / "data" / "samples" / "clothing_reviews_3000.csv"
TEST_SHARE = 0.2
SEED = 42
CALIBRATION_CAP = 4000  # texts VADER / transformers thresholds are calibrated on (a seeded sample of training)
MIN_PER_CLASS = 5


@dataclass(frozen=True)
class LabelledReviews:
    """Texts with their star labels, from one file."""

    texts: list[str]
    labels: list[str]
    source: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(f"{t}\x1e{y}" for t, y in zip(self.texts, self.labels, strict=True))


@dataclass(frozen=True)
class Split:
    train_x: list[str]
    train_y: list[str]
    test_x: list[str]
    test_y: list[str]

    @property
    def eval_fingerprint(self) -> str:
        return fingerprint(f"{t}\x1e{y}" for t, y in zip(self.test_x, self.test_y, strict=True))


def labelled_reviews(path: str | Path, *, max_mb: int = 200) -> LabelledReviews:
    """Rows of a rated reviews file that have text and a rating, labelled from the rating."""
    from ecomintel.models.sentiment.reviews_file import rating_label, read_reviews

    data = read_reviews(path, max_mb=max_mb)
    if data.rating_column is None:
        raise InputError(f"{Path(path).name} has no rating column to learn from.",
                         "Training needs star ratings (1–5) next to the review texts.")
    texts, labels = [], []
    for text, rating in zip(data.texts(), data.ratings(), strict=True):
        label = rating_label(rating)
        if text.strip() and label is not None:
            texts.append(text)
            labels.append(label)
    counts = {lab: labels.count(lab) for lab in ("negative", "neutral", "positive")}
    if min(counts.values()) < MIN_PER_CLASS:
        raise InputError(f"{Path(path).name} has too few reviews of some class to train on ({counts}).",
                         f"Each of negative/neutral/positive needs at least {MIN_PER_CLASS} rated reviews.")
    return LabelledReviews(texts, labels, Path(path).name)


def split(data: LabelledReviews, test_share: float = TEST_SHARE, seed: int = SEED) -> Split:
    """Seeded, stratified hold-out split."""
    from sklearn.model_selection import train_test_split

    tr_x, te_x, tr_y, te_y = train_test_split(data.texts, data.labels, test_size=test_share, random_state=seed,
                                              stratify=data.labels)
    return Split(list(tr_x), list(tr_y), list(te_x), list(te_y))


def evaluate(model: SentimentModel, texts: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """Held-out figures of `model` (see the module docstring), plus its scores for the drift reference."""
    import numpy as np
    from sklearn.metrics import accuracy_score, f1_score

    started = time.perf_counter()
    results = model.predict(list(texts))
    elapsed = max(time.perf_counter() - started, 1e-9)
    truth = np.asarray(labels)
    scores = np.asarray([r.score for r in results], dtype=float)
    pred3 = np.asarray([r.label for r in results])
    cut = float(getattr(model, "binary_cut", 0.0))
    keep = truth != "neutral"
    binary = np.where(scores[keep] > cut, "positive", "negative")
    return {
        "binary_accuracy": round(float(accuracy_score(truth[keep], binary)), 4),
        "binary_macro_f1": round(float(f1_score(truth[keep], binary, average="macro", zero_division=0)), 4),
        "accuracy": round(float(accuracy_score(truth, pred3)), 4),
        "macro_f1": round(float(f1_score(truth, pred3, average="macro", zero_division=0,
                                         labels=["negative", "neutral", "positive"])), 4),
        "reviews_per_s": round(len(results) / elapsed, 1),
        "n_test": len(results),
        "n_binary": int(keep.sum()),
        "not_judged": int(sum(r.reason is not None for r in results)),
        "_scores": scores.tolist(),
    }


def majority_metrics(train_y: Sequence[str], test_y: Sequence[str]) -> dict[str, Any]:
    """The majority-class baseline: every review gets the most common training label."""
    import numpy as np
    from sklearn.metrics import accuracy_score, f1_score

    values, counts = np.unique(np.asarray(train_y), return_counts=True)
    majority = str(values[counts.argmax()])
    truth = np.asarray(test_y)
    keep = truth != "neutral"
    binary_guess = majority if majority != "neutral" else "positive"
    return {
        "binary_accuracy": round(float(accuracy_score(truth[keep], [binary_guess] * int(keep.sum()))), 4),
        "binary_macro_f1": round(float(f1_score(truth[keep], [binary_guess] * int(keep.sum()), average="macro",
                                                zero_division=0)), 4),
        "accuracy": round(float(accuracy_score(truth, [majority] * len(truth))), 4),
        "macro_f1": round(float(f1_score(truth, [majority] * len(truth), average="macro", zero_division=0,
                                         labels=["negative", "neutral", "positive"])), 4),
        "label": majority,
    }


def _calibration_sample(data: Split, seed: int) -> tuple[list[str], list[str]]:
    import random

    idx = list(range(len(data.train_x)))
    random.Random(seed).shuffle(idx)
    idx = idx[:CALIBRATION_CAP]
    return [data.train_x[i] for i in idx], [data.train_y[i] for i in idx]


def fit_vader(data: Split, seed: int = SEED) -> Any:
    """VADER with its neutral band and binary cut calibrated on (a sample of) the training part."""
    from ecomintel.models.sentiment.thresholds import calibrate, calibrate_cut
    from ecomintel.models.sentiment.vader import VaderModel

    model = VaderModel()
    x, y = _calibration_sample(data, seed)
    raw = model.raw_scores(x)
    model.thresholds = calibrate(raw, y)
    model.binary_cut = calibrate_cut(raw, y)
    return model


def fit_transformers(source: str, data: Split, seed: int = SEED, cap: int = 500) -> Any:
    """The configured transformers model with thresholds calibrated on `cap` training reviews."""
    from ecomintel.models.sentiment.thresholds import calibrate, calibrate_cut
    from ecomintel.models.sentiment.transformer import TransformersSentiment

    model = TransformersSentiment(source)
    x, y = _calibration_sample(data, seed)
    raw = model.raw_scores(x[:cap])
    model.thresholds = calibrate(raw, y[:cap])
    model.binary_cut = calibrate_cut(raw, y[:cap])
    return model


@dataclass
class TrainResult:
    """What a training run registered, which version is active now, and the majority baseline."""

    registered: list[ModelVersion] = field(default_factory=list)
    active: ModelVersion | None = None
    baseline: dict[str, Any] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def train_sentiment(registry: ModelRegistry, settings: Settings, path: str | Path | None = None, *,
                    seed: int = SEED, activate: bool = True, include_vader: bool = True) -> TrainResult:
    """Train/calibrate every candidate on one split, register each with held-out metrics, activate the best."""
    from ecomintel.models.drift import REFERENCE_FILE, build_reference
    from ecomintel.models.sentiment.base import KIND
    from ecomintel.models.sentiment.linear import LinearParams, fit_linear

    source = Path(path) if path is not None else SAMPLE_REVIEWS
    data = labelled_reviews(source, max_mb=settings.max_upload_mb)
    parts = split(data, seed=seed)
    result = TrainResult(baseline=majority_metrics(parts.train_y, parts.test_y))
    common = {"eval_fingerprint": parts.eval_fingerprint, "train_source": data.source,
              "n_train": len(parts.train_x), "test_share": TEST_SHARE, "seed": seed}
    candidates: list[tuple[str, Any, dict[str, Any], Any]] = []
    params = LinearParams(seed=seed)
    linear = fit_linear(parts.train_x, parts.train_y, params)
    candidates.append(("tfidf-lr", linear, {**params.as_dict(), "thresholds": linear.thresholds.as_dict(),
                                            "binary_cut": linear.binary_cut}, linear))
    if include_vader:
        vader = fit_vader(parts, seed)
        candidates.append(("vader", vader, {"thresholds": vader.thresholds.as_dict(), "binary_cut": vader.binary_cut},
                           None))
    if settings.sentiment_transformers_model:
        try:
            hf = fit_transformers(settings.sentiment_transformers_model, parts, seed)
            candidates.append(("transformers", hf, {"model": settings.sentiment_transformers_model,
                                                    "thresholds": hf.thresholds.as_dict(),
                                                    "binary_cut": hf.binary_cut}, None))
        except Exception as exc:  # a configured but unusable model is reported, the others still train
            result.skipped.append(f"transformers model {settings.sentiment_transformers_model}: {exc}"[:300])
    for name, model, model_params, artifact in candidates:
        metrics = evaluate(model, parts.test_x, parts.test_y)
        scores = metrics.pop("_scores")
        reference = build_reference(parts.train_x, parts.test_x, scores)
        mv = registry.register(KIND, name, params=model_params, data_fingerprint=data.fingerprint,
                               metrics={**metrics, **common, "majority_binary_macro_f1":
                                        result.baseline["binary_macro_f1"]},
                               artifact=artifact, files={REFERENCE_FILE: reference.to_json()},
                               note=f"trained on {data.source} ({len(parts.train_x)} reviews)")
        result.registered.append(mv)
    result.active = registry.activate_best(KIND) if activate else registry.active(KIND)
    return result


def train_default(registry: ModelRegistry, settings: Settings) -> ModelVersion:
    """First use: train on the shipped sample and return the version that became active."""
    result = train_sentiment(registry, settings)
    if result.active is None:
        raise InputError("Training registered no sentiment model with held-out metrics.")
    return result.active
