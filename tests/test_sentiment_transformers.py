"""The transformers sentiment model, loaded by the real code from a tiny BERT built and saved here (no hub).

Skipped only when the optional extra (torch + transformers) is not installed and ECOMINTEL_REQUIRE_SERVICES is
unset; CI installs the extra (.ci/run) and sets it, so there these tests run or fail.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from ecomintel.config import load_settings
from ecomintel.errors import InputError
from ecomintel.models.registry import ModelRegistry
from ecomintel.models.sentiment import load_active_model
from ecomintel.models.sentiment.training import train_sentiment
from ecomintel.models.sentiment.transformer import TransformersSentiment, label_polarity
from tests.conftest import REQUIRE_SERVICES, SAMPLES

HAVE_EXTRA = all(importlib.util.find_spec(m) is not None for m in ("torch", "transformers"))
needs_extra = pytest.mark.skipif(not HAVE_EXTRA and not REQUIRE_SERVICES,
                                 reason="optional extra not installed: pip install -e .[transformers]")
WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "love", "hate", "it", "this", "great", "bad", "the", "dress"]


def tiny_model(folder: Path, labels: list[str], favour: int) -> Path:
    """A 1-layer BERT with a small vocabulary whose classifier bias makes class `favour` win."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.txt").write_text("\n".join(WORDS) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(folder / "vocab.txt"), do_lower_case=True)
    config = BertConfig(vocab_size=len(WORDS), hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=16, max_position_embeddings=32, num_labels=len(labels),
                        id2label=dict(enumerate(labels)), label2id={lab: i for i, lab in enumerate(labels)})
    torch.manual_seed(0)
    model = BertForSequenceClassification(config)
    with torch.no_grad():
        bias = torch.full((len(labels),), -6.0)
        bias[favour] = 6.0
        model.classifier.bias[:] = bias
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_label_polarity_reads_the_usual_label_schemes() -> None:
    assert label_polarity("POSITIVE", 2) == 1.0 and label_polarity("NEGATIVE", 2) == -1.0
    assert label_polarity("neutral", 3) == 0.0
    assert label_polarity("1 star", 5) == -1.0 and label_polarity("4 stars", 5) == 0.5
    assert label_polarity("LABEL_0", 2) == -1.0 and label_polarity("LABEL_1", 3) == 0.0
    assert label_polarity("sports", 4) == 0.0


@needs_extra
def test_a_local_sst2_style_model_scores_by_its_labels(tmp_path: Path) -> None:
    positive = TransformersSentiment(str(tiny_model(tmp_path / "pos", ["NEGATIVE", "POSITIVE"], favour=1)))
    negative = TransformersSentiment(str(tiny_model(tmp_path / "neg", ["NEGATIVE", "POSITIVE"], favour=0)))
    texts = ["love this dress", "hate it " * 100, "", "Sehr gut und schön"]  # a long text is truncated
    pos, neg = positive.predict(texts), negative.predict(texts)
    assert [r.label for r in pos[:2]] == ["positive", "positive"] and pos[0].score > 0.99
    assert [r.label for r in neg[:2]] == ["negative", "negative"] and neg[0].score < -0.99
    assert pos[2].reason == "too short to judge" and pos[3].label == "neutral" and pos[3].reason
    assert positive.max_length == 32


@needs_extra
def test_a_star_rating_model_maps_stars_to_scores(tmp_path: Path) -> None:
    stars = ["1 star", "2 stars", "3 stars", "4 stars", "5 stars"]
    model = TransformersSentiment(str(tiny_model(tmp_path / "stars", stars, favour=3)))
    result = model.predict(["this dress"])[0]
    assert result.score == pytest.approx(0.5, abs=0.01)


@needs_extra
def test_training_evaluates_the_configured_model_and_it_can_be_activated(tmp_path: Path) -> None:
    folder = tiny_model(tmp_path / "sst2", ["NEGATIVE", "POSITIVE"], favour=1)
    rated = tmp_path / "rated.csv"
    pd.read_csv(SAMPLES / "clothing_reviews_3000.csv", dtype=str).head(600).to_csv(rated, index=False)
    settings = load_settings({"ECOMINTEL_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}",
                              "ECOMINTEL_DATA_DIR": str(tmp_path / "data"),
                              "ECOMINTEL_SENTIMENT_TRANSFORMERS_MODEL": str(folder)})
    from ecomintel.db.engine import make_engine, migrate

    engine = make_engine(settings.database_url)
    migrate(engine)
    registry = ModelRegistry(engine, settings.data_dir)
    result = train_sentiment(registry, settings, rated, include_vader=False)
    by_name = {v.name: v for v in result.registered}
    assert set(by_name) == {"tfidf-lr", "transformers"} and not result.skipped
    hf = by_name["transformers"]
    assert hf.params["model"] == str(folder) and hf.metrics["n_test"] == by_name["tfidf-lr"].metrics["n_test"]
    # an untrained tiny model calls everything positive: the trained classifier must rank first
    assert result.active is not None and result.active.name == "tfidf-lr"
    registry.activate("sentiment", hf.version)
    loaded = load_active_model(settings, engine=engine)
    assert isinstance(loaded, TransformersSentiment) and loaded.version == hf.version
    engine.dispose()


@needs_extra
def test_a_missing_model_is_a_clear_error_and_training_skips_it(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="Cannot load the transformers model"):
        TransformersSentiment(str(tmp_path / "nowhere"))
    rated = tmp_path / "rated.csv"
    pd.read_csv(SAMPLES / "clothing_reviews_3000.csv", dtype=str).head(300).to_csv(rated, index=False)
    settings = load_settings({"ECOMINTEL_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}",
                              "ECOMINTEL_DATA_DIR": str(tmp_path / "data"),
                              "ECOMINTEL_SENTIMENT_TRANSFORMERS_MODEL": str(tmp_path / "nowhere")})
    from ecomintel.db.engine import make_engine, migrate

    engine = make_engine(settings.database_url)
    migrate(engine)
    result = train_sentiment(ModelRegistry(engine, settings.data_dir), settings, rated, include_vader=False)
    assert [v.name for v in result.registered] == ["tfidf-lr"]
    assert len(result.skipped) == 1 and "nowhere" in result.skipped[0]
    engine.dispose()
