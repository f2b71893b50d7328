"""The domain table: the first domain that claims a question plans it; one that declines lets the next read it."""

from __future__ import annotations

from ecomintel.ask.domains import Domain, DomainQuestion, domain_plan
from ecomintel.ask.periods import normalise
from ecomintel.ask.plan import Gap, Plan
from ecomintel.db.vocab import Vocab


def _refusal(need: str) -> Plan:
    return Plan(intent="cannot_answer", gap=Gap(need=need, message=need))  # type: ignore[arg-type]


def _question(text: str) -> DomainQuestion:
    return DomainQuestion(text, normalise(text), Vocab(), "quick")


def test_first_claiming_domain_plans_and_a_declining_one_passes() -> None:
    declining = Domain("declines", r"\bprice", lambda q: None)
    claiming = Domain("claims", r"\bprice", lambda q: _refusal("listings"))
    later = Domain("later", r"\bprice", lambda q: _refusal("cost"))
    plan = domain_plan(_question("Which PRICES are above the market?"), (declining, claiming, later))
    assert plan is not None and plan.gap is not None and plan.gap.need == "listings"


def test_no_domain_pattern_matches_means_the_sales_rules_read_it() -> None:
    never_called = Domain("reviews", r"\breviews?\b", lambda q: (_ for _ in ()).throw(AssertionError("called")))
    assert domain_plan(_question("top 10 products by revenue last month"), (never_called,)) is None
