"""`Vocab`: the values a tenant's questions can name (dates, countries, SKUs and names, categories, …).

Why a module of its own: planners import it without importing the repository (the repository's mixins
import the repository core, so the mixin module cannot be the first thing a planner imports).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Vocab:
    """A tenant's nameable things. `catalogue` maps SKU → product name (the most common spelling)."""

    sales_start: date | None = None
    sales_end: date | None = None
    countries: tuple[str, ...] = ()
    main_country: str | None = None  # the country with the most sales lines (the home market)
    catalogue: dict[str, str] = field(default_factory=dict)
    categories: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    marketplaces: tuple[str, ...] = ()
    # rows per dataset the planner checks before answering: products, cost (products with a cost),
    # inventory (products with a stock level), reviews, listings (competitor/marketplace prices)
    datasets: dict[str, int] = field(default_factory=dict)
    review_start: date | None = None  # the reviews' created_at range: review questions' periods anchor here
    review_end: date | None = None
    currency: str | None = None  # the sales lines' currency code, for formatting amounts (None: not stated)

    @property
    def has_sales(self) -> bool:
        return self.sales_start is not None and self.sales_end is not None

    def has(self, dataset: str) -> bool:
        """Whether the tenant loaded any rows of `dataset` ("sales", "reviews", "cost", …)."""
        return self.has_sales if dataset == "sales" else self.datasets.get(dataset, 0) > 0
