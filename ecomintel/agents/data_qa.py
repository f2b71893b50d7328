"""The Data QA agent: "how good is our data?", "what's wrong with the reviews file?" — the 0–100 score of each
loaded dataset with the deductions behind it and the issues sorted by impact.

Why an agent over ecomintel/quality/run.py rather than its own analysis: the Data Quality page, the CLI
(`ecomintel quality`) and this agent then give the same score for the same data; the agent only chooses
what an Ask answer shows (the datasets the question names: plan.thresholds `focus_<dataset>` = 1).
"""

from __future__ import annotations

import time

from ecomintel.agents.base import AgentResult, EvidenceRef, Finding, Table
from ecomintel.ask.plan import Plan
from ecomintel.context import RequestContext
from ecomintel.db.repository import Repository
from ecomintel.quality.issues import by_impact
from ecomintel.quality.run import DATASETS, run_quality

FOCUS_PREFIX = "focus_"


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
        if costly:
            worst = "; ".join(f"{i.dataset}: {i.title} (−{i.points:g})" for i in costly[:3])
            result.summary = f"Data quality scores: {head}. Biggest deductions: {worst}."
        else:
            result.summary = f"Data quality scores: {head}. No check found a problem."
        result.tables.append(Table("Quality score per dataset", ["dataset", "rows", "score", "deducted", "issues",
                                                                 "first date", "last date"],
                                   [[d.dataset, d.rows, d.score, round(sum(i.points for i in d.issues), 2),
                                     sum(1 for i in d.issues if i.points > 0), d.first, d.last] for d in scores]))
        result.tables.append(Table("Issues by impact", ["dataset", "severity", "points", "issue", "rows", "unit",
                                                        "detail"],
                                   [[i.dataset, i.severity, i.points, i.title, i.rows, i.unit, i.detail[:300]]
                                    for i in issues]))
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
