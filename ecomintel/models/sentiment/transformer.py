"""A transformers text-classification model (e.g. DistilBERT fine-tuned on SST-2) as a sentiment model.

Used when ECOMINTEL_SENTIMENT_TRANSFORMERS_MODEL names a local folder (or a model id already in the Hugging
Face cache: nothing is downloaded here); needs the optional extra `pip install -e .[transformers]` (torch,
transformers). `ecomintel models train sentiment` then measures it on the same held-out reviews as the others
and the registry activates it only if it ranks first.

Why a score from every label's probability: models label their classes differently — POSITIVE/NEGATIVE
(SST-2), negative/neutral/positive, "1 star" … "5 stars", or bare LABEL_0 … LABEL_k. Each label gets a
polarity in -1..1 (`label_polarity`) and the score is the probability-weighted polarity, so any of them yields
a score in -1..1 whose neutral band is calibrated like the other models'.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ecomintel.errors import InputError
from ecomintel.models.sentiment.base import SentimentScore
from ecomintel.models.sentiment.guard import judge_text
from ecomintel.models.sentiment.thresholds import Thresholds, label_of

_STARS = re.compile(r"([1-5])\s*star")
_INDEX = re.compile(r"^label_(\d+)$")


def label_polarity(label: str, n_labels: int) -> float:
    """Polarity of one class label in -1..1 (0 when the label says nothing about polarity)."""
    text = label.strip().lower()
    if "pos" in text:
        return 1.0
    if "neg" in text:
        return -1.0
    if "neu" in text:
        return 0.0
    stars = _STARS.search(text)
    if stars:
        return (int(stars.group(1)) - 3) / 2.0
    index = _INDEX.match(text)
    if index and n_labels >= 2:
        return -1.0 + 2.0 * int(index.group(1)) / (n_labels - 1)
    return 0.0


class TransformersSentiment:
    """A local text-classification pipeline on the CPU, batched, texts truncated to `max_length` tokens."""

    name = "transformers"

    def __init__(self, source: str, thresholds: Thresholds | None = None, *, binary_cut: float = 0.0,
                 version: str = "transformers", batch_size: int = 32, max_length: int = 256) -> None:
        try:
            from transformers import pipeline
        except ImportError as exc:
            raise InputError("The transformers sentiment model needs the optional extra.",
                             "Install it with `pip install -e .[transformers]`.") from exc
        try:
            self._pipe: Any = pipeline("text-classification", model=source, tokenizer=source, device=-1,
                                       top_k=None)
        except (OSError, ValueError) as exc:
            raise InputError(f"Cannot load the transformers model {source!r}: {str(exc).splitlines()[0][:200]}",
                             "Set ECOMINTEL_SENTIMENT_TRANSFORMERS_MODEL to a local model folder.") from exc
        id2label = dict(getattr(self._pipe.model.config, "id2label", {}) or {})
        n = max(len(id2label), 1)
        self.polarity = {str(lab): label_polarity(str(lab), n) for lab in id2label.values()}
        self.source = source
        self.thresholds = thresholds or Thresholds(-0.2, 0.2)
        self.binary_cut = binary_cut
        self.version = version
        self.batch_size = batch_size
        positions = getattr(self._pipe.model.config, "max_position_embeddings", None)
        self.max_length = min(max_length, int(positions)) if isinstance(positions, int) and positions > 0 \
            else max_length

    def raw_scores(self, texts: Sequence[str]) -> list[float]:
        if not texts:
            return []
        outputs = self._pipe(list(texts), batch_size=self.batch_size, truncation=True, max_length=self.max_length)
        scores = []
        for output in outputs:
            classes = output if isinstance(output, list) else [output]
            value = sum(float(c["score"]) * self.polarity.get(str(c["label"]), 0.0) for c in classes)
            scores.append(max(-1.0, min(1.0, value)))
        return scores

    def predict(self, texts: Sequence[str]) -> list[SentimentScore]:
        items = [t if isinstance(t, str) else ("" if t is None else str(t)) for t in texts]
        reasons = [judge_text(t) for t in items]
        judged = [i for i, r in enumerate(reasons) if r is None]
        out = [SentimentScore("neutral", 0.0, r) for r in reasons]
        for i, score in zip(judged, self.raw_scores([items[i] for i in judged]), strict=True):
            out[i] = SentimentScore(label_of(score, self.thresholds), score, None)
        return out
