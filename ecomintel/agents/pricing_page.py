"""What the Pricing page shows, as agent results: one Plan per section (position, changes, promotions,
recommendations) built from the page's filters, run through the same agent Ask uses.

Why here: the page stays thin (widgets and drawing only), and what it shows is exactly what Ask answers for
the same filters — one code path, tested without a browser.
"""

from __future__ import annotations

from ecomintel.agents.base import AgentResult
from ecomintel.agents.pricing import run_pricing
from ecomintel.ask.plan import Filters, Plan
from ecomintel.db.repository import Repository

SECTIONS = ("price_position", "price_changes", "promotions", "price_recommendations")


def section_results(repo: Repository, *, categories: list[str], marketplaces: list[str], gap_pct: float | None,
                    sections: tuple[str, ...] = SECTIONS) -> dict[str, AgentResult]:
    """The pricing agent's result for each section under the page's filters (gap_pct None: the tenant's
    threshold setting)."""
    filters = Filters(categories=categories[:20], marketplaces=marketplaces[:20])
    thresholds = {} if gap_pct is None else {"gap_pct": float(gap_pct), "change_pct": float(gap_pct)}
    out = {}
    for intent in sections:
        plan = Plan(intent=intent, agents=["pricing"], filters=filters, thresholds=thresholds,  # type: ignore[arg-type]
                    planner="page", confidence=1.0)
        out[intent] = run_pricing(repo, plan)
    return out
