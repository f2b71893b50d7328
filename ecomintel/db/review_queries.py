"""Review reads and writes: sentiment scores per (review, model version), sentiment aggregates by category /
product / period, the reviews behind an analysis, and the spam flags of the cross-review pass.

Why in SQL: KPIs (mean score, % negative, % spam by category, product or month) are GROUP BYs the database does
over the tenant's reviews joined with their stored scores; pandas only sees one row per group. The text-level
analyses (aspects, topics, requests) need the texts, so `scored_reviews` returns them — filtered in SQL, spam
left out unless asked for.
Definitions: a review is negative when its text's label is "negative" (the active model, ecomintel/models);
spam (`is_spam`, flagged at ingest with reasons) is excluded from every KPI by default and counted apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ecomintel.db import models as m
from ecomintel.db.scoped import RepositoryCore

if TYPE_CHECKING:
    import pandas as pd

REVIEW_GROUPS = ("category", "product", "day", "week", "month", "quarter")


@dataclass(frozen=True)
class ReviewFilter:
    """Which reviews an analysis reads: a created_at range (inclusive dates), categories (exact, case
    insensitive), SKUs, product-name fragments; spam is left out unless `include_spam`."""

    start: date | None = None
    end: date | None = None
    categories: tuple[str, ...] = ()
    skus: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    include_spam: bool = False

    def with_period(self, start: date | None, end: date | None) -> ReviewFilter:
        return replace(self, start=start, end=end)


class ReviewQueries(RepositoryCore):
    """Tenant-scoped review statements; every one starts from `self.scoped(m.reviews)`."""

    # -- filters and keys ------------------------------------------------------------------------------------
    def _review_where(self, stmt: sa.Select[Any], flt: ReviewFilter, spam: bool = True) -> sa.Select[Any]:
        r = m.reviews
        if flt.start is not None:
            stmt = stmt.where(r.c.created_at >= datetime.combine(flt.start, datetime.min.time()))
        if flt.end is not None:
            stmt = stmt.where(r.c.created_at < datetime.combine(flt.end + timedelta(days=1), datetime.min.time()))
        if flt.categories:
            stmt = stmt.where(sa.func.lower(r.c.category).in_([c.lower() for c in flt.categories]))
        named: list[Any] = [r.c.sku.in_(list(flt.skus))] if flt.skus else []
        named += [sa.func.lower(r.c.product_name).contains(p.lower(), autoescape=True) for p in flt.products]
        if named:
            stmt = stmt.where(sa.or_(*named))
        if spam and not flt.include_spam:
            stmt = stmt.where(r.c.is_spam.is_(sa.false()))
        return stmt

    def _review_key(self, group: str) -> Any:
        """SQL expression of a grouping key over reviews: category, product (name, else SKU) or a time bucket
        of created_at as text (week = its Monday, quarter = '2024-Q1')."""
        r = m.reviews
        if group == "category":
            return sa.func.coalesce(r.c.category, "(no category)")
        if group == "product":
            return sa.func.coalesce(r.c.sku, r.c.product_name, "(no product)")
        pg = self.dialect == "postgresql"
        col, text = r.c.created_at, sa.type_coerce(r.c.created_at, sa.String)
        if group == "day":
            return sa.func.to_char(col, "YYYY-MM-DD") if pg else sa.func.substr(text, 1, 10)
        if group == "month":
            return sa.func.to_char(col, "YYYY-MM") if pg else sa.func.substr(text, 1, 7)
        if group == "week":
            if pg:
                return sa.func.to_char(sa.func.date_trunc("week", col), "YYYY-MM-DD")
            return sa.func.date(text, "weekday 0", "-6 days")
        if group == "quarter":
            if pg:
                return sa.func.to_char(col, 'YYYY-"Q"Q')
            q = (sa.cast(sa.func.substr(text, 6, 2), sa.Integer) + 2) // 3
            return sa.func.substr(text, 1, 4) + "-Q" + sa.cast(q, sa.String)
        raise ValueError(f"unknown review grouping {group!r}; known: {REVIEW_GROUPS}")

    def _joined(self, model_version: str, *columns: Any) -> sa.Select[Any]:
        r, s = m.reviews, m.review_scores
        join = r.join(s, sa.and_(s.c.review_id == r.c.id, s.c.tenant_id == r.c.tenant_id,
                                 s.c.model_version == model_version), isouter=True)
        return sa.select(*columns).select_from(join).where(r.c.tenant_id == self.tenant_id)

    # -- facts about the reviews -----------------------------------------------------------------------------
    def review_counts(self, flt: ReviewFilter | None = None) -> dict[str, int]:
        """reviews (all, spam included), spam, with_text, dated under the filter's non-spam conditions."""
        r = m.reviews
        flt = replace(flt or ReviewFilter(), include_spam=True)
        stmt = self._review_where(self.scoped(
            r, sa.func.count(), sa.func.coalesce(sa.func.sum(sa.case((r.c.is_spam, 1), else_=0)), 0),
            sa.func.count(r.c.text), sa.func.count(r.c.created_at)), flt)
        with self.engine.connect() as conn:
            n, spam, texts, dated = conn.execute(stmt).one()
        return {"reviews": int(n or 0), "spam": int(spam or 0), "with_text": int(texts or 0),
                "dated": int(dated or 0)}

    def review_groups(self, group: str, flt: ReviewFilter) -> pd.DataFrame:
        """Reviews per category / product (spam excluded unless the filter includes it), most first: key, reviews."""
        r = m.reviews
        key = self._review_key(group).label("key")
        n = sa.func.count().label("reviews")
        stmt = self._review_where(self.scoped(r, key, n), flt).group_by(key).order_by(n.desc(), key)
        frame = self.frame(stmt)
        if not frame.empty:
            frame["key"] = frame["key"].astype(str)
        return frame

    # -- scores ----------------------------------------------------------------------------------------------
    def unscored_reviews(self, model_version: str) -> pd.DataFrame:
        """Reviews with no score under `model_version`, or scored before their row was rewritten by a later
        batch: columns id, batch_id, title, text."""
        r, s = m.reviews, m.review_scores
        stmt = (self._joined(model_version, r.c.id, r.c.batch_id, r.c.title, r.c.text)
                .where(sa.or_(s.c.id.is_(None),
                              sa.func.coalesce(s.c.review_batch_id, -1) != sa.func.coalesce(r.c.batch_id, -1)))
                .order_by(r.c.id))
        return self.frame(stmt)

    def store_review_scores(self, model_version: str, frame: pd.DataFrame, data_version: int) -> int:
        """Store (replace) the scores of frame's reviews (columns id, batch_id, label, score, reason)."""
        self.require_write()
        if frame.empty:
            return 0
        s = m.review_scores
        ids = [int(v) for v in frame["id"]]
        rows = [{"tenant_id": self.tenant_id, "review_id": int(i), "review_batch_id": None if b is None or b != b
                 else int(b), "model_version": model_version, "label": str(label), "score": float(score),
                 "reason": None if reason is None else str(reason)[:200], "data_version": data_version}
                for i, b, label, score, reason in zip(frame["id"], frame["batch_id"], frame["label"],
                                                      frame["score"], frame["reason"], strict=True)]
        with self.engine.begin() as conn:
            for lo in range(0, len(ids), 500):
                conn.execute(sa.delete(s).where(s.c.tenant_id == self.tenant_id, s.c.model_version == model_version,
                                                s.c.review_id.in_(ids[lo:lo + 500])))
            conn.execute(sa.insert(s), rows)
        return len(rows)

    def sentiment_by(self, model_version: str, group: str | None, flt: ReviewFilter) -> pd.DataFrame:
        """Per group (or one row 'all' when group is None): reviews, scored, mean_score, negative, neutral,
        positive, mean_rating; spam excluded unless the filter includes it."""
        r, s = m.reviews, m.review_scores
        key = self._review_key(group).label("key") if group else sa.literal("all").label("key")

        def count(label: str) -> Any:
            return sa.func.coalesce(sa.func.sum(sa.case((s.c.label == label, 1), else_=0)), 0).label(label)

        stmt = self._joined(model_version, key, sa.func.count().label("reviews"),
                            sa.func.count(s.c.score).label("scored"), sa.func.avg(s.c.score).label("mean_score"),
                            count("negative"), count("neutral"), count("positive"),
                            sa.func.avg(r.c.rating).label("mean_rating"))
        stmt = self._review_where(stmt, flt)
        if group in ("day", "week", "month", "quarter"):
            stmt = stmt.where(r.c.created_at.is_not(None))
        if group:
            stmt = stmt.group_by(key).order_by(key)
        frame = self.frame(stmt)
        if not frame.empty:
            frame["key"] = frame["key"].astype(str)
        return frame

    def scored_reviews(self, model_version: str, flt: ReviewFilter, *, limit: int | None = None) -> pd.DataFrame:
        """The filtered reviews with their scores: id, review_key, sku, product_name, category, rating, title,
        text, author, created_at, helpful_count, is_spam, spam_reasons, label, score, reason."""
        r, s = m.reviews, m.review_scores
        stmt = self._joined(model_version, r.c.id, r.c.review_key, r.c.sku, r.c.product_name, r.c.category,
                            r.c.rating, r.c.title, r.c.text, r.c.author, r.c.created_at, r.c.helpful_count,
                            r.c.is_spam, r.c.spam_reasons, s.c.label, s.c.score, s.c.reason)
        stmt = self._review_where(stmt, flt).order_by(r.c.id)
        if limit:
            stmt = stmt.limit(limit)
        return self.frame(stmt)

    def spam_reviews(self, flt: ReviewFilter, limit: int = 500) -> pd.DataFrame:
        """Flagged reviews with their reasons (most recent first): review_key, sku, category, rating, author,
        created_at, title, text, spam_reasons."""
        r = m.reviews
        stmt = self._review_where(self.scoped(r, r.c.review_key, r.c.sku, r.c.category, r.c.rating, r.c.author,
                                              r.c.created_at, r.c.title, r.c.text, r.c.spam_reasons)
                                  .where(r.c.is_spam.is_(sa.true())), replace(flt, include_spam=True))
        return self.frame(stmt.order_by(r.c.created_at.desc(), r.c.id).limit(limit))

    def spam_reason_counts(self, flt: ReviewFilter) -> pd.DataFrame:
        """spam_reasons → reviews, for the flagged reviews under the filter."""
        r = m.reviews
        stmt = self._review_where(self.scoped(r, r.c.spam_reasons, sa.func.count().label("reviews"))
                                  .where(r.c.is_spam.is_(sa.true())), replace(flt, include_spam=True))
        return self.frame(stmt.group_by(r.c.spam_reasons))

    # -- the cross-review spam pass (ingest/review_patterns.py) ------------------------------------------------
    def review_spam_inputs(self, conn: sa.Connection) -> pd.DataFrame:
        """All of the tenant's reviews as the pattern pass reads them (inside the ingest transaction)."""
        r = m.reviews
        stmt = self.scoped(r, r.c.id, r.c.review_key, r.c.sku, r.c.author, r.c.text, r.c.created_at, r.c.is_spam,
                           r.c.spam_reasons).order_by(r.c.id)
        return self.frame(stmt, conn)

    def update_spam_flags(self, conn: sa.Connection, ids: Sequence[int], flags: Sequence[bool],
                          reasons: Sequence[str | None]) -> None:
        r = m.reviews
        stmt = (sa.update(r).where(r.c.tenant_id == self.tenant_id, r.c.id == sa.bindparam("rid"))
                .values(is_spam=sa.bindparam("flag"), spam_reasons=sa.bindparam("why")))
        conn.execute(stmt, [{"rid": int(i), "flag": bool(f), "why": w}
                            for i, f, w in zip(ids, flags, reasons, strict=True)])
