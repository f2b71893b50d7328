"""The listings upload kind on SQLite and PostgreSQL: rejects with reasons, dedup of observations, latest
observation per marketplace+seller+sku in listings (by observed_at, not upload order), lineage, the
Buy sample with its real headers, and matches whose analyst decision survives a re-run."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from ecomintel.config import load_settings
from ecomintel.db import models as m
from ecomintel.db.repository import Repository
from ecomintel.ingest.pipeline import ingest_file, preview_file
from tests.conftest import SAMPLES

SETTINGS = load_settings({})
HEADER = "ASIN,Title,Seller,Marketplace,Price,List Price,Currency,URL,Scraped At\n"


def listing_csv(*lines: str) -> bytes:
    return (HEADER + "".join(line + "\n" for line in lines)).encode()


def table(repo: Repository, t: sa.Table) -> pd.DataFrame:
    return repo.frame(repo.scoped(t))


def test_mapping_of_a_scraper_export_is_guessed_from_its_headers() -> None:
    preview = preview_file(listing_csv("B01,Kettle,ShopA,amazon.de,19.99,24.99,EUR,https://x/1,2024-03-01"),
                           kind="listings", settings=SETTINGS)
    assert preview.mapping["sku"] == "ASIN" and preview.mapping["title"] == "Title"
    assert preview.mapping["seller"] == "Seller" and preview.mapping["list_price"] == "List Price"
    assert preview.mapping["observed_at"] == "Scraped At" and preview.missing == []


def test_rejects_keep_reasons_and_every_observation_lands_in_history(repo: Repository) -> None:
    data = listing_csv(
        "B01,Kettle,ShopA,amazon.de,19.99,24.99,EUR,https://x/1,2024-03-01",
        "B01,Kettle,ShopA,amazon.de,17.99,24.99,EUR,https://x/1,2024-03-08",
        "B01,Kettle,ShopB,amazon.de,21.00,,EUR,https://x/2,2024-03-08",
        ",,ShopA,amazon.de,5.00,,EUR,,2024-03-01",        # no sku, no title
        "B02,Toaster,ShopA,amazon.de,abc,,EUR,,2024-03-01",  # price not a number
        "B03,Mixer,ShopA,amazon.de,0,,EUR,,2024-03-01",      # price 0
        "B04,Grill,ShopA,amazon.de,10,,EUR,,not a date",
        ",Blender Pro 500,ShopC,ebay,55.5,,EUR,,2024-03-02",  # title only: keyed by the title
        "B01,Kettle,ShopA,amazon.de,17.99,24.99,EUR,https://x/1,2024-03-08",  # same observation again
    )
    r = ingest_file(repo, "listings", data, settings=SETTINGS, file_name="prices.csv")
    assert r.status == "done", r.message
    assert (r.rows_total, r.accepted, r.rejected, r.duplicates) == (9, 4, 4, 1)
    reasons = repo.rejected(r.batch_id)["reasons"].tolist()
    assert any("sku and title are both empty" in x for x in reasons)
    assert any("price 'abc' is not a number" in x for x in reasons)
    assert any("price is 0" in x for x in reasons)
    assert any("observed_at 'not a date' is not a date" in x for x in reasons)
    history = table(repo, m.price_history)
    assert len(history) == 4 and set(history["batch_id"]) == {r.batch_id}
    listings = table(repo, m.listings).set_index(["seller", "sku"])
    assert len(listings) == 3  # ShopA/B01 (latest 17.99), ShopB/B01, ShopC/title key
    assert listings.loc[("ShopA", "B01"), "price"] == 17.99
    assert listings.loc[("ShopA", "B01"), "list_price"] == 24.99
    titled = listings.xs("ShopC", level="seller")
    assert titled.index[0].startswith("title:") and titled["title"].iloc[0] == "Blender Pro 500"


def test_an_older_export_uploaded_later_does_not_roll_the_listing_back(repo: Repository) -> None:
    new = listing_csv("B01,Kettle,ShopA,amazon.de,15.00,,EUR,,2024-04-01")
    old = listing_csv("B01,Kettle,ShopA,amazon.de,19.00,,EUR,,2024-03-01")
    assert ingest_file(repo, "listings", new, settings=SETTINGS, file_name="april.csv").accepted == 1
    r = ingest_file(repo, "listings", old, settings=SETTINGS, file_name="march.csv")
    assert r.accepted == 1
    assert table(repo, m.listings)["price"].tolist() == [15.0]
    assert sorted(table(repo, m.price_history)["price"].tolist()) == [15.0, 19.0]
    again = ingest_file(repo, "listings", old, settings=SETTINGS, file_name="march.csv", force=True)
    assert again.accepted == 0 and again.duplicates == 1
    assert len(table(repo, m.price_history)) == 2


def test_buy_sample_loads_as_competitor_listings(repo: Repository) -> None:
    r = ingest_file(repo, "listings", SAMPLES / "buy.csv", settings=SETTINGS,
                    defaults={"marketplace": "buy.com", "seller": "Buy.com", "currency": "USD"})
    assert r.status == "done"
    assert r.accepted > 500 and r.rejected > 0  # rows without a price are rejected with the reason
    assert "price is empty" in repo.rejected(r.batch_id)["reasons"].iloc[0]
    assert repo.vocabulary().has("listings")
    offers = repo.competitor_listings()
    assert len(offers) == r.accepted and offers["brand"].notna().any() and (offers["seller"] == "Buy.com").all()


def test_matches_keep_the_analysts_decision_across_reruns(repo: Repository) -> None:
    pair = {"our_sku": "A1", "marketplace": "buy.com", "seller": "Buy.com", "sku": "B9", "score": 0.71,
            "method": "matcher", "relation": "same"}
    repo.store_matches([pair])
    match_id = int(repo.matches()["id"].iloc[0])
    repo.decide_match(match_id, "rejected")
    repo.store_matches([{**pair, "score": 0.93}])
    stored = repo.matches().iloc[0]
    assert stored["decision"] == "rejected" and stored["score"] == 0.93 and len(repo.matches()) == 1
    other = {**pair, "sku": "B10", "score": 0.8}
    repo.store_matches([other])
    repo.store_matches([], replace=True)  # a new run that found nothing: the undecided pair goes, the decision stays
    assert repo.matches()["sku"].tolist() == ["B9"]
