"""Read any reviews export for scoring or training: which column is the text, the title, the rating.

Why through the ingest readers and the reviews field aliases: a file that `ecomintel ingest reviews` accepts
(CSV/TSV/XLSX, gzip, UTF-8/cp1252/BOM, any delimiter; `Review Text`, `review_content`, `reviewText`, `body`, …)
is read here the same way, and every original cell stays the text it was, so a scored export gives back each
input row unchanged, in input order, with the sentiment columns added.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ecomintel.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

LABEL_OF_RATING = "rating ≥ 4 positive, ≤ 2 negative, 3 neutral"


@dataclass(frozen=True)
class ReviewsFile:
    """All rows of a reviews file as text cells, and the columns the reviews fields map to."""

    frame: pd.DataFrame
    text_column: str
    title_column: str | None
    rating_column: str | None
    encoding: str | None
    compressed: bool

    def texts(self) -> list[str]:
        """Title and text of each row as one string (either may be empty)."""
        texts = self.frame[self.text_column].astype(str).tolist()
        if self.title_column is None:
            return [t.strip() for t in texts]
        titles = self.frame[self.title_column].astype(str).tolist()
        return [(f"{a.strip()}. {b.strip()}" if a.strip() and b.strip() else (a or b).strip())
                for a, b in zip(titles, texts, strict=True)]

    def ratings(self) -> list[float | None]:
        """Each row's star rating as a number (None when empty or not a number)."""
        if self.rating_column is None:
            return [None] * len(self.frame)
        out: list[float | None] = []
        for cell in self.frame[self.rating_column].astype(str):
            try:
                out.append(float(cell.strip().replace(",", ".")))
            except ValueError:
                out.append(None)
        return out


def read_reviews(path: str | Path, *, max_mb: int = 200, text_column: str | None = None,
                 title_column: str | None = None, chunk_rows: int = 50000) -> ReviewsFile:
    """Every row of `path` (whole file in memory: scoring needs all of it) and its text/title/rating columns.

    Raises InputError when no column holds review text (naming the columns it saw)."""
    import pandas as pd

    from ecomintel.ingest.mapping import auto_map
    from ecomintel.ingest.readers import load_source, open_table

    raw = load_source(path, max_mb=max_mb)
    table = open_table(raw, chunk_rows)
    frame = pd.concat(list(table.chunks()), ignore_index=True)
    mapping = auto_map(table.columns, "reviews")
    for given in (text_column, title_column):
        if given is not None and given not in table.columns:
            raise InputError(f"{raw.name} has no column {given!r}.", f"Its columns: {', '.join(table.columns)}.")
    text = text_column or mapping.get("text") or mapping.get("title")
    if text is None:
        raise InputError(f"No review text column found in {raw.name}.",
                         f"Its columns: {', '.join(map(str, table.columns))}. Name one with --text-column.")
    title = title_column if title_column is not None else mapping.get("title")
    if title == text:
        title = None
    return ReviewsFile(frame, text, title, mapping.get("rating"), table.encoding, table.compressed)


def rating_label(rating: float | None) -> str | None:
    """The label a star rating stands for (the training target): ≥4 positive, ≤2 negative, 3 neutral."""
    if rating is None or rating != rating:  # NaN
        return None
    if rating >= 4:
        return "positive"
    if rating <= 2:
        return "negative"
    return "neutral"
