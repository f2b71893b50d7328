"""Sentiment scores stored per review and model version: each review is scored once by the active model, and
the new or re-uploaded reviews after an upload; pages and answers read the stored scores.

Why stored: the Sentiment page, every Ask answer about reviews and the KPIs need a label and a score per
review; scoring 23k texts on each question would cost seconds every time. Scores live in `review_scores`
(migration 0008) keyed by tenant, review and model version, so activating another model (ecomintel/models
registry) scores everything again under its own version without mixing the two, and a review rewritten by a
later upload (new batch) is scored again (db/review_queries.py `unscored_reviews`).
Why lazily: an upload stays as fast as before; the first reader after it pays for the new rows only. One lock per
(database, tenant) keeps two readers of one process from scoring the same rows twice; another process doing the
same only repeats work (the delete-then-insert of `store_review_scores` keeps one row per review).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import sqlalchemy as sa

from ecomintel.config import Settings

if TYPE_CHECKING:
    import pandas as pd

    from ecomintel.db.repository import Repository

BATCH = 1000
_LOCKS: dict[tuple[str, int], threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


class Scored(Protocol):
    label: str
    score: float
    reason: str | None


class Model(Protocol):
    """What the scoring needs of a sentiment model (ecomintel/models/sentiment: SentimentModel)."""

    def predict(self, texts: Sequence[str]) -> Sequence[Any]: ...


@dataclass(frozen=True)
class ScoreState:
    """Which model scored the reviews, how many were scored by this call and how long it took."""

    model_version: str
    model_name: str
    scored_now: int
    elapsed_ms: int
    remaining: int = 0  # reviews still unscored when the time budget ran out (the next reader goes on)


def model_version(model: Any) -> str:
    """The registry version of a model, else its name (what `review_scores.model_version` holds)."""
    for attr in ("version", "model_version", "name"):
        value = getattr(model, attr, None)
        if isinstance(value, str | int) and str(value):
            return str(value)[:100]
    return type(model).__name__[:100]


def active_model(settings: Settings, engine: sa.Engine | None = None) -> Any:
    """The registry's active sentiment model (trained on first use by the models package); `engine`: the
    database whose registry to read (the tenant's; default settings.database_url)."""
    from ecomintel.models.sentiment import load_active_model

    return load_active_model(settings, engine=engine)


def review_texts(frame: pd.DataFrame) -> list[str]:
    """What a review says: its title and its text, as one string (either may be missing)."""
    titles = frame["title"].fillna("").astype(str).tolist()
    texts = frame["text"].fillna("").astype(str).tolist()
    return [(f"{t}. {x}" if t and x else t or x).strip() for t, x in zip(titles, texts, strict=True)]


def pd_object(values: list[Any]) -> Any:
    """A list as an object column (None stays None; pandas would otherwise guess a type)."""
    import pandas as pd

    return pd.Series(values, dtype=object).to_numpy()


def _lock(repo: Repository) -> threading.Lock:
    key = (str(repo.engine.url), repo.tenant_id)
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.Lock())


def ensure_scores(repo: Repository, settings: Settings, model: Any = None,
                  budget_s: float | None = None) -> ScoreState:
    """Score every review of the tenant that has no current score under the active model (or `model`);
    with `budget_s`, stop after the batch that passes it (an answer must come back within its time limit; the
    rest is scored by the next reader, `remaining` says how many are left)."""
    started = time.perf_counter()
    model = model if model is not None else active_model(settings, repo.engine)
    version = model_version(model)
    name = str(getattr(model, "name", type(model).__name__))
    done = remaining = 0
    with _lock(repo):
        todo = repo.unscored_reviews(version)
        if not todo.empty:
            data_version = repo.data_version()
            for lo in range(0, len(todo), BATCH):
                if budget_s is not None and lo and time.perf_counter() - started > budget_s:
                    remaining = len(todo) - lo
                    break
                part = todo.iloc[lo:lo + BATCH]
                results = list(model.predict(review_texts(part)))
                scored = part[["id", "batch_id"]].assign(
                    label=[str(r.label) for r in results],
                    score=[max(-1.0, min(1.0, float(r.score))) for r in results],
                    reason=pd_object([getattr(r, "reason", None) for r in results]))
                try:
                    done += repo.store_review_scores(version, scored, data_version)
                except sa.exc.IntegrityError:  # another process stored these rows first: theirs are as good
                    continue
    return ScoreState(version, name, done, int((time.perf_counter() - started) * 1000), remaining)


def score_reviews_job(tenant_id: int, user_id: int | None = None, role: str = "analyst") -> dict[str, Any]:
    """Background job after a reviews upload (jobs.py runner: RQ worker or a local thread): score the new
    reviews now, so the first question or page view after the upload reads stored scores."""
    from ecomintel.config import load_settings
    from ecomintel.context import RequestContext
    from ecomintel.db.engine import make_engine
    from ecomintel.db.repository import Repository
    from ecomintel.jobs import progress_reporter

    settings = load_settings()
    progress = progress_reporter()
    progress(0.0, "scoring the new reviews")
    engine = make_engine(settings.database_url)
    try:
        repo = Repository(engine, RequestContext(tenant_id=tenant_id, user_id=user_id, role=role))
        state = ensure_scores(repo, settings)
        progress(1.0, f"{state.scored_now:,} reviews scored with {state.model_name}")
        return {"model_version": state.model_version, "scored": state.scored_now, "elapsed_ms": state.elapsed_ms}
    finally:
        engine.dispose()
