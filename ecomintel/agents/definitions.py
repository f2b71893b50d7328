"""The definitions an answer states, worded once (docs/ask-contract.md is the source), and how an agent hands
them to the report without a new AgentResult field.

How they travel: an agent adds `definition(name)` to its findings — a Finding of severity "info" whose one
evidence reference has source "definition" and the definition's name as note. The synthesizer collects them
with `definitions_of(result)` into the report's `definitions` ({name: sentence}).
"""

from __future__ import annotations

from collections.abc import Iterable

from ecomintel.agents.base import AgentResult, EvidenceRef, Finding

DEFINITION_SOURCE = "definition"

DEFINITIONS: dict[str, str] = {
    "revenue": "Revenue = net: sum of quantity × unit price over sales and returns (returns and cancellations "
               "subtract).",
    "gross": "Gross revenue = revenue of sale lines only (before returns).",
    "units": "Units = net quantity of sales and returns; stock adjustments and corrections are not units sold.",
    "orders": "Orders = distinct order ids of sale lines.",
    "customers": "Customers = distinct non-empty customer ids of sale lines.",
    "aov": "AOV = gross revenue / orders.",
    "units_per_order": "Units per order = units / orders.",
    "asp": "Average selling price = revenue / units.",
    "returns": "Returns and cancellations = cancellation invoices (order id C…), negative quantities and the "
               "file's own is_return flag, except stock adjustments; returned units and value are positive.",
    "cancelled_orders": "Cancelled orders = distinct order ids of return lines (cancellation invoices, not lines).",
    "return_rate": "Return rate = returned value / gross revenue × 100 (percent, by value).",
    "revenue_per_customer": "Revenue per customer = revenue of lines that carry a customer id / customers.",
    "avg_daily_revenue": "Average daily revenue = revenue / trading days (days with at least one sale line); "
                         "avg_daily_revenue_calendar = revenue / calendar days of the period within the data.",
    "stock_adjustments": "Stock adjustments = lines that are not cancellation invoices, with a negative quantity, "
                         "unit price 0 and no customer id (damaged, unsaleable, checks): not sales, not returns; "
                         "adjustment_units = the quantity written off (positive).",
    "corrections": "Corrections = lines that are not cancellation invoices, with a positive quantity, unit price 0 "
                   "and no customer id: not sales.",
    "non_product": "Non-merchandise codes (postage, fees, manual adjustments, gift vouchers) count in totals but "
                   "not in product rankings.",
    "product_name": "A product's name is its most frequent description in the sales lines.",
    "share": "Share = the part (the question's filters) as a percentage of the total (the same period and metric "
             "without the share's filters).",
    "partial": "A partial period is a week, month or quarter the data or the question's period starts or ends "
               "inside; it is flagged, and left out of worst-period rankings unless partial periods are asked for.",
    "new_customers": "A customer is new in a period when their first sale line (over all the data, same filters "
                     "except the period) falls in it, returning when they bought in it and first bought before.",
    "repeat_customers": "Repeat customers = customers with 2 or more distinct orders in the period; repeat rate = "
                        "repeat customers / customers × 100.",
    "cohorts": "Cohort = month of a customer's first sale line; month k = % of the cohort's customers with a sale "
               "line k months after their first month (month 0 = 100).",
}


def definition(name: str) -> Finding:
    """The Finding that carries definition `name` to the report."""
    return Finding(severity="info", text=DEFINITIONS[name],
                   evidence=[EvidenceRef(source=DEFINITION_SOURCE, note=name)])


def is_definition(finding: Finding) -> bool:
    return any(e.source == DEFINITION_SOURCE for e in finding.evidence)


def definitions_of(results: AgentResult | Iterable[AgentResult]) -> dict[str, str]:
    """{name: sentence} of the definitions stated by one result or several (first one wins)."""
    items = [results] if isinstance(results, AgentResult) else list(results)
    out: dict[str, str] = {}
    for result in items:
        for f in result.findings:
            for e in f.evidence:
                if e.source == DEFINITION_SOURCE and e.note:
                    out.setdefault(e.note, f.text)
    return out
