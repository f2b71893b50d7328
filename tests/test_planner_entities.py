"""Entity resolution against a tenant vocabulary: country aliases and exclusions, SKU codes, fuzzy product
names, categories, channels, marketplaces, N and thresholds — and what must NOT be read as an entity."""

from __future__ import annotations

from datetime import date

import pytest

from ecomintel.ask.entities import find_entities, match_products, resolve_country
from ecomintel.ask.offline_planner import offline_plan
from ecomintel.ask.periods import normalise
from ecomintel.db.vocab import Vocab
from ecomintel.errors import PlanError

VOCAB = Vocab(
    sales_start=date(2011, 9, 1), sales_end=date(2011, 12, 9),
    countries=("Australia", "EIRE", "France", "Germany", "Netherlands", "USA", "United Kingdom"),
    catalogue={"85123A": "WHITE HANGING HEART T-LIGHT HOLDER", "85123a": "WHITE HANGING HEART T-LIGHT HOLDER",
               "21814": "HEART T-LIGHT HOLDER", "22423": "REGENCY CAKESTAND 3 TIER",
               "85099B": "JUMBO BAG RED RETROSPOT", "20725": "LUNCH BAG RED RETROSPOT",
               "B00X1": "boAt Bassheads 100 Wired Earphones", "B00X2": "Wayona Nylon Braided USB Cable"},
    categories=("Electronics|Headphones,Earbuds&Accessories|Headphones|In-Ear", "Computers&Accessories|Cables"),
    channels=("online", "retail store"), marketplaces=("amazon", "abt", "buy"))


def entities(question: str):  # type: ignore[no-untyped-def]
    return find_entities(normalise(question), question, VOCAB)


@pytest.mark.parametrize(("question", "countries", "excluded"), [
    ("revenue in the UK", ["United Kingdom"], []),
    ("sales in Britain and England", ["United Kingdom"], []),
    ("orders from Ireland", ["EIRE"], []),
    ("orders from the US", ["USA"], []),
    ("show us revenue", [], []),  # "us" in lower case is a pronoun
    ("revenue excluding the UK", [], ["United Kingdom"]),
    ("sales except UK and Germany", [], ["United Kingdom", "Germany"]),
    ("all countries without england, france", [], ["United Kingdom", "France"]),
    ("revenue in Germany but not in France", ["Germany"], ["France"]),
    ("units sold in Holland", ["Netherlands"], []),
    ("revenue in Germnay", ["Germany"], []),
    ("revenue in Japan", ["Japan"], []),  # not in the data: still a filter (the answer is 0), with a note
])
def test_countries_aliases_and_exclusions(question: str, countries: list[str], excluded: list[str]) -> None:
    found = entities(question)
    assert (found.countries, found.exclude_countries) == (countries, excluded)


def test_country_missing_from_data_is_noted() -> None:
    found = entities("revenue in Japan last month")
    assert found.countries == ["Japan"]
    assert any("Japan does not appear" in note for note in found.notes)


def test_resolve_country_spells_as_the_data_does() -> None:
    assert resolve_country("Ireland", VOCAB) == "EIRE"
    assert resolve_country("united states", VOCAB) == "USA"
    assert resolve_country("Frnace", VOCAB) is None or resolve_country("Frnace", VOCAB) == "France"
    assert resolve_country("Atlantis", VOCAB) is None
    assert resolve_country("Ireland", Vocab(countries=("Ireland",))) == "Ireland"
    assert resolve_country("EIRE", Vocab(countries=("Ireland",))) == "Ireland"


def test_sku_codes_and_product_names() -> None:
    assert entities("revenue of 85123A in november").skus == ["85123A"]
    assert entities("revenue of 85123a").skus == ["85123a"]  # the exact code typed wins
    assert entities("sales of sku 22423").skus == ["22423"]
    assert entities("white hanging heart sales").skus == ["85123A"]  # case twin folded to the canonical code
    assert entities("how many jumbo bag red retrospot").skus == ["85099B"]
    assert entities('sales of "regency cakestand"').skus == ["22423"]
    assert entities("revenue of white hangin heart").skus == ["85123A"]  # typo tolerated
    assert entities("revenue of red retrospot bags").skus == ["85099B", "20725"] or \
        set(entities("revenue of red retrospot bags").skus) == {"85099B", "20725"}
    with pytest.raises(PlanError, match="no SKU '99999'"):
        entities("revenue of sku 99999")


def test_words_that_are_not_products() -> None:
    for question in ("hello there", "how is the business doing", "top 10 products by revenue", "red"):
        assert entities(question).skus == [], question


def test_match_products_prefers_the_full_name() -> None:
    assert [sku for sku, _, _ in match_products("heart t-light holder", VOCAB.catalogue)][:1] == ["21814"]
    assert [sku for sku, _, _ in match_products("white hanging heart t-light holder", VOCAB.catalogue)] == ["85123A"]


def test_categories_channels_marketplaces() -> None:
    found = entities("revenue of headphones on amazon via the online channel")
    assert found.categories == ["Headphones"]
    assert found.marketplaces == ["amazon"]
    assert found.channels == ["online"]
    assert entities("which products did customers buy most").marketplaces == []  # "buy" needs a cue
    assert entities("cables sold in the retail store").channels == ["retail store"]


@pytest.mark.parametrize(("question", "n", "order"), [
    ("top 10 products", 10, "desc"), ("top ten products", 10, "desc"), ("5 best products", 5, "desc"),
    ("best 3 countries", 3, "desc"), ("bottom 5 skus", 5, "asc"), ("worst twenty items", 20, "asc"),
    ("top-15 products", 15, "desc"), ("which 7 products sold most", 7, None), ("products", None, None),
])
def test_top_n(question: str, n: int | None, order: str | None) -> None:
    found = entities(question)
    assert (found.top_n, found.order) == (n, order)


def test_top_n_above_100_is_capped_with_a_note() -> None:
    found = entities("top 500 products")
    assert found.top_n == 100
    assert "Asked for 500 rows." in found.notes


def test_number_one_means_the_single_best() -> None:
    found = entities("who is our #1 customer")
    assert (found.top_n, found.order) == (1, "desc")


@pytest.mark.parametrize(("question", "thresholds"), [
    ("products that grew more than 5%", {"min_pct": 5.0}),
    ("countries with revenue above £1000", {"min_value": 1000.0}),
    ("items down by at least 12.5 percent", {"min_pct": 12.5}),
    ("products with fewer than 10 units", {"max_value": 10.0}),
])
def test_thresholds(question: str, thresholds: dict[str, float]) -> None:
    assert entities(question).thresholds == thresholds


def test_offline_plan_uses_the_resolved_entities() -> None:
    plan = offline_plan("top 3 earphones on amazon in Q4 excluding the UK", VOCAB)
    assert plan.top_n == 3 and plan.filters.marketplaces == ["amazon"]
    assert plan.filters.exclude_countries == ["United Kingdom"]
    assert [(p.start, p.end) for p in plan.periods] == [(date(2011, 10, 1), date(2011, 12, 9))]


@pytest.mark.parametrize(("question", "countries"), [
    ("how much did aussie customers spend", ["Australia"]),
    ("revenue from german buyers", ["Germany"]),
    ("orders in the dutch market", ["Netherlands"]),
    ("irish sales last month", ["EIRE"]),
    ("french blue metal door sign sales", []),  # an adjective before a product word is not a country
    ("american pie", []),
])
def test_country_adjectives_before_trade_words_are_countries(question: str, countries: list[str]) -> None:
    assert entities(question).countries == countries


@pytest.mark.parametrize(("question", "skus", "excluded"), [
    ("uk sales excluding 85123A", [], ["85123A"]),
    ("revenue excl. sku 22423", [], ["22423"]),
    ("revenue except the regency cakestand and 85123A", [], ["22423", "85123A"]),  # a list, in any order
    ("top products without 85123A, 22423", [], ["85123A", "22423"]),
    ("revenue of 85123A excluding germany", ["85123A"], []),
    ("revenue of 22423 but not 85123A", ["22423"], ["85123A"]),
])
def test_products_named_after_an_excluding_word_are_left_out(question: str, skus: list[str],
                                                             excluded: list[str]) -> None:
    found = entities(question)
    assert (found.skus, found.exclude_skus) == (skus, excluded)
    assert offline_plan(question, VOCAB).filters.exclude_skus == excluded
