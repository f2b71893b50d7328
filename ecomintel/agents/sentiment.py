"""The sentiment agent: what the tenant's reviews say — sentiment per category / product / period, rating-vs-text
disagreement, aspects, topics of negative and positive reviews with quotes, complaint patterns, feature requests,
products whose reviews got worse, and the reviews flagged as spam.

Why one agent with handlers (like agents/customers.py): every review question starts the same way — the stored
scores of the active model (agents/review_scores.py scores what is new), the filter from the plan, spam left
out of the KPIs and its share stated — and then reads one analysis. The text analyses live in their own modules
(review_aspects, review_topics, review_requests, review_trends); the KPIs are SQL aggregates
(db/review_queries.py). Confidence grows with the number of reviews behind an answer (`volume_confidence`).
The models package's drift check compares the reviews' scores and vocabulary with the model's training
reference; a drift becomes a warning finding, not a silent change in meaning.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from ecomintel.agents import review_aspects as aspects_mod
from ecomintel.agents import review_requests as requests_mod
from ecomintel.agents import review_trends as trends_mod
from ecomintel.agents.base import AgentResult, ChartSpec, EvidenceRef, Finding, Table
from ecomintel.agents.charts import MARGIN, figure_json
from ecomintel.agents.review_scores import ScoreState, ensure_scores, review_texts
from ecomintel.agents.review_topics import find_topics
from ecomintel.ask.plan import Plan
from ecomintel.config import Settings, load_settings
from ecomintel.context import RequestContext
from ecomintel.db.repository import Repository
from ecomintel.db.review_queries import ReviewFilter

TIME_GROUPS = ("day", "week", "month", "quarter")
TEXT_SAMPLE = 4000


def volume_confidence(n: int) -> float:
    """How far an answer resting on n reviews can be trusted: 0 at none, ~0.5 at 20, ~0.75 at 100, 0.95 from
    ~500 (log scale; a handful of reviews says little about a product)."""
    if n <= 0:
        return 0.0
    return round(min(0.95, math.log10(n + 1) / math.log10(500) * 0.95), 3)


def volume_label(n: int) -> str:
    return "low" if n < 20 else "medium" if n < 100 else "high"


@dataclass
class ReviewContext:
    """What every handler reads and writes: repository, plan, filter, the stored scores' model, the result."""

    name: str
    repo: Repository
    plan: Plan
    settings: Settings
    flt: ReviewFilter
    state: ScoreState
    model: Any
    result: AgentResult
    counts: dict[str, int] = field(default_factory=dict)
    _frame: pd.DataFrame | None = None

    def frame(self) -> pd.DataFrame:
        """The filtered non-spam reviews with their scores (read once per run)."""
        if self._frame is None:
            self._frame = self.repo.scored_reviews(self.state.model_version, self.flt)
        return self._frame

    def text_sample(self, frame: pd.DataFrame, what: str) -> pd.DataFrame:
        """At most TEXT_SAMPLE reviews (seeded) for the text analyses, stated in the answer: shares and topics of
        a few thousand reviews are as telling as of all, and an answer must come back within its time limit."""
        if len(frame) <= TEXT_SAMPLE:
            return frame
        self.warn(f"{what} read a seeded sample of {TEXT_SAMPLE:,} of the {len(frame):,} reviews.")
        return frame.sample(n=TEXT_SAMPLE, random_state=11).sort_index()

    def warn(self, text: str) -> None:
        if text not in self.result.warnings:
            self.result.warnings.append(text)

    def find(self, text: str, severity: str = "info") -> None:
        self.result.findings.append(Finding(severity, text, [self.evidence_ref()]))  # type: ignore[arg-type]

    def evidence_ref(self, rows: int | None = None) -> EvidenceRef:
        f = self.flt
        filters = {k: v for k, v in {"start": f.start and f.start.isoformat(), "end": f.end and f.end.isoformat(),
                                     "categories": list(f.categories), "skus": list(f.skus),
                                     "products": list(f.products), "spam": "excluded"}.items() if v}
        return EvidenceRef("reviews + review_scores", filters, rows=rows, data_version=self.repo.data_version(),
                           note=f"sentiment model {self.state.model_version}")

    def table(self, title: str, frame: pd.DataFrame) -> None:
        rows = [[_plain(v) for v in row] for row in frame.itertuples(index=False, name=None)]
        self.result.tables.append(Table(title, [str(c) for c in frame.columns], rows))

    def chart(self, title: str, fig: go.Figure) -> None:
        fig.update_layout(title=title, margin=MARGIN)
        self.result.charts.append(ChartSpec(title, figure_json(fig)))

    def scorer(self, texts: Sequence[str]) -> list[float]:
        return [float(r.score) for r in self.model.predict(list(texts))]

    def lead(self) -> str:
        """The scope at the start of a sentence ('All reviews', 'Dresses')."""
        text = self.scope()
        return text[:1].upper() + text[1:]

    def scope(self) -> str:
        """The filter in words: 'Dresses, 2024-01-01..2024-03-31'."""
        parts = list(self.flt.categories) + list(self.flt.skus) + list(self.flt.products)
        if self.flt.start and self.flt.end:
            parts.append(f"{self.flt.start}..{self.flt.end}")
        return ", ".join(parts) or "all reviews"


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    if hasattr(value, "item"):
        return _plain(value.item())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _pct(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _kpis(cx: ReviewContext) -> pd.Series | None:
    whole = cx.repo.sentiment_by(cx.state.model_version, None, cx.flt)
    if whole.empty or not int(whole["reviews"].iloc[0]):
        return None
    row = whole.iloc[0]
    n, spam = int(row["reviews"]), cx.counts["spam"]
    total = cx.counts["reviews"]
    cx.result.metrics.update({
        "reviews": float(n), "mean_score": round(float(row["mean_score"] or 0.0), 4),
        "negative_pct": _pct(float(row["negative"]), n) or 0.0, "positive_pct": _pct(float(row["positive"]), n) or 0.0,
        "neutral_pct": _pct(float(row["neutral"]), n) or 0.0, "spam_reviews": float(spam),
        "spam_share_pct": _pct(spam, total) or 0.0})
    if row["mean_rating"] is not None and not pd.isna(row["mean_rating"]):
        cx.result.metrics["mean_rating"] = round(float(row["mean_rating"]), 3)
    return row


def _grouped(cx: ReviewContext, group: str) -> pd.DataFrame:
    frame = cx.repo.sentiment_by(cx.state.model_version, group, cx.flt)
    if frame.empty:
        return frame
    frame["mean_score"] = frame["mean_score"].astype(float).round(3)
    frame["negative_pct"] = (100 * frame["negative"] / frame["reviews"]).round(1)
    frame["positive_pct"] = (100 * frame["positive"] / frame["reviews"]).round(1)
    frame["mean_rating"] = frame["mean_rating"].astype(float).round(2)
    frame["confidence"] = [volume_label(int(n)) for n in frame["reviews"]]
    return frame[["key", "reviews", "mean_score", "negative_pct", "positive_pct", "mean_rating", "confidence"]]


# -- handlers -------------------------------------------------------------------------------------------------
def _ratings(cx: ReviewContext) -> str:
    """Reviews per star rating (spam excluded) as the first table, and the sentence for the asked stars
    (plan.thresholds["stars"]), when the question counts ratings; '' otherwise."""
    if not cx.plan.thresholds.get("rating_distribution"):
        return ""
    ratings = pd.to_numeric(cx.frame()["rating"], errors="coerce").dropna().round().astype(int)
    if ratings.empty:
        cx.warn("These reviews carry no star ratings, so they cannot be counted by stars.")
        return ""
    counts = ratings.value_counts().reindex(range(1, 6), fill_value=0)
    total = int(counts.sum())
    frame = pd.DataFrame({"stars": list(counts.index), "reviews": [int(v) for v in counts],
                          "share_pct": [round(100 * int(v) / total, 1) for v in counts]})
    cx.table(f"Reviews by star rating, {cx.scope()} (spam excluded)", frame)
    for k, v in counts.items():
        cx.result.metrics[f"reviews_{k}_star"] = float(v)
    asked = cx.plan.thresholds.get("stars")
    if asked is None:
        return (f"{cx.lead()}: " + ", ".join(f"{k}★ {int(v):,}" for k, v in counts.items())
                + f" of {total:,} rated reviews (spam excluded). ")
    k = int(asked)
    return (f"{cx.lead()}: {int(counts[k]):,} {k}★ reviews of {total:,} rated reviews "
            f"({frame.loc[frame['stars'] == k, 'share_pct'].iloc[0]}%, spam excluded). ")


def sentiment(cx: ReviewContext) -> None:
    row = _kpis(cx)
    if row is None:
        _empty(cx)
        return
    mt = cx.result.metrics
    n = int(mt["reviews"])
    lead = _ratings(cx)
    group = cx.plan.group_by if cx.plan.group_by in ("category", "product") else None
    groups_shown = ("category",) if group is None else (group,)
    for g in groups_shown:
        frame = _grouped(cx, g)
        if frame.empty or (g == "category" and group is None and len(frame) < 2):
            continue
        asc = cx.plan.order == "asc"
        full = frame[frame["reviews"] >= min(5, int(frame["reviews"].max()))].sort_values(
            ["mean_score", "key"], ascending=[asc, True])
        ranked = full.head(cx.plan.top_n) if g == "product" else full
        label = "products" if g == "product" else "categories"
        title = f"Sentiment by {g}, {cx.scope()}"
        cx.table(title, ranked.rename(columns={"key": g}))
        fig = go.Figure(go.Bar(x=ranked["key"].tolist(), y=ranked["mean_score"].tolist(),
                               marker_color=["#c0392b" if v < 0 else "#2e86c1" for v in ranked["mean_score"]],
                               customdata=ranked[["reviews", "negative_pct"]].to_numpy().tolist(),
                               hovertemplate="%{x}<br>mean score %{y:.2f}<br>%{customdata[0]} reviews, "
                                             "%{customdata[1]}% negative<extra></extra>"))
        fig.update_yaxes(title="mean sentiment (−1..1)", range=[-1, 1])
        cx.chart(title, fig)
        if len(full) > 1:
            worst, best = full.sort_values("mean_score").iloc[0], full.sort_values("mean_score").iloc[-1]
            cx.find(f"Lowest {g} sentiment: {worst['key']} ({worst['mean_score']:+.2f}, {worst['negative_pct']}% "
                    f"negative, {int(worst['reviews'])} reviews); highest: {best['key']} ({best['mean_score']:+.2f}).")
        if g == "product" and (ranked["confidence"] == "low").any():
            cx.warn(f"Some {label} have fewer than 20 reviews: their scores are marked low confidence.")
    _disagreement(cx)
    cx.result.summary = lead + (f"{cx.lead()}: {n:,} reviews (spam excluded), mean sentiment {mt['mean_score']:+.2f} on "
                         f"−1..1; {mt['negative_pct']}% negative, {mt['positive_pct']}% positive"
                         + (f", mean rating {mt['mean_rating']:.2f}★" if "mean_rating" in mt else "")
                         + f". {int(mt['spam_reviews']):,} reviews ({mt['spam_share_pct']}%) are flagged as spam "
                           "and left out.")
    cx.result.confidence = volume_confidence(n)


def _disagreement(cx: ReviewContext) -> None:
    """Reviews whose stars and text disagree: ≥ 4★ with a negative text, ≤ 2★ with a positive one."""
    frame = cx.frame().dropna(subset=["rating", "label"])
    if frame.empty:
        return
    high_neg = frame[(frame["rating"] >= 4) & (frame["label"] == "negative")]
    low_pos = frame[(frame["rating"] <= 2) & (frame["label"] == "positive")]
    n = len(high_neg) + len(low_pos)
    cx.result.metrics["rating_text_disagreement_pct"] = _pct(n, len(frame)) or 0.0
    if not n:
        return
    both = pd.concat([high_neg.assign(kind="high stars, negative text"),
                      low_pos.assign(kind="low stars, positive text")])
    both = both.assign(strength=(both["score"].abs())).sort_values("strength", ascending=False).head(20)
    show = pd.DataFrame({"review": both["review_key"], "product": both["sku"], "rating": both["rating"],
                         "text_label": both["label"], "score": both["score"].round(3), "kind": both["kind"],
                         "text": [str(t)[:200] for t in review_texts(both)]})
    cx.table("Reviews whose rating and text disagree", show)
    cx.find(f"{n:,} reviews ({_pct(n, len(frame))}%) have a rating that disagrees with their text "
            f"({len(high_neg):,} high-star reviews read negative, {len(low_pos):,} low-star reviews read positive).")


def _topics_of(cx: ReviewContext, label: str, title: str) -> int:
    frame = cx.frame()
    everything = frame[frame["label"] == label]
    part = cx.text_sample(everything[everything["text"].notna() | everything["title"].notna()], "Topics")
    texts = review_texts(part)
    known = aspects_mod.product_nouns(texts) | {c.lower() for c in frame["category"].dropna().unique()}
    result = find_topics(texts, keys=part["review_key"].astype(str).tolist(), scores=part["score"].tolist(),
                         extra_stopwords=sorted(known))
    cx.result.metrics[f"{label}_reviews"] = float(len(everything))
    if not result.topics:
        cx.warn(result.note or f"No topics found in the {label} reviews.")
        return 0
    rows = [[t.label, t.reviews, t.share_pct, t.mean_score, ", ".join(t.terms), *([*t.quotes, "", "", ""])[:3]]
            for t in result.topics]
    cx.result.tables.append(Table(f"{title}, {cx.scope()} ({len(part):,} {label} reviews, {result.k} topics)",
                                  ["topic", "reviews", "share_pct", "mean_score", "top_terms", "quote_1", "quote_2",
                                   "quote_3"], rows))
    fig = go.Figure(go.Bar(x=[t.reviews for t in result.topics][::-1], y=[t.label for t in result.topics][::-1],
                           orientation="h", marker_color="#c0392b" if label == "negative" else "#27ae60"))
    fig.update_xaxes(title="reviews")
    cx.chart(f"{title}: reviews per topic", fig)
    cx.result.metrics[f"{label}_topics"] = float(len(result.topics))
    if result.silhouette is not None:
        cx.result.metrics[f"{label}_topic_silhouette"] = result.silhouette
    top = result.topics[0]
    cx.find(f"Largest {label} topic: '{top.label}' ({top.reviews} reviews, {top.share_pct}%), e.g. "
            f"\"{top.quotes[0] if top.quotes else ''}\"")
    return len(everything)


def complaints(cx: ReviewContext) -> None:
    if _kpis(cx) is None:
        _empty(cx)
        return
    n = _topics_of(cx, "negative", "What negative reviews are about")
    frame = cx.frame()
    patterns = requests_mod.complaint_patterns(frame)
    patterns = patterns[patterns["negative_reviews"] > 0] if n else patterns
    if not patterns.empty:
        cx.table(f"Complaint patterns, {cx.scope()}", patterns.head(cx.plan.top_n))
        first = patterns.iloc[0]
        cx.find(f"Most common complaint: {first['complaint']} ({int(first['negative_reviews'])} negative reviews"
                + (f", {first['share_of_negative_pct']}% of them" if first["share_of_negative_pct"] is not None else "")
                + ").")
    mt = cx.result.metrics
    top = ", ".join(str(c) for c in patterns["complaint"].head(3)) if not patterns.empty else "no recurring pattern"
    cx.result.summary = (f"{cx.lead()}: {n:,} negative reviews of {int(mt['reviews']):,} ({mt['negative_pct']}%). "
                         f"Most common complaints: {top}.")
    cx.result.confidence = volume_confidence(n)


def praise(cx: ReviewContext) -> None:
    if _kpis(cx) is None:
        _empty(cx)
        return
    n = _topics_of(cx, "positive", "What positive reviews are about")
    mt = cx.result.metrics
    first = cx.result.findings[-1].text if cx.result.findings else ""
    cx.result.summary = (f"{cx.lead()}: {n:,} positive reviews of {int(mt['reviews']):,} ({mt['positive_pct']}%). "
                         + first)
    cx.result.confidence = volume_confidence(n)


def aspects(cx: ReviewContext) -> None:
    if _kpis(cx) is None:
        _empty(cx)
        return
    frame = cx.text_sample(cx.frame(), "Aspects")
    texts = review_texts(frame)
    known = aspects_mod.product_nouns(texts) | {c.lower() for c in frame["category"].dropna().unique()}
    lexicon = dict(aspects_mod.ASPECTS)
    asked = [a for a in cx.plan.aspects if a in lexicon]
    chosen = {a: lexicon[a] for a in asked} if asked else {**lexicon, **aspects_mod.data_aspects(texts, known)}
    mentions = aspects_mod.aspect_mentions(frame.assign(text=texts), chosen)
    table = aspects_mod.aspect_sentiment(mentions, cx.scorer, reviews=len(frame),
                                         min_mentions=1 if asked else max(5, len(frame) // 200))
    if len(mentions.frame) > 5000:
        cx.warn(f"{len(mentions.frame):,} aspect sentences: a seeded sample of 5,000 was scored.")
    if table.empty:
        cx.result.summary = (f"{cx.lead()}: no review mentions {', '.join(asked) or 'any known aspect'}.")
        cx.result.confidence = 0.3
        return
    if cx.plan.group_by == "category" and not asked:
        _aspects_by_category(cx, frame.assign(text=texts), chosen)
    cx.table(f"Aspect sentiment, {cx.scope()} (sentence level)", table)
    fig = go.Figure()
    fig.add_bar(y=table["aspect"], x=table["positive_pct"], name="positive %", orientation="h", marker_color="#27ae60")
    fig.add_bar(y=table["aspect"], x=-table["negative_pct"], name="negative %", orientation="h", marker_color="#c0392b")
    fig.update_layout(barmode="relative", yaxis={"autorange": "reversed"})
    fig.update_xaxes(title="share of mentioning sentences (negative left, positive right)")
    cx.chart(f"Aspects: positive vs negative mentions, {cx.scope()}", fig)
    worst = table.sort_values("mean_score").iloc[0]
    parts = [f"{r.aspect} {r.mean_score:+.2f} ({r.negative_pct}% negative, {r.reviews} reviews)"
             for r in table.head(6).itertuples()]
    cx.result.summary = f"{cx.lead()}: " + "; ".join(parts) + "."
    if not asked or len(table) > 1:
        cx.find(f"Weakest aspect: {worst['aspect']} (mean {worst['mean_score']:+.2f}, {worst['negative_pct']}% of its "
                f"mentions negative), e.g. \"{worst['negative_example']}\"")
    for aspect, score in zip(table["aspect"], table["mean_score"], strict=True):
        cx.result.metrics[f"aspect_{aspect}_score"] = float(score)
    cx.result.confidence = volume_confidence(int(table["reviews"].max()))


def _aspects_by_category(cx: ReviewContext, frame: pd.DataFrame, chosen: dict[str, str]) -> None:
    rows = []
    for category, part in frame.groupby(frame["category"].fillna("(no category)")):
        if len(part) < 20:
            continue
        m = aspects_mod.aspect_mentions(part, chosen)
        t = aspects_mod.aspect_sentiment(m, cx.scorer, reviews=len(part), cap=1500, min_mentions=5)
        rows += [[category, r.aspect, r.mentions, r.mean_score, r.negative_pct] for r in t.head(8).itertuples()]
    if rows:
        cx.result.tables.append(Table(f"Aspect sentiment by category, {cx.scope()}",
                                      ["category", "aspect", "mentions", "mean_score", "negative_pct"], rows))
        heat = pd.DataFrame(rows, columns=["category", "aspect", "mentions", "mean_score", "negative_pct"])
        pivot = heat.pivot_table(index="category", columns="aspect", values="mean_score")
        fig = go.Figure(go.Heatmap(z=pivot.to_numpy().tolist(), x=list(pivot.columns), y=list(pivot.index),
                                   colorscale="RdBu", zmin=-1, zmax=1))
        cx.chart("Aspect sentiment by category", fig)


def requests(cx: ReviewContext) -> None:
    if _kpis(cx) is None:
        _empty(cx)
        return
    frame = cx.frame()
    found = requests_mod.find_requests(frame.assign(text=review_texts(frame)))
    if cx.plan.aspects:
        wanted = [aspects_mod.ASPECTS[a] for a in cx.plan.aspects if a in aspects_mod.ASPECTS]
        found = [r for r in found if any(re.search(rx, r.sentence.lower()) for rx in wanted)]
    groups = requests_mod.group_requests(found, top=cx.plan.top_n if cx.plan.top_n != 10 else 20)
    cx.result.metrics["feature_requests"] = float(len(found))
    cx.result.metrics["reviews_with_requests"] = float(len({r.review_key for r in found}))
    if not groups:
        cx.result.summary = f"{cx.lead()}: no feature requests found in {len(frame):,} reviews."
        cx.result.confidence = volume_confidence(len(frame)) * 0.8
        return
    rows = [[g.what, g.mentions, ", ".join(g.products), *([*g.examples, "", ""])[:2]] for g in groups]
    cx.result.tables.append(Table(f"Feature requests, {cx.scope()}", ["request", "mentions", "products", "example_1",
                                                                      "example_2"], rows))
    fig = go.Figure(go.Bar(x=[g.mentions for g in groups][:15][::-1], y=[g.what for g in groups][:15][::-1],
                           orientation="h", marker_color="#8e44ad"))
    fig.update_xaxes(title="mentions")
    cx.chart(f"Feature requests, {cx.scope()}", fig)
    top = "; ".join(f"{g.what} ({g.mentions})" for g in groups[:5])
    cx.result.summary = (f"{cx.lead()}: {len(found):,} feature requests in "
                         f"{int(cx.result.metrics['reviews_with_requests']):,} reviews. Most asked for: {top}.")
    cx.find(f"Example request: \"{groups[0].examples[0]}\"")
    cx.result.confidence = volume_confidence(len(found))


def trend(cx: ReviewContext) -> None:
    row = _kpis(cx)
    if row is None:
        _empty(cx)
        return
    if not cx.counts.get("dated"):
        cx.result.summary = (f"{cx.lead()}: the reviews carry no dates, so sentiment over time and products whose "
                             "reviews got worse cannot be computed. Upload reviews with a date column.")
        cx.warn("Reviews have no dates: no trend.")
        cx.result.status = "partial"
        cx.result.confidence = 0.2
        return
    grain = cx.plan.group_by if cx.plan.group_by in TIME_GROUPS else "month"
    flt_all = cx.flt if len(cx.plan.periods) < 2 else cx.flt.with_period(cx.plan.periods[1].start,
                                                                          cx.plan.periods[0].end)
    series = cx.repo.sentiment_by(cx.state.model_version, grain, flt_all)
    if not series.empty:
        series["negative_pct"] = (100 * series["negative"] / series["reviews"]).round(1)
        series["mean_score"] = series["mean_score"].astype(float).round(3)
        title = f"Review sentiment by {grain}, {cx.scope()}"
        cx.table(title, series[["key", "reviews", "mean_score", "negative_pct"]].rename(columns={"key": grain}))
        fig = go.Figure()
        fig.add_scatter(x=series["key"].tolist(), y=series["mean_score"].tolist(), mode="lines+markers",
                        name="mean sentiment")
        fig.add_bar(x=series["key"].tolist(), y=series["reviews"].tolist(), name="reviews", yaxis="y2", opacity=0.3)
        fig.update_layout(yaxis={"title": "mean sentiment (−1..1)", "range": [-1, 1]},
                          yaxis2={"title": "reviews", "overlaying": "y", "side": "right"})
        cx.chart(title, fig)
        if grain == "month":
            slope = trends_mod.monthly_slope(series["key"].tolist(), series["mean_score"].tolist(),
                                             series["reviews"].astype(int).tolist())
            if slope is not None:
                cx.result.metrics["mean_score_change_per_month"] = round(slope, 4)
    windows = _windows(cx)
    worse_n, names = 0, ""
    if windows is not None:
        frame = cx.repo.scored_reviews(cx.state.model_version, cx.flt.with_period(windows.earlier[0],
                                                                                  windows.recent[1]))
        frame = frame.assign(product=frame["sku"].fillna(frame["product_name"]).fillna("(no product)"))
        changes = trends_mod.worsening_products(frame, windows)
        worse = changes[changes["worse"].astype(bool)]
        worse_n = len(worse)
        names = ", ".join(str(p) for p in worse["product"].head(3))
        cx.result.metrics["products_compared"] = float(len(changes))
        cx.result.metrics["products_worse"] = float(worse_n)
        shown = (worse if worse_n else changes).head(cx.plan.top_n)
        if not shown.empty:
            cx.table(f"Products whose review sentiment changed most, {windows.text()}", shown)
        if worse_n:
            w = worse.iloc[0]
            cx.find(f"Reviews of {w['product']} got worse: mean {w['earlier_mean']:+.2f} → {w['recent_mean']:+.2f} "
                    f"({int(w['earlier_reviews'])} → {int(w['recent_reviews'])} reviews, negative "
                    f"{w['earlier_negative_pct']}% → {w['recent_negative_pct']}%).", "warning")
    slope_text = ""
    if "mean_score_change_per_month" in cx.result.metrics:
        s = cx.result.metrics["mean_score_change_per_month"]
        slope_text = f" The monthly mean moves {s:+.3f} per month."
    if windows is None:
        cx.result.summary = (f"{cx.lead()}: the reviews span too little time to compare windows." + slope_text)
    else:
        cx.result.summary = (f"{cx.lead()}, {windows.text()}: {worse_n} of "
                             f"{int(cx.result.metrics.get('products_compared', 0))} products with ≥ "
                             f"{trends_mod.MIN_REVIEWS} reviews in both windows got significantly worse"
                             + (f" ({names})" if names else "") + "." + slope_text)
    cx.result.confidence = volume_confidence(int(cx.result.metrics.get("reviews", 0)))


def _windows(cx: ReviewContext) -> trends_mod.Windows | None:
    periods = cx.plan.periods
    if len(periods) == 2:
        return trends_mod.Windows((periods[1].start, periods[1].end), (periods[0].start, periods[0].end))
    dates = cx.repo.vocabulary()
    lo = periods[0].start if periods else dates.review_start
    hi = periods[0].end if periods else dates.review_end
    return trends_mod.default_windows(lo, hi) if lo and hi else None


def spam(cx: ReviewContext) -> None:
    total, flagged = cx.counts["reviews"], cx.counts["spam"]
    cx.result.metrics.update({"reviews": float(total), "spam_reviews": float(flagged),
                              "spam_share_pct": _pct(flagged, total) or 0.0})
    reasons = cx.repo.spam_reason_counts(cx.flt)
    if not reasons.empty:
        split = reasons.assign(reason=reasons["spam_reasons"].fillna("").str.split("; ")).explode("reason")
        split["reason"] = split["reason"].str.replace(r"(near-duplicate of review) .*", r"\1 …", regex=True)
        split["reason"] = split["reason"].str.replace(r"(burst: )\d+ .*", r"\1several reviews by one author in a day",
                                                      regex=True)
        by_reason = split.groupby("reason")["reviews"].sum().sort_values(ascending=False)
        cx.table("Spam flags by reason", pd.DataFrame({"reason": by_reason.index, "reviews": by_reason.to_numpy()}))
    flagged_rows = cx.repo.spam_reviews(cx.flt, limit=200)
    if not flagged_rows.empty:
        cx.table("Reviews flagged as spam (kept, left out of the KPIs)", flagged_rows.assign(
            text=[str(t)[:200] for t in flagged_rows["text"].fillna("")]))
    cx.result.summary = (f"{cx.lead()}: {flagged:,} of {total:,} reviews ({_pct(flagged, total) or 0}%) are flagged as "
                         "spam (links, promotion, copies of other reviews, very short generic texts, bursts from one "
                         "author); they are kept and left out of every sentiment KPI.")
    cx.result.confidence = 0.9 if total else 0.0


def _empty(cx: ReviewContext) -> None:
    cx.result.status = "partial"
    cx.result.summary = f"No reviews match {cx.scope()} (spam excluded)."
    cx.warn("No reviews under these filters.")
    cx.result.confidence = 0.0


HANDLERS: dict[str, Callable[[ReviewContext], None]] = {
    "review_sentiment": sentiment, "review_complaints": complaints, "review_praise": praise,
    "review_aspects": aspects, "review_requests": requests, "review_trend": trend, "review_spam": spam,
}


def review_filter(plan: Plan) -> ReviewFilter:
    """The reviews a plan reads: its (first) period, categories, SKUs and product names."""
    start = end = None
    if plan.periods:
        start, end = min(p.start for p in plan.periods), max(p.end for p in plan.periods)
        if plan.intent != "review_trend":
            start, end = plan.periods[0].start, plan.periods[0].end
    return ReviewFilter(start=start, end=end, categories=tuple(plan.filters.categories), skus=tuple(plan.filters.skus),
                        products=tuple(plan.filters.products))


def drift_warning(cx: ReviewContext) -> None:
    """The models package's drift check (PSI of the scores, vocabulary coverage) on the reviews this answer read;
    a drift is a warning finding, a check that cannot run is a warning line (the answer stands)."""
    from ecomintel.models.drift import drift_check
    from ecomintel.models.registry import open_registry

    frame = cx.frame().dropna(subset=["score"])
    if len(frame) < 50:
        return
    if len(frame) > TEXT_SAMPLE:  # PSI and vocabulary coverage of a seeded sample: the check stays cheap
        frame = frame.sample(n=TEXT_SAMPLE, random_state=13)
    try:
        registry = open_registry(cx.settings, engine=cx.repo.engine)
        report = drift_check(registry, cx.state.model_version, review_texts(frame), frame["score"].tolist())
    except Exception as exc:  # a failing check must not fail the answer
        cx.warn(f"The model drift check could not run ({exc.__class__.__name__}).")
        return
    if report.psi is not None:
        cx.result.metrics["score_psi"] = round(float(report.psi), 4)
    if report.drifted:
        cx.find(f"Sentiment model drift: {report.message}", "warning")


class SentimentAgent:
    """Answers review questions: sentiment, complaints, praise, aspects, feature requests, trends, spam."""

    name = "sentiment"
    time_budget_s = 20.0  # at least this long even for quick answers (ask/executor.py)
    description = ("Reviews: sentiment per category/product/period, rating-vs-text disagreement, aspect sentiment, "
                   "topics of negative and positive reviews with quotes, complaint patterns, feature requests, "
                   "products whose reviews got worse, spam flags (excluded from the KPIs).")

    def __init__(self, settings: Settings | None = None, model: Any = None) -> None:
        self.settings = settings
        self.model = model

    def run(self, ctx: RequestContext, repo: Repository, plan: Plan) -> AgentResult:
        started = time.perf_counter()
        result = AgentResult(agent=self.name)
        counts = repo.review_counts()
        if not counts["reviews"]:
            result.status = "partial"
            result.summary = "No reviews are loaded for this workspace, so there is nothing to read."
            result.warnings.append("Upload reviews (Upload → reviews) to answer review questions.")
            result.confidence = 0.0
            return result
        settings = self.settings or load_settings()
        model = self.model
        if model is None:
            from ecomintel.agents.review_scores import active_model

            model = active_model(settings, repo.engine)
        limit = settings.deep_timeout_s if plan.mode == "deep" else settings.quick_timeout_s
        state = ensure_scores(repo, settings, model, budget_s=0.4 * limit)
        flt = review_filter(plan)
        cx = ReviewContext(self.name, repo, plan, settings, flt, state, model, result,
                           counts=repo.review_counts(flt))
        handler = HANDLERS.get(plan.intent)
        if handler is None:
            cx.warn(f"Intent {plan.intent!r} is not a review analysis; showing review sentiment.")
            handler = sentiment
        handler(cx)
        if plan.intent != "review_spam" and result.status == "ok":
            drift_warning(cx)
        if state.remaining:
            result.status = "partial"
            result.warnings.append(f"{state.remaining:,} reviews are not scored yet (scoring goes on with the next "
                                   "question or the Sentiment page); this answer reads the reviews scored so far.")
        if state.scored_now:
            result.findings.append(Finding("info", f"{state.scored_now:,} reviews were scored now with the "
                                                   f"{state.model_name} model ({state.elapsed_ms / 1000:.1f} s); "
                                                   "later answers read the stored scores."))
        result.evidence.append(cx.evidence_ref(int(result.metrics.get("reviews", 0)) or None))
        result.confidence = round(max(0.0, min(1.0, result.confidence)), 3)
        result.elapsed_ms = int((time.perf_counter() - started) * 1000)
        return result
