"""Example questions that fit the tenant's own data: its latest complete month, its biggest country, its
best-selling product, and only the kinds of data it has.

Why not a fixed list: "top 10 products in November 2011" is a fine example for the demo shop and a
puzzling one for a shop whose data is from 2024, or that has loaded only reviews (the example would
answer "I can't"). An example someone clicks should be answered, with names they recognise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import streamlit as st

from ecomintel.db.repository import Repository
from ecomintel.db.sales_lines import SalesFilter

MAX_EXAMPLES = 4


@dataclass(frozen=True)
class Facts:
    """What the examples are built from (all read from the tenant's data)."""

    sales_end: date | None = None
    sales_start: date | None = None
    top_country: str | None = None
    countries: int = 0
    top_product: str | None = None
    reviews: int = 0
    review_agent: bool = False


def last_complete_month(start: date, end: date) -> tuple[date, date] | None:
    """The last calendar month fully inside start..end ("last month" in the planner's sense), if any."""
    last = end if (end + timedelta(days=1)).month != end.month else end.replace(day=1) - timedelta(days=1)
    first = last.replace(day=1)
    return (first, last) if first >= start else None


def examples_for(facts: Facts) -> list[str]:
    """Up to MAX_EXAMPLES questions this tenant's data answers, named in its own terms."""
    out: list[str] = []
    if facts.sales_end and facts.sales_start:
        month = last_complete_month(facts.sales_start, facts.sales_end)
        when = f" in {month[0]:%B %Y}" if month else ""
        out.append(f"top 10 products by revenue{when}")
        before = last_complete_month(facts.sales_start, month[0] - timedelta(days=1)) if month else None
        if month and before:
            same_year = before[0].year == month[0].year
            out.append(f"how did revenue change from {before[0]:%B}{'' if same_year else f' {before[0]:%Y}'} "
                       f"to {month[0]:%B %Y} and why")
        else:
            out.append("revenue by week")
        if facts.top_country and facts.countries > 1:
            out.append(f"revenue by country{when} excluding {facts.top_country}")
        elif facts.top_country:
            out.append(f"revenue in {facts.top_country} by week")
        if facts.top_product:
            out.append(f"weekly revenue of {facts.top_product.lower()}")
        out.append(f"which products were returned most{when}")
    if facts.reviews and facts.review_agent:
        out.insert(1 if out else 0, "which products have the worst reviews")
        if not out[1:]:  # reviews only: what the review analysis answers, nothing about sales
            out += ["what do customers complain about?", "what do people want us to add?"]
    return out[:MAX_EXAMPLES]


def empty_message(facts: Facts) -> str:
    """What to say instead of examples when the tenant's data answers no question yet."""
    if facts.reviews and not facts.sales_end:
        return ("This tenant has reviews but no sales lines: ask about the reviews, and upload sales lines to "
                "ask about revenue, products, countries and customers.")
    return "There is nothing to ask about yet: upload sales lines first (or load the sample data on Home)."


def _facts(repo: Repository) -> Facts:
    from ecomintel.agents.registry import REGISTRY
    from ecomintel.agents.sales_context import is_non_product_sku

    vocab = repo.vocabulary()
    overview = repo.overview()
    facts: dict[str, Any] = {"reviews": int(overview.get("reviews") or 0),
                             "review_agent": any(name in REGISTRY for name in ("reviews", "sentiment"))}
    if vocab.sales_start and vocab.sales_end:
        month = last_complete_month(vocab.sales_start, vocab.sales_end) or (vocab.sales_start, vocab.sales_end)
        flt = SalesFilter(start=month[0], end=month[1])
        countries = repo.sales_by("country", flt, distinct=False).sort_values("revenue", ascending=False)
        countries = countries[~countries["key"].str.lower().isin(("unspecified", "(unspecified)"))]
        skus = repo.sales_by("sku", flt, distinct=False).sort_values("revenue", ascending=False)
        skus = skus[~skus["key"].map(is_non_product_sku)]
        top_sku = str(skus["key"].iloc[0]) if len(skus) else None
        facts.update(sales_start=vocab.sales_start, sales_end=vocab.sales_end,
                     top_country=str(countries["key"].iloc[0]) if len(countries) else None,
                     countries=len(vocab.countries),
                     top_product=vocab.catalogue.get(top_sku) if top_sku else None)
    return Facts(**facts)


@st.cache_data(show_spinner=False, max_entries=64)
def _cached(url: str, tenant_id: int, data_version: int, _repo: Repository) -> tuple[list[str], str]:
    """Per (database, tenant, data version): a new upload changes the examples, nothing else does."""
    facts = _facts(_repo)
    return examples_for(facts), empty_message(facts)


def tenant_examples(repo: Repository) -> tuple[list[str], str]:
    """(examples, message for when there are none) for repo's tenant: two small GROUP BYs over its latest
    month, cached per data version."""
    return _cached(str(repo.engine.url), repo.tenant_id, repo.data_version(), repo)
