"""Our catalogue (the Abt sample) matched with a competitor's listings (the Buy.com sample) by the real matcher,
through the tenant's repository: pairs stored with score and method, an analyst's decisions kept across a
re-run, rejected pairs and related variants left out of the price position, confirmed ones in it."""

from __future__ import annotations

from ecomintel.agents.pricing_data import matched_offers, our_prices
from ecomintel.agents.pricing_matches import review_queue, run_matching
from ecomintel.config import load_settings
from ecomintel.db.repository import Repository
from ecomintel.ingest.pipeline import ingest_file
from tests.conftest import SAMPLES

SETTINGS = load_settings({})


def test_matching_the_samples_and_keeping_decisions(repo: Repository) -> None:
    ingest_file(repo, "products", SAMPLES / "abt.csv", settings=SETTINGS, defaults={"marketplace": "abt",
                                                                                    "currency": "USD"})
    ingest_file(repo, "listings", SAMPLES / "buy.csv", settings=SETTINGS,
                defaults={"marketplace": "buy", "seller": "Buy.com", "currency": "USD"})
    run = run_matching(repo)
    pairs = repo.matches()
    assert run.pairs == len(pairs) > 300 and run.same > 300
    assert set(pairs["relation"]) <= {"same", "related"} and pairs["score"].between(0, 1).all()
    same = pairs[pairs["relation"] == "same"].sort_values("score")
    doubtful, sure = same.iloc[0], same.iloc[-1]
    repo.decide_match(int(doubtful["id"]), "rejected")
    repo.decide_match(int(sure["id"]), "confirmed")
    run_matching(repo)  # a re-run: decisions stay
    again = repo.matches().set_index("id")
    assert again.loc[int(doubtful["id"]), "decision"] == "rejected"
    assert again.loc[int(sure["id"]), "decision"] == "confirmed"
    offers = matched_offers(repo, our_prices(repo, None))
    keys = set(zip(offers["our_sku"], offers["sku"], strict=True))
    assert (doubtful["our_sku"], doubtful["sku"]) not in keys
    related = pairs[pairs["relation"] == "related"]
    assert not any((a, b) in keys for a, b in zip(related["our_sku"], related["sku"], strict=True))
    assert not review_queue(repo).empty and review_queue(repo)["decision"].isna().all()
