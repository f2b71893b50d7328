"""What the Sentiment page shows, computed by the sentiment agent: one AgentResult per section, for a filter.

Why through the agent: the page and Ask then show the same numbers from the same code (spam excluded, the same
stored scores, the same topics), and the page stays a thin drawing of results (pages/sentiment.py).
"""

from __future__ import annotations

from typing import Any

from ecomintel.agents.base import AgentResult
from ecomintel.agents.sentiment import SentimentAgent
from ecomintel.ask.plan import Filters, Plan
from ecomintel.config import Settings
from ecomintel.db.repository import Repository
from ecomintel.db.review_queries import ReviewFilter

SECTIONS: dict[str, tuple[str, str | None]] = {  # section → (intent, group_by)
    "overview": ("review_sentiment", "category"),
    "trend": ("review_trend", "month"),
    "aspects": ("review_aspects", None),
    "complaints": ("review_complaints", None),
    "praise": ("review_praise", None),
    "requests": ("review_requests", None),
    "spam": ("review_spam", None),
}
PRODUCT_SECTIONS = ("overview", "trend", "aspects", "complaints", "requests")


def section_results(repo: Repository, settings: Settings, *, categories: list[str] | None = None,
                    skus: list[str] | None = None, sections: tuple[str, ...] | None = None,
                    model: Any = None) -> dict[str, AgentResult]:
    """Each section's AgentResult for the reviews of `categories` / `skus` (all when empty)."""
    agent = SentimentAgent(settings, model=model)
    out = {}
    for name in sections or tuple(SECTIONS):
        intent, group_by = SECTIONS[name]
        if skus and name == "overview":
            group_by = None
        plan = Plan(intent=intent, agents=["sentiment"], group_by=group_by,  # type: ignore[arg-type]
                    filters=Filters(categories=list(categories or []), skus=list(skus or [])), top_n=20,
                    confidence=0.95, planner="page")
        out[name] = agent.run(repo.ctx, repo, plan)
    return out


def review_categories(repo: Repository) -> list[str]:
    """Categories of the tenant's reviews, most reviewed first."""
    frame = repo.review_groups("category", ReviewFilter())
    return [str(k) for k in frame["key"]]


def review_products(repo: Repository, limit: int = 300) -> list[tuple[str, int]]:
    """(product, reviews) of the most reviewed products, for the drill-down."""
    frame = repo.review_groups("product", ReviewFilter())
    return [(str(k), int(n)) for k, n in zip(frame["key"].head(limit), frame["reviews"].head(limit), strict=True)]
