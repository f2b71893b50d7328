"""The Agent protocol, the AgentResult every agent returns, and the name→agent registry.

Why a protocol + registry (rq's resolvers, datasette's hooks): the executor knows agents only by name,
so a new agent (pricing, sentiment, forecast, data QA) is one file plus one line in `agents/registry.py`, and a
failing agent can be reported as a status instead of breaking the report.
Agents receive everything explicitly — `(ctx, repo, plan)` — and never reach for globals. The plan is the
validated `Plan` object (ecomintel/ask/plan.py), so agents read typed fields (`plan.filters.countries`,
`plan.periods[0].start`) instead of re-parsing a dict.
Definitions an answer states travel as info findings (ecomintel/agents/definitions.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol

from ecomintel.ask.plan import Plan
from ecomintel.context import RequestContext
from ecomintel.db.repository import Repository

Status = Literal["ok", "partial", "failed", "timeout"]
Severity = Literal["info", "warning", "critical"]


@dataclass
class Table:
    """A result table; rows hold real identifiers (SKU codes, product and country names)."""

    title: str
    columns: list[str]
    rows: list[list[Any]]


@dataclass
class ChartSpec:
    """A Plotly figure as JSON (`fig.to_plotly_json()`), so pages draw it and reports store it."""

    title: str
    figure: dict[str, Any]


@dataclass
class EvidenceRef:
    """Where a number came from: which table, which filters, which data version / batches."""

    source: str
    filters: dict[str, Any] = field(default_factory=dict)
    rows: int | None = None
    data_version: int | None = None
    batch_ids: list[int] = field(default_factory=list)
    note: str = ""


@dataclass
class Finding:
    severity: Severity
    text: str
    evidence: list[EvidenceRef] = field(default_factory=list)


@dataclass
class AgentResult:
    agent: str
    status: Status = "ok"
    summary: str = ""
    metrics: dict[str, float] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)
    charts: list[ChartSpec] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    evidence: list[EvidenceRef] = field(default_factory=list)
    confidence: float = 1.0
    warnings: list[str] = field(default_factory=list)
    elapsed_ms: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Agent(Protocol):
    """An analysis. `name` is its registry key; `run` must not raise for data problems (use status). An agent
    whose analysis needs more than a quick answer's few seconds (topics of a year of reviews, a whole data
    quality run, a forecast fit) says so with a class attribute `time_budget_s` (ask/executor.py)."""

    name: str
    description: str

    def run(self, ctx: RequestContext, repo: Repository, plan: Plan) -> AgentResult: ...
