"""The Data QA agent: "how good is our data?", "what's wrong with the reviews file?" — the 0–100 score of each
loaded dataset with the deductions behind it and the issues sorted by impact.

Why an agent over ecomintel/quality/run.py rather than its own analysis: the Data Quality page, the CLI
(`ecomintel quality`) and this agent then give the same score for the same data; the agent only chooses
what an Ask answer shows (the datasets the question names: plan.thresholds `focus_<dataset>` = 1).
A question that names a period ("any data problems in november?": plan.periods) gets the period-sensitive sales
checks over that period first (ecomintel/quality/period.py: gaps, unusual days, future dates, customer-id
drop-outs, rejected rows of the imports behind it), and the scores after them, labelled as all-data: a score
is never passed off as the period's. A period the checks cannot apply (no sales in the answer) is said so.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import pandas as pd

from ecomintel.agents.base import AgentResult, EvidenceRef, Finding, Table
from ecomintel.ask.plan import Period, Plan
from ecomintel.context import RequestContext
from ecomintel.db.repository import Repository
from ecomintel.quality.issues import by_impact
from ecomintel.quality.period import PeriodQuality, sales_period_quality
from ecomintel.quality.run import DATASETS, QualityReport, run_quality

FOCUS_PREFIX = "focus_"
CHECK_PREFIX = "check_"
FIELD_PREFIX = "field_"  # the column a missing-values question names ("missing customer ids" → customer_id)
FIELD_CHECKS = ("missing_values", "column_absent")
# checks that answer the same question as the one asked ("missing customer ids": values missing, a column absent,
# customer ids dropping out on some days; "outliers": prices, quantities and days)
RELATED_CHECKS = {"missing_values": ("missing_values", "column_absent", "customer_id_dropout"),
                  "price_outliers": ("price_outliers", "quantity_outliers", "daily_revenue_outliers")}


def asked_checks(plan: Plan) -> list[str]:
    """The checks the question names (plan.thresholds `check_<name>`)."""
    return [k[len(CHECK_PREFIX):] for k, v in plan.thresholds.items() if k.startswith(CHECK_PREFIX) and v]


def focus_of(plan: Plan) -> list[str]:
    """The datasets a question names ("the reviews file"); all loaded ones when it names none."""
    return [d for d in DATASETS if plan.thresholds.get(FOCUS_PREFIX + d)]


class DataQAAgent:
    name = "data_qa"
    time_budget_s = 20.0  # at least this long even for quick answers (ask/executor.py)
    description = "Data quality: a 0-100 score per dataset with its deductions, and the issues by impact."

    def run(self, ctx: RequestContext, repo: Repository, plan: Plan) -> AgentResult:
        started = time.perf_counter()
        result = AgentResult(agent=self.name)
        report = run_quality(repo)
        focus = focus_of(plan)
        missing = [d for d in focus if d not in report.datasets]
        shown = [d for d in (focus or list(report.datasets)) if d in report.datasets]
        for d in missing:
            result.warnings.append(f"No {d} are loaded, so there is nothing to check there.")
        if not shown:
            result.status = "partial"
            result.summary = "No data is loaded yet, so there is nothing to score. Upload sales, products or reviews."
            result.confidence = 0.5
            result.elapsed_ms = int((time.perf_counter() - started) * 1000)
            return result
        scores = [report.datasets[d] for d in shown]
        issues = by_impact([i for d in scores for i in d.issues] + (report.tenant_issues if not focus else []))
        costly = [i for i in issues if i.points > 0]
        result.metrics = {f"score_{d.dataset}": float(d.score) for d in scores}
        result.metrics.update({f"rows_{d.dataset}": float(d.rows) for d in scores})
        result.metrics["issues"] = float(len(costly))
        head = ", ".join(f"{d.dataset} {d.score}/100" for d in scores)
        period = plan.periods[0] if plan.periods else None
        scoped = None
        if period is not None and "sales" in shown and report.daily is not None:
            scoped = _period_quality(repo, report, report.daily, period)
        elif period is not None:
            result.warnings.append(f"The period {_label(period)} was not applied: the checks of "
                                   f"{', '.join(shown)} are over all their data (period checks exist for sales).")
        if len(plan.periods) > 1:
            result.warnings.append(f"Only {_label(plan.periods[0])} was checked; ask about {_label(plan.periods[1])} "
                                   "on its own.")
        if costly:
            worst = "; ".join(f"{i.dataset}: {i.title} (−{i.points:g})" for i in costly[:3])
            tail = f"Biggest deductions: {worst}."
        else:
            tail = "No check found a problem."
        # a period's own checks lead a period question; otherwise the checks the question named lead
        fields = [k[len(FIELD_PREFIX):] for k, v in plan.thresholds.items() if k.startswith(FIELD_PREFIX) and v]
        lead, asked = _asked(asked_checks(plan), issues, fields) if scoped is None else ("", None)
        if scoped is not None and period is not None:
            result.summary = (f"{_period_sentence(scoped, period)} Scores for all data (the period is not applied to "
                              f"them): {head}. {tail}")
        elif period is not None:
            result.summary = f"Data quality scores (all data): {head}. {tail}"
        else:
            result.summary = f"Data quality scores: {head}. {tail}"
        result.summary = lead + result.summary
        result.tables.append(Table("Quality score per dataset (all data)", ["dataset", "rows", "score", "deducted",
                                                                            "issues", "first date", "last date"],
                                   [[d.dataset, d.rows, d.score, round(sum(i.points for i in d.issues), 2),
                                     sum(1 for i in d.issues if i.points > 0), d.first, d.last] for d in scores]))
        if asked is not None:  # right after the scores (tables[0] stays the scores table)
            result.tables.append(asked)
        result.tables.append(Table("Issues by impact", ["dataset", "severity", "points", "issue", "rows", "unit",
                                                        "detail"],
                                   [[i.dataset, i.severity, i.points, i.title, i.rows, i.unit, i.detail[:300]]
                                    for i in issues]))
        if scoped is not None and period is not None:
            result.tables.append(Table(f"Sales in {period.label or _label(period)}: period checks",
                                       ["check", "problem", "result", "count", "unit"],
                                       [[c.check, c.problem, c.text, c.count, c.unit] for c in scoped.checks]))
            result.metrics.update({
                "period_lines": float(scoped.lines), "period_days_with_sales": float(scoped.days_with_sales),
                "period_problems": float(len(scoped.problems)),
                "period_gap_days": float(scoped.count("gap_days")),
                "period_outlier_days": float(scoped.count("daily_revenue_outliers")),
                "period_future_lines": float(scoped.count("future_date")),
                "period_rejected_rows": float(scoped.count("rejected_rows"))})
        for i in costly[:5]:
            result.findings.append(Finding("critical" if i.severity == "critical" else "warning", i.title,
                                           [EvidenceRef(source=f"quality:{i.check}", filters=dict(i.locator),
                                                        rows=i.rows, data_version=report.data_version)]))
        result.evidence.append(EvidenceRef(source="quality_run", rows=sum(d.rows for d in scores),
                                           data_version=report.data_version,
                                           note=f"checked at {report.checked_at} in {report.elapsed_ms} ms"))
        result.confidence = 0.95
        result.elapsed_ms = int((time.perf_counter() - started) * 1000)
        return result


def _asked(checks: list[str], issues: list[Any], fields: list[str]) -> tuple[str, Table | None]:
    """The issues of the checks the question asked about, as the answer's first sentence and a table
    ("any missing customer ids?" leads with "customer_id is missing on 21.3% of rows"); nothing when none was
    asked, and "none found" when the checks found nothing."""
    if not checks:
        return "", None
    related = {c for n in checks for c in RELATED_CHECKS.get(n, (n,))}
    found = [i for i in issues if i.check in related and (i.check not in FIELD_CHECKS or not fields
                                                          or any(i.title.startswith(f"{f} ") for f in fields))]
    names = ", ".join(c.replace("_", " ") for c in checks) + (f" ({', '.join(fields)})" if fields else "")
    table = Table(f"Asked about: {names}", ["dataset", "severity", "issue", "rows", "unit", "detail"],
                  [[i.dataset, i.severity, i.title, i.rows, i.unit, i.detail[:300]] for i in found])
    if not found:
        return f"Asked about {names}: none found in the loaded data. ", table
    return (f"Asked about {names}: " + "; ".join(f"{i.dataset}: {i.title}" for i in found[:4])
            + (f" (and {len(found) - 4} more)" if len(found) > 4 else "") + ". "), table


def _label(p: Period) -> str:
    span = f"{p.start.isoformat()}..{p.end.isoformat()}"
    return f"{p.label} = {span}" if p.label and p.label != span else span


def _period_quality(repo: Repository, report: QualityReport, daily: pd.DataFrame, period: Period) -> PeriodQuality:
    """The period checks over the run's daily series (the same run, so the same days are flagged)."""
    today = datetime.fromisoformat(report.checked_at).date()
    return sales_period_quality(daily, period.start, period.end, today=today,
                                batches=repo.quality_batches(limit=1000),
                                batch_ids=repo.quality_period_batch_ids(period.start, period.end))


def _period_sentence(scoped: PeriodQuality, period: Period) -> str:
    """'Data quality of sales in Nov 2011 = 2011-11-01..2011-11-30: 2 problems — …; … . Fine: …, ….'"""
    head = f"Data quality of sales in {_label(period)}:"
    problems = [c.text for c in scoped.problems]
    fine = [c.text for c in scoped.checks if not c.problem]
    lines = f"{scoped.lines:,} lines on {scoped.days_with_sales:,} days"
    if not problems:
        return f"{head} no problem found ({lines}) — {'; '.join(fine)}."
    text = f"{head} {len(problems)} problem{'s' if len(problems) > 1 else ''} ({lines}) — {'; '.join(problems)}."
    return f"{text} Fine: {'; '.join(fine)}." if fine else text
