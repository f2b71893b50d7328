"""What a data-quality check reports (`Issue`) and how issues become a 0–100 score per dataset.

Why a score made of deductions: an analyst must see *why* the sales data is at 71 — each deduction is one
issue, with its reason, the number of rows behind it and how to fetch them (`locator`, the keyword arguments
of Repository.quality_rows). A deduction grows with the share of rows affected up to the check's weight
(`points`), and any issue that costs points costs at least `MIN_POINTS`, so the score is 100 exactly when no
check found anything and it never rises when a defect is added (tests/test_quality_checks.py, hypothesis).
Patterns that are not defects (a shop closed on Saturdays, stock adjustments, a column the file never had)
are issues of severity "info" that cost nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["info", "warning", "critical"]
MIN_POINTS = 0.5


@dataclass
class Issue:
    """One finding of one check on one dataset."""

    check: str  # stable name, e.g. "gap_days", "price_outliers"
    dataset: str  # sales | products | listings | reviews | tenant
    severity: Severity
    title: str  # one line: what is wrong
    detail: str  # why it matters / the numbers behind it
    rows: int  # rows (or days / SKUs, see `unit`) affected
    unit: str = "rows"
    points: float = 0.0  # deducted from the dataset's score
    examples: list[dict[str, Any]] = field(default_factory=list)  # a few affected rows / identifiers
    locator: dict[str, Any] = field(default_factory=dict)  # Repository.quality_rows(**locator) → the rows

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def points(affected: float, total: float, weight: float, saturate: float) -> float:
    """The deduction of a check: `weight` × (share affected / `saturate`), capped at `weight`; at least
    MIN_POINTS when anything is affected, 0 when nothing is. Monotone in `affected`."""
    if affected <= 0 or weight <= 0:
        return 0.0
    share = affected / total if total > 0 else 1.0
    return round(max(MIN_POINTS, weight * min(1.0, share / saturate)), 2)


def score(issues: list[Issue]) -> int:
    """100 minus the deductions, floored at 0 (rounded down so that any deduction shows)."""
    total = sum(i.points for i in issues)
    if total <= 0:
        return 100
    return max(0, min(99, int(100 - total)))


IMPACT = {"critical": 2, "warning": 1, "info": 0}


def by_impact(issues: list[Issue]) -> list[Issue]:
    """Issues sorted by what costs most first (points, then severity, then rows)."""
    return sorted(issues, key=lambda i: (-i.points, -IMPACT[i.severity], -i.rows))
