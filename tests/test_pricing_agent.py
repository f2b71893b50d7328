"""The pricing agent end to end on SQLite and PostgreSQL: a tenant with the Online Retail sample as its sales,
a small catalogue with costs and competitor listings keyed by its SKUs; questions planned by the offline
planner from the tenant's own vocabulary, answers checked against numbers computed here from the inputs."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from ecomintel.agents.pricing import PricingAgent
from ecomintel.ask.offline_planner import offline_plan
from ecomintel.config import load_settings
from ecomintel.db.repository import Repository
from ecomintel.ingest.pipeline import ingest_file
from ecomintel.samples import SMALL_SALES
from tests.conftest import SAMPLES

SETTINGS = load_settings({})
SKUS = {"85123A": 2.55, "22423": 12.75, "84879": 1.69}  # our catalogue prices


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


@pytest.fixture
def shop(repo: Repository) -> Repository:
    ingest_file(repo, "sales", SAMPLES / SMALL_SALES, settings=SETTINGS, defaults={"currency": "GBP"})
    catalogue = pd.DataFrame({"sku": list(SKUS), "name": ["HEART T-LIGHT HOLDER", "CAKESTAND", "BIRD ORNAMENT"],
                              "category": ["Home", "Kitchen", "Home"], "price": list(SKUS.values()),
                              "cost": [1.2, 12.0, None]})
    ingest_file(repo, "products", _csv(catalogue), settings=SETTINGS, file_name="catalogue.csv")
    rows = []
    for sku, ours in SKUS.items():
        for seller, factor in (("ShopA", 0.85), ("ShopB", 0.9), ("ShopC", 1.3)):
            rows.append({"sku": sku, "seller": seller, "marketplace": "ebay", "price": round(ours * factor, 2),
                         "observed_at": "2011-10-20"})
    rows.append({"sku": "85123A", "seller": "ShopA", "marketplace": "ebay", "price": 1.80, "observed_at": "2011-11-05"})
    ingest_file(repo, "listings", _csv(pd.DataFrame(rows)), settings=SETTINGS, file_name="competitors.csv")
    return repo


def _ask(repo: Repository, question: str) -> tuple[object, object]:
    plan = offline_plan(question, repo.vocabulary())
    return plan, PricingAgent().run(repo.ctx, repo, plan)


def test_position_against_the_matched_offers(shop: Repository) -> None:
    plan, result = _ask(shop, "where are we undercut by more than 10%?")
    assert plan.intent == "price_position"  # type: ignore[attr-defined]
    assert result.status == "ok" and result.metrics["products_compared"] == 3  # type: ignore[attr-defined]
    flagged = result.tables[0]  # type: ignore[attr-defined]
    rows = {r[0]: dict(zip(flagged.columns, r, strict=True)) for r in flagged.rows}
    # median offer = 0.9 × ours (ShopA's later 1.80 replaced 2.17 for 85123A; median still ShopB's 2.30)
    assert set(rows) == {"85123A", "22423", "84879"}
    assert rows["22423"]["comp_median"] == round(12.75 * 0.9, 2) and rows["22423"]["rank"] == 3
    assert abs(rows["22423"]["gap_pct"] - (1 / 0.9 - 1) * 100) < 0.1


def test_competitor_price_changes_and_our_own(shop: Repository) -> None:
    plan, result = _ask(shop, "which products changed price by more than 5% between October and November?")
    assert plan.intent == "price_changes" and len(plan.periods) == 2  # type: ignore[attr-defined]
    titles = [t.title for t in result.tables]  # type: ignore[attr-defined]
    assert any("Competitor price changes" in t for t in titles)
    comp = next(t for t in result.tables if "Competitor" in t.title)  # type: ignore[attr-defined]
    assert [r[:3] for r in comp.rows] == [["ebay", "ShopA", "85123A"]]
    assert round(comp.rows[0][comp.columns.index("change_pct")], 1) == round((1.80 / 2.17 - 1) * 100, 1)
    ours = result.tables[0]  # type: ignore[attr-defined]
    assert ours.columns[:2] == ["sku", "product"] and result.metrics["products_compared"] > 0  # type: ignore[attr-defined]


def test_recommendations_keep_the_floor_and_say_when_it_cannot_be_checked(shop: Repository) -> None:
    plan, result = _ask(shop, "recommend prices for our products")
    assert plan.intent == "price_recommendations"  # type: ignore[attr-defined]
    table = result.tables[0]  # type: ignore[attr-defined]
    rows = {r[0]: dict(zip(table.columns, r, strict=True)) for r in table.rows}
    cake = rows["22423"]  # cost 12 → floor 15.00 (20% margin) > 14.03 (10% up from 12.75): withheld
    assert cake["suggested"] is None and "margin floor" in cake["reason"]
    heart = rows["85123A"]  # ~11% above the median, cost 1.2 → floor 1.5: one step down, 2.30
    assert heart["suggested"] == 2.30 and heart["suggested"] >= 1.2 / 0.8
    bird = rows["84879"]  # no cost
    assert "floor cannot be checked" in bird["reason"]
    assert any("cannot be checked" in w for w in result.warnings)  # type: ignore[attr-defined]


def test_promotions_from_list_prices(repo: Repository) -> None:
    frame = pd.DataFrame({"product_id": ["B1", "B2"], "product_name": ["Kettle", "Cable bundle deal"],
                          "category": ["Home|Kitchen", "Electronics"], "discounted_price": ["₹399", "₹199"],
                          "actual_price": ["₹999", "₹199"]})
    ingest_file(repo, "products", io.BytesIO(_csv(frame)), settings=SETTINGS, file_name="amazon.csv")
    plan = offline_plan("which products are on promotion?", repo.vocabulary())
    result = PricingAgent().run(repo.ctx, repo, plan)
    rows = {r[0]: r for r in result.tables[0].rows}
    assert set(rows) == {"B1", "B2"} and rows["B1"][result.tables[0].columns.index("discount_pct")] == 60.1


def test_a_competitor_change_question_leads_with_the_competitors(shop: Repository) -> None:
    plan, result = _ask(shop, "which competitor prices changed by more than 10%?")
    assert plan.intent == "price_changes" and plan.thresholds["competitors"] == 1.0  # type: ignore[attr-defined]
    first = result.tables[0]  # type: ignore[attr-defined]
    assert first.title.startswith("Competitor price changes") and len(first.rows) == 1
    assert first.rows[0][first.columns.index("to")].startswith("2011-11-05")
    assert result.summary.startswith("Competitors: 1 price changes")  # type: ignore[attr-defined]


def test_the_questions_margin_is_the_floor(shop: Repository) -> None:
    plan, result = _ask(shop, "suggest new prices within a 40% margin")
    assert plan.thresholds["min_margin_pct"] == 40  # type: ignore[attr-defined]
    assert result.metrics["min_margin"] == 0.4  # type: ignore[attr-defined]
    rows = {r[0]: r for r in result.tables[0].rows}  # type: ignore[attr-defined]
    heart = rows["85123A"]  # cost 1.2 → floor 2.00 at 40%: still below the one step down to 2.30
    assert heart[result.tables[0].columns.index("suggested")] >= 2.0  # type: ignore[attr-defined]
