"""Sentiment models on the shipped sample: training, held-out figures, the guard, first use, fallback."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecomintel.config import load_settings
from ecomintel.models.sentiment import SentimentModel, SentimentScore, judge_text, load_active_model
from ecomintel.models.sentiment.linear import LinearSentiment, mark_negation
from ecomintel.models.sentiment.training import labelled_reviews, split
from ecomintel.models.sentiment.vader import VaderModel
from tests.conftest import SAMPLES
from tests.sentiment_helpers import TrainedInstall, trained_install


@pytest.fixture(scope="module")
def install(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrainedInstall]:
    trained = trained_install(tmp_path_factory.mktemp("sentiment"))
    yield trained
    trained.engine.dispose()


@pytest.fixture(scope="module")
def model(install: TrainedInstall) -> SentimentModel:
    return load_active_model(install.settings, engine=install.engine)


def test_training_registers_both_models_and_activates_the_better(install: TrainedInstall) -> None:
    names = {v.name for v in install.result.registered}
    assert names == {"tfidf-lr", "vader"}
    by_name = {v.name: v for v in install.result.registered}
    lr, vader = by_name["tfidf-lr"], by_name["vader"]
    assert install.result.active is not None and install.result.active.name == "tfidf-lr"
    # held-out figures on the 20% split of the sample: clearly better than both baselines
    assert lr.metrics["binary_macro_f1"] > vader.metrics["binary_macro_f1"] + 0.05
    assert lr.metrics["binary_macro_f1"] > install.result.baseline["binary_macro_f1"] + 0.3
    assert lr.metrics["binary_macro_f1"] >= 0.8 and lr.metrics["macro_f1"] >= 0.5
    n = len(labelled_reviews(SAMPLES / "clothing_reviews_3000.csv").texts)
    assert lr.metrics["n_test"] == math.ceil(0.2 * n) and lr.metrics["eval_fingerprint"] == vader.metrics["eval_fingerprint"]
    assert lr.data_fingerprint == vader.data_fingerprint and len(lr.data_fingerprint or "") == 64
    assert lr.params["class_weight"] == "balanced" and "thresholds" in lr.params
    assert lr.artifact is not None and (Path(install.settings.data_dir) / lr.artifact / "model.joblib").is_file()


def test_the_active_model_is_the_registered_artifact(install: TrainedInstall, model: SentimentModel) -> None:
    assert isinstance(model, LinearSentiment)
    assert install.result.active is not None and model.version == install.result.active.version
    assert isinstance(model, SentimentModel)


def test_predictions_read_the_text(model: SentimentModel) -> None:
    texts = ["I love this dress, it fits perfectly and the fabric is beautiful.",
             "Terrible quality, the seams ripped after one wash. Returned it.",
             "This top is not flattering at all and the color is not what I expected."]
    pos, neg, negated = model.predict(texts)
    assert pos.label == "positive" and pos.score > 0.5
    assert neg.label == "negative" and neg.score < -0.3
    assert negated.score < 0 and negated.label != "positive"
    assert all(r.reason is None for r in (pos, neg, negated))


def test_short_and_foreign_texts_are_neutral_with_a_reason(model: SentimentModel) -> None:
    texts = ["", "ok", "!!!", "Sehr gut, passt perfekt und die Qualität ist super", "Muy bueno",
             "Très bien, la qualité est parfaite", "Отличное платье", "很好"]
    for text, result in zip(texts, model.predict(texts), strict=True):
        assert result.label == "neutral" and result.score == 0.0 and result.reason, text
    assert judge_text("Great product, fast delivery") is None  # English without function words is judged
    assert judge_text("Das Kleid ist nicht schön") is not None


def test_negation_marking() -> None:
    assert mark_negation("Not flattering, but cute") == "not not_flattering, but cute"
    assert mark_negation("I didn't love it.") == "i didn't not_love not_it."


def test_labels_come_from_stars_and_the_split_is_seeded() -> None:
    data = labelled_reviews(SAMPLES / "clothing_reviews_3000.csv")
    assert set(data.labels) == {"positive", "neutral", "negative"}
    assert 2800 < len(data.texts) <= 3000  # rows with neither title nor text are left out
    a, b = split(data, seed=7), split(data, seed=7)
    assert a.test_x == b.test_x and a.eval_fingerprint == b.eval_fingerprint
    assert split(data, seed=8).eval_fingerprint != a.eval_fingerprint


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(max_size=300), min_size=0, max_size=8))
def test_predict_never_crashes_on_arbitrary_unicode(model: SentimentModel, texts: list[str]) -> None:
    results = model.predict(texts)
    assert len(results) == len(texts)
    for r in results:
        assert isinstance(r, SentimentScore)
        assert r.label in ("positive", "neutral", "negative")
        assert -1.0 <= r.score <= 1.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=200), min_size=1, max_size=4))
def test_vader_never_crashes_on_arbitrary_unicode(texts: list[str]) -> None:
    for r in VaderModel().predict(texts):
        assert r.label in ("positive", "neutral", "negative") and -1.0 <= r.score <= 1.0


def test_first_use_trains_registers_and_reuses(tmp_path: Path) -> None:
    env = {"ECOMINTEL_DATABASE_URL": f"sqlite:///{tmp_path / 'first.db'}", "ECOMINTEL_DATA_DIR": str(tmp_path / "d")}
    first = load_active_model(load_settings(env))
    assert first.name == "tfidf-lr" and first.version.startswith("sentiment-tfidf-lr-")
    again = load_active_model(load_settings(env))
    assert again is first  # kept in memory per database and version: no second training
    assert (tmp_path / "d" / "models" / "sentiment").is_dir()


def test_falls_back_to_vader_with_a_reason_when_training_is_impossible(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data directory should be")
    env = {"ECOMINTEL_DATABASE_URL": f"sqlite:///{tmp_path / 'fb.db'}", "ECOMINTEL_DATA_DIR": str(blocker)}
    model = load_active_model(load_settings(env))
    assert isinstance(model, VaderModel)
    assert model.fallback_reason and "could not be trained" in model.fallback_reason
    result = model.predict(["Lovely soft sweater, I adore it"])[0]
    assert result.label == "positive" and result.reason == model.fallback_reason


def test_drift_of_another_marketplace_against_the_trained_reference(install: TrainedInstall,
                                                                    model: SentimentModel) -> None:
    """The trained model's own reference: its clothing hold-out does not drift, Amazon India's reviews do."""
    from ecomintel.models.drift import drift_check
    from ecomintel.models.sentiment.reviews_file import read_reviews

    version = model.version
    clothing = labelled_reviews(SAMPLES / "clothing_reviews_3000.csv")
    held_out = split(clothing).test_x
    same = drift_check(install.registry, version, held_out, [r.score for r in model.predict(held_out)])
    assert not same.drifted and same.psi is not None and same.psi < 0.05
    amazon = read_reviews(SAMPLES / "amazon_india_products.csv")
    assert amazon.text_column == "review_content" and amazon.title_column == "review_title"
    texts = amazon.texts()
    other = drift_check(install.registry, version, texts, [r.score for r in model.predict(texts)])
    assert other.drifted and other.severity == "warning"
    assert other.coverage is not None and same.coverage is not None and other.coverage < same.coverage
