"""The Plan schema every planner (pattern router, offline parser, LLM) produces, and the intent → agents table.

Why a strict schema: an LLM only ever fills this structure (structured output / JSON mode) and nothing it
returns is executed. Unknown fields are rejected (`extra="forbid"`), values are checked against enums and
bounds, so a bad plan fails validation and the offline plan is used instead.

Why one table from intents to agents (`INTENT_AGENTS`): a new agent (pricing, sentiment, forecast, data QA)
adds its intents and one row each here; planners never name agents themselves.
Why `Gap`: a question that needs data or a capability the tenant lacks is planned as intent
`cannot_answer` with the gap stated, so the executor runs nothing and the report says what is missing
instead of answering a different question.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Intent = Literal[
    "overview",        # headline metrics for a period
    "top_items",       # top-N by a metric, grouped by product/sku/country/customer/... or a time unit (best periods)
    "bottom_items",    # bottom-N (worst periods: partial ones excluded unless include_partial)
    "breakdown",       # a metric split by a dimension (all groups)
    "share",           # the filtered part's share of the total without that filter ("share of revenue from UK")
    "trend",           # a metric over time (day/week/month)
    "compare_periods", # period A vs period B, absolute and %
    "why_change",      # decomposition of a change between two periods
    "movers",          # biggest risers and fallers between two periods
    "returns",         # returns / cancellations (stock adjustments reported apart)
    "patterns",        # day-of-week / hour-of-day patterns
    "new_returning",   # new vs returning customers per period
    "repeat",          # repeat customers and repeat rate
    "cohorts",         # first-purchase-month cohorts x months since, % who bought again
    "review_sentiment",   # review sentiment: mean score, % negative, spam share; by category/product/period
    "review_complaints",  # topics and complaint patterns of negative reviews, with quotes
    "review_praise",      # topics of positive reviews (what customers like), with quotes
    "review_aspects",     # sentiment per aspect (fit, size, quality, …; Plan.aspects narrows it)
    "review_requests",    # feature requests ("wish it had …", "please make …")
    "review_trend",       # sentiment over time and the products whose reviews got worse
    "review_spam",        # reviews flagged as spam, with their reasons
    "price_position",  # our price vs matched competitor offers (min/median/max, gap %, rank); thresholds gap_pct, side
    "price_changes",   # price changes beyond thresholds["change_pct"]: ours (sales lines) and competitors'
    "promotions",      # list vs sale price, discount %, promo words in titles, discount depth by category
    "elasticity",      # own-price elasticity per product with its interval (withheld when not credible)
    "price_recommendations",  # suggested prices within the margin floor and the max step, with reasons
    "data_quality",    # data-quality scores per dataset with their deductions (thresholds focus_<dataset> = 1)
    "forecast",        # demand forecast with 80/95% intervals (horizon_days; a future period in periods)
    "seasonality",     # weekly/yearly seasonality strength, peak weekdays and months, trend
    "stockout",        # stockout risk before the next delivery, days of cover, reorder point, order quantity
    "cannot_answer",   # needs data or a capability the tenant lacks, or was not understood (see Gap)
    "unknown",         # what an LLM draft may say; planners turn it into cannot_answer
]
Metric = Literal[
    "revenue", "units", "orders", "customers", "aov", "returns",
    "units_per_order",       # units / orders
    "asp",                   # average selling price: revenue / units
    "avg_daily_revenue",     # revenue per trading day (and per calendar day, both reported)
    "cancelled_orders",      # distinct cancellation invoices
    "return_rate",           # returned value / gross revenue, %
    "revenue_per_customer",  # revenue / customers
]
GroupBy = Literal["product", "sku", "country", "category", "channel", "marketplace", "customer",
                  "day", "week", "month", "quarter", "weekday", "hour"]
TIME_GROUPS = ("day", "week", "month", "quarter", "weekday", "hour")
Weekday = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
Mode = Literal["quick", "deep"]
Need = Literal["cost", "reviews", "listings", "inventory", "marketing", "traffic", "weather", "forecast",
               "fulfilment", "customer_profile", "market", "sales", "off_topic", "not_understood"]


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
    exclude_skus: list[str] = Field(default_factory=list, max_length=100)
    products: list[str] = Field(default_factory=list, max_length=20)  # name fragments, resolved to skus
    categories: list[str] = Field(default_factory=list, max_length=20)
    marketplaces: list[str] = Field(default_factory=list, max_length=20)
    channels: list[str] = Field(default_factory=list, max_length=20)
    customers: list[str] = Field(default_factory=list, max_length=50)  # customer ids
    weekdays: list[Weekday] = Field(default_factory=list, max_length=7)

    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in type(self).model_fields)


class Gap(BaseModel):
    """Why a question cannot be answered: what is missing, said in one sentence, and what to ask instead."""

    model_config = ConfigDict(extra="forbid")
    need: Need
    message: str = Field(max_length=400)
    suggestions: list[str] = Field(default_factory=list, max_length=3)


class Plan(BaseModel):
    """A validated, executable description of a question. Periods are already resolved to dates."""

    model_config = ConfigDict(extra="forbid")
    intent: Intent
    agents: list[str] = Field(default_factory=list, max_length=8)
    metric: Metric = "revenue"
    # other metrics the question named beside `metric` ("rev and orders by month"): one answer ranks or
    # trends one metric; the report says whether its table shows these too, and lists them as not answered
    # when it does not (ask/synthesizer.py)
    also_metrics: list[Metric] = Field(default_factory=list, max_length=4)
    periods: list[Period] = Field(default_factory=list, max_length=2)  # [main] or [current, previous]
    group_by: GroupBy | None = None
    filters: Filters = Field(default_factory=Filters)
    top_n: int = Field(default=10, ge=1, le=100)
    order: Literal["desc", "asc"] = "desc"
    include_partial: bool = False  # rank partial weeks/months too (only when the question asks for them)
    # share intent: the filters of the total (the denominator); None = the same period with no filters.
    # The part is always `filters` ("share of UK revenue from product X": filters UK + X, total_filters UK).
    total_filters: Filters | None = None
    horizon_days: int | None = Field(default=None, ge=1, le=365)
    thresholds: dict[str, float] = Field(default_factory=dict)
    mode: Mode = "quick"
    planner: str = Field(default="offline", max_length=80)  # pattern | offline | llm:<model>
    confidence: float = Field(default=0.5, ge=0.0, le=1.0)
    notes: list[str] = Field(default_factory=list, max_length=20)  # assumptions made while planning
    not_understood: list[str] = Field(default_factory=list, max_length=20)  # words no rule used
    aspects: list[str] = Field(default_factory=list, max_length=10)  # review aspects asked about ("fit")
    gap: Gap | None = None  # set exactly when intent == "cannot_answer"

    @model_validator(mode="after")
    def _gap_iff_cannot_answer(self) -> Plan:
        if (self.intent == "cannot_answer") != (self.gap is not None):
            raise ValueError("a cannot_answer plan needs a gap, and only it may carry one")
        return self


# -- which agents answer which intent (a new agent adds its rows) ------------------------------------------
SALES_INTENTS = ("overview", "top_items", "bottom_items", "breakdown", "share", "trend", "compare_periods",
                 "why_change", "movers", "returns", "patterns")
CUSTOMER_INTENTS = ("new_returning", "repeat", "cohorts")
PRICING_INTENTS = ("price_position", "price_changes", "promotions", "elasticity", "price_recommendations")
REVIEW_INTENTS = ("review_sentiment", "review_complaints", "review_praise", "review_aspects", "review_requests",
                  "review_trend", "review_spam")
# answers that are not sales amounts over the sales data's dates (review dates, whole-dataset checks): the
# report states no sales period or revenue definition for them, and their coverage is not a sales-date gap
UNFRAMED_INTENTS = (*REVIEW_INTENTS, "data_quality")
INTENT_AGENTS: dict[str, tuple[str, ...]] = {
    **{intent: ("sales",) for intent in SALES_INTENTS},
    **{intent: ("customers",) for intent in CUSTOMER_INTENTS},
    **{intent: ("pricing",) for intent in PRICING_INTENTS},
    **{intent: ("sentiment",) for intent in REVIEW_INTENTS},
    "data_quality": ("data_qa",),
    **{intent: ("forecast",) for intent in ("forecast", "seasonality", "stockout")},
    "cannot_answer": (),
    "unknown": (),
}
DEEP_AGENTS: dict[str, tuple[str, ...]] = {intent: ("sales_deep",) for intent in SALES_INTENTS}


def agents_for(intent: str, mode: str) -> list[str]:
    """The agents that answer `intent`; deep mode adds the intent's deep agents."""
    agents = list(INTENT_AGENTS.get(intent, ()))
    if mode == "deep":
        agents += [a for a in DEEP_AGENTS.get(intent, ()) if a not in agents]
    return agents
