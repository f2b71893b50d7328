"""From a registered version to a usable model: what each model name needs to be rebuilt.

Why here and not in the registry: the registry stores any kind of model and knows nothing about sentiment;
this module knows that a `tfidf-lr` version is its pickled artifact, that `vader` is the lexicon with the
registered thresholds, and that `transformers` is a pipeline loaded again from its registered path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ecomintel.errors import InputError
from ecomintel.models.sentiment.thresholds import Thresholds

if TYPE_CHECKING:
    from ecomintel.config import Settings
    from ecomintel.models.registry import ModelRegistry, ModelVersion
    from ecomintel.models.sentiment.base import SentimentModel


def _thresholds(mv: ModelVersion) -> Thresholds:
    band = mv.params.get("thresholds") or {}
    return Thresholds(float(band.get("low", -0.05)), float(band.get("high", 0.05)))


def model_from_version(registry: ModelRegistry, mv: ModelVersion, settings: Settings) -> SentimentModel:
    """The model of a registered sentiment version, with its version id set."""
    cut = float(mv.params.get("binary_cut", 0.0))
    if mv.name == "tfidf-lr":
        from ecomintel.models.sentiment.linear import LinearSentiment

        model = registry.load_artifact(mv.version)
        if not isinstance(model, LinearSentiment):
            raise InputError(f"The artifact of {mv.version} is not a TF-IDF sentiment model.")
        model.version = mv.version
        return model
    if mv.name == "vader":
        from ecomintel.models.sentiment.vader import VaderModel

        return VaderModel(_thresholds(mv), version=mv.version, binary_cut=cut)
    if mv.name == "transformers":
        from ecomintel.models.sentiment.transformer import TransformersSentiment

        source = str(mv.params.get("model") or settings.sentiment_transformers_model)
        return TransformersSentiment(source, _thresholds(mv), binary_cut=cut, version=mv.version)
    raise InputError(f"Unknown sentiment model {mv.name!r} in version {mv.version}.")
