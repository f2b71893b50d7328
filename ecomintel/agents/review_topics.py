"""Topics of a set of reviews (the negative ones, the positive ones): TF-IDF + k-means, k chosen by silhouette,
each topic labelled by its top terms and shown with representative quotes.

Why k-means on TF-IDF (k searched on a seeded sample of 2,000, then fitted on all): it is fast (5,000 reviews in well under
10 s, bench/reviews.py), deterministic with a seed, and its clusters are easy to explain — the top terms of a centroid, and the reviews closest to it as
quotes. Why silhouette (cosine, on a seeded sample): the number of topics is what the data supports, not a
constant; a set too small or too uniform gets one topic or none rather than invented splits.
Words every review of the shop uses (the category names, "love", "ordered") are removed, so the topics say what
differs: "fabric thin cheap" rather than "dress love".
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

REVIEW_STOPWORDS = frozenset("""love loved like liked really just would could also got get one bought ordered order
purchased buy wear wearing wore worn item product retailer store online im ive dont didnt doesnt wasnt isnt
great good nice little bit much well even though still definitely absolutely think thought know way look looks
looking looked didn did wasn doesn don isn aren weren haven""".split())  # noqa: SIM905


@dataclass
class Topic:
    label: str
    terms: list[str]
    reviews: int
    share_pct: float
    mean_score: float | None
    quotes: list[str] = field(default_factory=list)
    review_keys: list[str] = field(default_factory=list)


@dataclass
class TopicResult:
    topics: list[Topic]
    k: int
    silhouette: float | None
    reviews: int
    note: str = ""


def _quote(text: str, terms: Sequence[str], limit: int = 220) -> str:
    """The sentence of `text` with the most of the topic's terms (whole text when short)."""
    import re

    sentences = [s.strip() for s in re.findall(r"[^.!?\n]+[.!?]*", text) if len(s.strip()) > 15] or [text.strip()]
    best = max(sentences, key=lambda s: sum(t in s.lower() for t in terms))
    return best if len(best) <= limit else best[:limit - 1].rstrip() + "…"


def find_topics(texts: Sequence[str], *, keys: Sequence[str] | None = None, scores: Sequence[float] | None = None,
                extra_stopwords: Sequence[str] = (), k_range: tuple[int, int] = (2, 7), min_reviews: int = 20,
                quotes: int = 3, seed: int = 7) -> TopicResult:
    """Cluster `texts` into topics; `scores` (−1..1 per text) give each topic's mean sentiment.

    Runs with one BLAS/OpenMP thread: on a busy machine k-means' spinning worker threads cost more than they
    give (5,000 reviews at load 11 on 2 cores: 9.9 s with the default threads, 4.0 s with one)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return _find_topics(texts, keys=keys, scores=scores, extra_stopwords=extra_stopwords, k_range=k_range,
                            min_reviews=min_reviews, quotes=quotes, seed=seed)


def _find_topics(texts: Sequence[str], *, keys: Sequence[str] | None, scores: Sequence[float] | None,
                 extra_stopwords: Sequence[str], k_range: tuple[int, int], min_reviews: int, quotes: int,
                 seed: int) -> TopicResult:
    from sklearn.cluster import KMeans
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
    from sklearn.metrics import silhouette_score

    docs = [str(t) for t in texts]
    n = len(docs)
    if n < min_reviews:
        return TopicResult([], 0, None, n, f"Only {n} reviews: too few for topics (at least {min_reviews}).")
    stop = sorted(set(ENGLISH_STOP_WORDS) | REVIEW_STOPWORDS | {w.lower() for s in extra_stopwords
                                                                for w in str(s).split()})
    vectorizer = TfidfVectorizer(stop_words=stop, ngram_range=(1, 2), min_df=max(2, n // 500), max_df=0.7,
                                 max_features=4000, sublinear_tf=True, token_pattern=r"(?u)\b[a-z][a-z]+\b")
    try:
        x = vectorizer.fit_transform(docs)
    except ValueError:  # every word was a stop word or too rare
        return TopicResult([], 0, None, n, "The reviews share too few words to form topics.")
    terms = np.array(vectorizer.get_feature_names_out())
    nonempty = np.asarray(x.getnnz(axis=1) > 0)
    rows = np.flatnonzero(nonempty)
    if len(rows) < min_reviews:
        return TopicResult([], 0, None, n, "The reviews share too few words to form topics.")
    x = x[rows]
    lo, hi = k_range
    hi = min(hi, max(lo, len(rows) // 15))
    rng = np.random.default_rng(seed)
    # k is chosen on a seeded sample (fits of 2,000 reviews are cheap); the chosen k is then fitted on all
    search = np.sort(rng.choice(x.shape[0], size=min(x.shape[0], 2000), replace=False))
    xs = x[search]
    best: tuple[float, int] | None = None
    for k in range(lo, hi + 1):
        with warnings.catch_warnings():  # fewer distinct points than k: that k simply loses on silhouette
            warnings.simplefilter("ignore", ConvergenceWarning)
            labels = KMeans(n_clusters=k, n_init=1, max_iter=100, random_state=seed).fit_predict(xs)
        if len(set(labels)) < 2:
            continue
        sil = float(silhouette_score(xs, labels, metric="cosine", sample_size=min(len(search), 1000),
                                     random_state=seed))
        if best is None or sil > best[0] + 0.002:  # a tie goes to fewer, broader topics
            best = (sil, k)
    if best is None:
        return TopicResult([], 0, None, n, "The reviews are too uniform to split into topics.")
    sil, k = best
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = KMeans(n_clusters=k, n_init=1, max_iter=100, random_state=seed).fit(x)
    centers = model.cluster_centers_
    labels = model.labels_
    sims = np.asarray(x.multiply(centers[labels]).sum(axis=1)).ravel()
    topics = []
    for c in range(k):
        members = np.flatnonzero(labels == c)
        if len(members) == 0:
            continue
        top_terms = [str(t) for t in terms[np.argsort(centers[c])[::-1][:6]]]
        label_terms = _distinct_terms(top_terms)[:3]
        order = members[np.argsort(sims[members])[::-1]]
        picked, seen = [], set()
        for i in order:
            q = _quote(docs[rows[i]], label_terms)
            if q.lower() not in seen:
                seen.add(q.lower())
                picked.append(int(i))
            if len(picked) == quotes:
                break
        mean = float(np.mean([scores[rows[i]] for i in members])) if scores is not None else None
        topics.append(Topic(label=" · ".join(label_terms), terms=top_terms, reviews=len(members),
                            share_pct=round(100 * len(members) / len(rows), 1),
                            mean_score=None if mean is None else round(mean, 3),
                            quotes=[_quote(docs[rows[i]], label_terms) for i in picked],
                            review_keys=[str(keys[rows[i]]) for i in picked] if keys is not None else []))
    topics.sort(key=lambda t: (-t.reviews, t.label))
    return TopicResult(topics, k, round(sil, 3), n)


def _distinct_terms(terms: list[str]) -> list[str]:
    """Top terms without repeats: 'runs small' makes 'small' and 'runs' redundant."""
    out: list[str] = []
    for t in terms:
        words = set(t.split())
        if any(words <= set(o.split()) or set(o.split()) <= words for o in out):
            if " " in t and all(" " not in o for o in out if set(o.split()) <= words):
                out = [o for o in out if not set(o.split()) <= words] + [t]
            continue
        out.append(t)
    return out
