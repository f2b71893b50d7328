"""The Plan schema: what every planner (pattern router, offline parser, LLM) produces.

Why a strict schema: an LLM only ever fills this structure (structured output / JSON mode) and nothing it
returns is executed. Unknown fields are rejected (`extra="forbid"`), values are checked against enums and
bounds, so a bad plan fails validation and the offline plan is used instead.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Intent = Literal[
    "overview",        # headline metrics for a period
    "top_items",       # top-N by a metric, grouped by product/sku/country/...
    "bottom_items",    # bottom-N
    "breakdown",       # a metric split by a dimension (all groups)
    "trend",           # a metric over time (day/week/month)
    "compare_periods", # period A vs period B, absolute and %
    "why_change",      # decomposition of a change between two periods
    "movers",          # biggest risers and fallers between two periods
    "returns",         # returns / cancellations
    "patterns",        # day-of-week / hour-of-day patterns
    "unknown",
]
Metric = Literal["revenue", "units", "orders", "customers", "aov", "returns"]
GroupBy = Literal["product", "sku", "country", "category", "channel", "marketplace",
                  "day", "week", "month", "quarter", "weekday", "hour"]
Mode = Literal["quick", "deep"]


class Period(BaseModel):
    """An inclusive date range with the words it came from ("Nov 2011", "last quarter")."""

    model_config = ConfigDict(extra="forbid")
    start: date
    end: date
    label: str = Field(default="", max_length=80)

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError("period end is before its start")
        return self


class Filters(BaseModel):
    model_config = ConfigDict(extra="forbid")
    countries: list[str] = Field(default_factory=list, max_length=50)
    exclude_countries: list[str] = Field(default_factory=list, max_length=50)
    skus: list[str] = Field(default_factory=list, max_length=100)
    products: list[str] = Field(default_factory=list, max_length=20)  # name fragments, resolved to skus
    categories: list[str] = Field(default_factory=list, max_length=20)
    marketplaces: list[str] = Field(default_factory=list, max_length=20)
    channels: list[str] = Field(default_factory=list, max_length=20)


class Plan(BaseModel):
    """A validated, executable description of a question. Periods are already resolved to dates."""

    model_config = ConfigDict(extra="forbid")
    intent: Intent
    agents: list[str] = Field(min_length=1, max_length=8)
    metric: Metric = "revenue"
    periods: list[Period] = Field(default_factory=list, max_length=2)  # [main] or [current, previous]
    group_by: GroupBy | None = None
    filters: Filters = Field(default_factory=Filters)
    top_n: int = Field(default=10, ge=1, le=100)
    order: Literal["desc", "asc"] = "desc"
    horizon_days: int | None = Field(default=None, ge=1, le=365)
    thresholds: dict[str, float] = Field(default_factory=dict)
    mode: Mode = "quick"
    planner: str = Field(default="offline", max_length=80)  # pattern | offline | llm:<model>
    confidence: float = Field(default=0.5, ge=0.0, le=1.0)
    notes: list[str] = Field(default_factory=list, max_length=20)  # assumptions made while planning
