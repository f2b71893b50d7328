"""make_plan: question domains first (ask/domains.py: pricing, reviews, …), then the router (whole-question
sales patterns), then the LLM planner when configured, else the offline planner. The Plan schema lives in `ask/plan.py`, the rules in `ask/offline_planner.py`, the LLM planner in
`ask/llm_planner.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ecomintel.ask.domains import DomainQuestion, domain_plan
from ecomintel.ask.offline_planner import offline_plan
from ecomintel.ask.periods import normalise
from ecomintel.ask.plan import Plan, agents_for
from ecomintel.ask.question import check_question
from ecomintel.ask.router import route
from ecomintel.config import Settings
from ecomintel.errors import BudgetExceeded, EcomintelError, PlanError
from ecomintel.tracing import traced

if TYPE_CHECKING:
    from ecomintel.db.repository import Repository
    from ecomintel.llm.client import LLMClient


@dataclass
class PlanOutcome:
    """The plan to run and the warnings the user must see (e.g. "the LLM planner failed; offline plan used")."""

    plan: Plan
    warnings: list[str] = field(default_factory=list)


@traced("ask.plan")
def make_plan(question: str, *, repo: Repository, settings: Settings, llm: LLMClient | None = None,
              mode: str = "quick") -> PlanOutcome:
    """Router first (deterministic patterns), then the LLM planner when `llm` is given, else offline.

    The offline reading always runs: when it finds that the question needs data the tenant lacks (costs,
    reviews, stock …) no model can answer it either, so that cannot_answer plan is final. A failed LLM plan
    (bad JSON, schema violation, timeout, HTTP error, budget exceeded, a period it made up that does not
    resolve, a question it did not recognise) falls back to the offline plan with a visible warning. An empty
    or over-long question raises PlanError: it is the user's message to fix.
    """
    if mode not in ("quick", "deep"):
        raise PlanError(f"Unknown mode '{mode}'.", "Use quick or deep.")
    question = check_question(question)
    vocab = repo.vocabulary()
    claimed = domain_plan(DomainQuestion(question, normalise(question), vocab, mode))
    if claimed is not None:  # pricing, reviews, forecasts, data quality: their own readings (ask/domains.py)
        return PlanOutcome(cap_top_n(claimed, settings), [])
    try:
        plan = route(question, vocab)
    except PlanError:  # a period outside the data: the offline planner says so as a cannot_answer plan
        plan = None
    if plan is not None:
        plan = plan.model_copy(update={"mode": mode, "agents": agents_for(plan.intent, mode)})
        return PlanOutcome(cap_top_n(plan, settings), [])
    offline = offline_plan(question, vocab, mode=mode)
    if offline.gap is not None and offline.gap.need not in ("not_understood", "off_topic"):
        return PlanOutcome(offline, [])
    warnings: list[str] = []
    if llm is not None:
        from ecomintel.ask.llm_planner import llm_plan  # imported on use: the offline path needs no LLM code
        from ecomintel.llm.usage import GovernedLLM

        governed = llm if isinstance(llm, GovernedLLM) else GovernedLLM(llm, repo, settings, purpose="plan")
        try:
            plan, llm_warnings = llm_plan(question, vocab, governed, mode=mode)
            return PlanOutcome(cap_top_n(plan, settings), llm_warnings)
        except BudgetExceeded as exc:
            warnings.append(f"{exc.message} The offline planner answered instead.")
        except EcomintelError as exc:
            warnings.append(f"The LLM planner failed ({exc.message}); the offline planner answered instead.")
        except Exception as exc:  # any provider/library failure must degrade to the offline plan
            warnings.append(f"The LLM planner failed ({exc.__class__.__name__}); the offline planner answered "
                            "instead.")
    return PlanOutcome(cap_top_n(offline, settings), warnings)


def cap_top_n(plan: Plan, settings: Settings) -> Plan:
    """A top-N above the configured maximum becomes the maximum, with a note saying so."""
    limit = max(1, int(getattr(settings, "max_top_n", 100)))
    asked = any(n.startswith("Asked for ") for n in plan.notes)
    if plan.top_n <= limit and not asked:
        return plan
    limit = min(limit, plan.top_n)
    note = ("" if asked else f"Asked for {plan.top_n} rows. ") + \
        f"Showing the maximum of {limit} rows (setting ECOMINTEL_MAX_TOP_N, at most 100)."
    return plan.model_copy(update={"top_n": limit, "notes": [*plan.notes, note][:20]})


def plan_summary(plan: Plan) -> dict[str, Any]:
    """A compact JSON view of a plan for logs and evidence."""
    return plan.model_dump(mode="json", exclude_defaults=True)



