"""Running the product matcher (ecomintel/matching, frames in, pairs out) between our catalogue and the
competitor listings, and storing its pairs per tenant (price_matches) — the analyst's decisions untouched.

Why here and not in ecomintel/matching: the matcher knows no database and no tenant; this module reads our
products and the listings through the tenant's repository, gives the matcher the frames it takes
(id, title, brand, description, price) and writes back what it returns. A listing's id for the matcher is
its key "marketplace␟seller␟sku", split again when the pairs are stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ecomintel.db.repository import Repository
from ecomintel.errors import InputError

SEP = "\x1f"
REVIEW_BAND = 0.12  # pairs within this distance of the threshold (or of the lowest score kept) go to review


@dataclass(frozen=True)
class MatchRun:
    left: int
    right: int
    pairs: int
    same: int
    related: int
    message: str


def matcher_frames(repo: Repository) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(our products, competitor listings) as the matcher's frames: id, title, brand, description, price."""
    ours = repo.our_products().drop_duplicates("sku")
    offers = repo.competitor_listings()
    currencies = set(offers["currency"].dropna())
    if currencies:  # our products priced in another currency are not the competitors' market
        ours = ours[ours["currency"].isna() | ours["currency"].isin(currencies)]
    left = pd.DataFrame({"id": ours["sku"].astype(str), "title": ours["name"].fillna("").astype(str),
                         "brand": ours["brand"], "description": "", "price": ours["price"]})
    right = pd.DataFrame({"id": (offers["marketplace"].astype(str) + SEP + offers["seller"].astype(str) + SEP
                                 + offers["sku"].astype(str)),
                          "title": offers["title"].fillna("").astype(str), "brand": offers["brand"],
                          "description": "", "price": offers["price"]})
    return left[left["title"] != ""], right[right["title"] != ""]


def run_matching(repo: Repository, *, threshold: float | None = None) -> MatchRun:
    """Match our products against the competitor listings and store the pairs (decisions are kept)."""
    try:
        from ecomintel.matching.match import match_products  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:
        raise InputError("The product matcher (ecomintel.matching) is not available in this installation.",
                         "Upload listings with our SKU codes: those are matched exactly.") from exc
    left, right = matcher_frames(repo)
    if left.empty or right.empty:
        return MatchRun(len(left), len(right), 0, 0, 0, "Nothing to match: load our catalogue (products with names) "
                        "and competitor listings with titles first.")
    pairs: pd.DataFrame = match_products(left, right, threshold=threshold)
    records: list[dict[str, Any]] = []
    for row in pairs.to_dict("records"):
        marketplace, seller, sku = str(row["right_id"]).split(SEP, 2)
        records.append({"our_sku": str(row["left_id"]), "marketplace": marketplace, "seller": seller, "sku": sku,
                        "score": float(row["score"]), "method": str(row.get("method") or "matcher"),
                        "relation": str(row.get("relation") or "same")})
    repo.store_matches(records, replace=True)
    same = sum(1 for r in records if r["relation"] == "same")
    return MatchRun(len(left), len(right), len(records), same, len(records) - same,
                    f"{len(records):,} pairs stored ({same:,} same product, {len(records) - same:,} related variants) "
                    f"between {len(left):,} of our products and {len(right):,} competitor listings.")


def review_queue(repo: Repository, *, threshold: float | None = None, band: float = REVIEW_BAND) -> pd.DataFrame:
    """Undecided pairs whose score is near the threshold (the lowest kept score when none is given), lowest
    first, with both titles: what an analyst should confirm or reject."""
    pairs = repo.matches()
    if pairs.empty:
        return pairs
    undecided = pairs[pairs["decision"].isna()]
    if undecided.empty:
        return undecided
    edge = threshold if threshold is not None else float(undecided["score"].min())
    near = undecided[(undecided["score"] - edge).abs() <= band]
    ours = repo.our_products().drop_duplicates("sku").set_index("sku")["name"]
    offers = repo.competitor_listings().set_index(["marketplace", "seller", "sku"])
    titles = [offers["title"].get((m, s, k)) if (m, s, k) in offers.index else None
              for m, s, k in zip(near["marketplace"], near["seller"], near["sku"], strict=True)]
    prices = [offers["price"].get((m, s, k)) if (m, s, k) in offers.index else None
              for m, s, k in zip(near["marketplace"], near["seller"], near["sku"], strict=True)]
    return near.assign(our_title=near["our_sku"].map(ours), their_title=pd.Series(titles, index=near.index),
                       their_price=pd.Series(prices, index=near.index, dtype=float)) \
        .sort_values("score").reset_index(drop=True)
