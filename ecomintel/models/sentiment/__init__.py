"""Review sentiment models behind one protocol, chosen by measured metrics (issue 9).

Public API:

    SentimentScore(label, score, reason)   label "positive" | "neutral" | "negative"; score in -1..1
                                           (negative..positive); reason says why when the model did not judge
                                           the text (too short, another language) or fell back
    SentimentModel (protocol)              name, version, predict(texts) -> list[SentimentScore] (same order,
                                           same length; never raises on odd text)
    load_active_model(settings)            the registry's active sentiment model; on first use (no version yet)
                                           trains the default classifier from the shipped sample and registers
                                           it with VADER as the baseline; falls back to VADER (its `reason` set)
                                           when training is impossible
    judge_text(text)                       the reason a text cannot be judged, or None (shared by every model)
(the types live in base.py so the model modules can import them without a cycle; import them from here)

The models (each one file): linear.py — TF-IDF word + char n-grams with negation marking, logistic regression
with class weights and thresholds calibrated on held-out data (the default); vader.py — the lexicon baseline;
transformer.py — a transformers text-classification pipeline from a local path (optional extra).
training.py trains and evaluates them on the same held-out split and registers each; the registry activates the
best by binary macro-F1 (ecomintel/models/registry.py RANKINGS).

Why a text-level guard before every model: a classifier trained on English reviews returns a confident guess for
"Sehr gut" or "ok" too; those are labelled neutral with a reason instead of being guessed.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from ecomintel.models.sentiment.base import KIND, LABELS, SentimentModel, SentimentScore
from ecomintel.models.sentiment.guard import judge_text
from ecomintel.models.sentiment.thresholds import Label

if TYPE_CHECKING:
    import sqlalchemy as sa

    from ecomintel.config import Settings

__all__ = ["KIND", "LABELS", "Label", "SentimentModel", "SentimentScore", "judge_text", "load_active_model"]

_LOADED: dict[tuple[str, str], SentimentModel] = {}
_ENGINES: dict[str, sa.Engine] = {}
_GUARD = threading.Lock()


def _engine(settings: Settings) -> sa.Engine:
    from ecomintel.db.engine import make_engine, migrate

    with _GUARD:
        engine = _ENGINES.get(settings.database_url)
        if engine is None:
            engine = make_engine(settings.database_url)
            migrate(engine)
            _ENGINES[settings.database_url] = engine
        return engine


def load_active_model(settings: Settings, *, engine: sa.Engine | None = None) -> SentimentModel:
    """The active sentiment model of this install (kept in memory per database and version).

    No version registered yet: the default classifier is trained from the shipped sample
    (data/samples/clothing_reviews_3000.csv), evaluated with VADER on the same held-out split, both are
    registered and the better one activated. If that is impossible (sample missing, data directory not
    writable, …) VADER answers, with `reason` saying why."""
    from ecomintel.models.registry import ModelRegistry
    from ecomintel.models.sentiment.loading import model_from_version
    from ecomintel.models.sentiment.vader import VaderModel

    engine = engine or _engine(settings)
    registry = ModelRegistry(engine, settings.data_dir)
    active = registry.active(KIND)
    if active is None:
        from ecomintel.models.sentiment.training import train_default

        with _GUARD:  # one first-use training per process
            active = registry.active(KIND)
            if active is None:
                try:
                    active = train_default(registry, settings)
                except Exception as exc:  # the promise: scores always come back, with the reason
                    active = registry.active(KIND)  # another process may have trained and activated one
                    if active is None:
                        return VaderModel(fallback_reason=f"default model could not be trained: {exc}"[:200])
    key = (str(engine.url), active.version)
    cached = _LOADED.get(key)
    if cached is not None:
        return cached
    try:
        model = model_from_version(registry, active, settings)
    except Exception as exc:
        return VaderModel(fallback_reason=f"active model {active.version} could not be loaded: {exc}"[:200])
    _LOADED[key] = model
    return model
