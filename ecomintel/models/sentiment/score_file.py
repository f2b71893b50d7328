"""`ecomintel sentiment FILE --out SCORED.csv`: score every row of a reviews export, keep the rows as they were.

Why every input row in input order: the scored file goes back to whoever exported it (a spreadsheet, a BI
tool) and is joined on row position or their own id; dropping or reordering rows would silently misalign it.
Rows with no text get `neutral`, score 0 and the reason. The output is the input's columns (cells exactly as
read) plus `sentiment_label`, `sentiment_score` and `sentiment_reason` (empty when the text was judged); a CSV
(UTF-8 with BOM, formula-injection neutralised like every export: ecomintel/ingest/export.py), gzip-compressed
when the name ends in .gz.
"""

from __future__ import annotations

import gzip
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ecomintel.errors import InputError

if TYPE_CHECKING:
    from ecomintel.models.sentiment.base import SentimentModel

OUTPUT_COLUMNS = ("sentiment_label", "sentiment_score", "sentiment_reason")
BATCH = 5000


@dataclass(frozen=True)
class ScoredFile:
    """What scoring a file did: rows, columns used, label counts, time and throughput."""

    rows: int
    text_column: str
    title_column: str | None
    encoding: str | None
    compressed: bool
    model: str
    model_version: str
    counts: dict[str, int]
    not_judged: int
    score_seconds: float
    total_seconds: float

    @property
    def reviews_per_s(self) -> float:
        return self.rows / self.score_seconds if self.score_seconds > 0 else float("inf")


def score_file(source: str | Path, out: str | Path, model: SentimentModel, *, max_mb: int = 200,
               text_column: str | None = None, title_column: str | None = None) -> ScoredFile:
    """Score `source` with `model` and write the scored rows to `out`."""
    from ecomintel.ingest.export import to_safe_csv
    from ecomintel.models.sentiment.reviews_file import read_reviews

    started = time.perf_counter()
    out_path = Path(out)
    if out_path.resolve() == Path(source).resolve():
        raise InputError("--out must not be the input file.", "Write the scored rows to a new file.")
    data = read_reviews(source, max_mb=max_mb, text_column=text_column, title_column=title_column)
    texts = data.texts()
    scoring = time.perf_counter()
    results = []
    for lo in range(0, len(texts), BATCH):
        results.extend(model.predict(texts[lo:lo + BATCH]))
    score_seconds = time.perf_counter() - scoring
    frame = data.frame.copy()
    clashes = [c for c in OUTPUT_COLUMNS if c in frame.columns]
    if clashes:
        frame = frame.rename(columns={c: f"{c}_input" for c in clashes})
    frame["sentiment_label"] = [r.label for r in results]
    frame["sentiment_score"] = [round(float(r.score), 4) for r in results]
    frame["sentiment_reason"] = [r.reason or "" for r in results]
    payload = to_safe_csv(frame)
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_bytes(gzip.compress(payload) if out_path.name.lower().endswith(".gz") else payload)
    except OSError as exc:
        raise InputError(f"Cannot write {out_path}: {exc.strerror or exc}.") from exc
    counts = {label: 0 for label in ("positive", "neutral", "negative")}
    for r in results:
        counts[r.label] += 1
    return ScoredFile(rows=len(results), text_column=data.text_column, title_column=data.title_column,
                      encoding=data.encoding, compressed=data.compressed, model=model.name,
                      model_version=model.version, counts=counts,
                      not_judged=sum(r.reason is not None for r in results), score_seconds=score_seconds,
                      total_seconds=time.perf_counter() - started)
