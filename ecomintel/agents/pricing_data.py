"""What the pricing analyses read, assembled once per answer: our price per product, the competitor offers
matched to our products, the tenant's pricing settings, and the plan's filters applied to all of them.

Our price: the catalogue's current price (products table) when it has one, else the mean unit price of the
product's latest month in the sales lines (a sales-only tenant) — not for a catalogue row of a named
marketplace, which is priced on that marketplace, not in our shop's lines. Matched offers: a competitor listing with
our SKU code (exact), plus the stored matcher pairs of relation "same" the analyst has not rejected
(price_matches); related variants (another size or colour) are not the same product's price.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from ecomintel.ask.plan import Plan
from ecomintel.config import load_settings
from ecomintel.db.repository import Repository
from ecomintel.db.sales_lines import SalesFilter


@dataclass(frozen=True)
class PricingSettings:
    min_margin: float
    max_step: float
    gap_threshold: float
    min_lines: int = 3


def pricing_settings(repo: Repository) -> PricingSettings:
    """Defaults from config.py, overridden by the tenant's preferences (pricing_min_margin, …)."""
    s = load_settings()

    def pref(key: str, default: float) -> float:
        value = repo.get_preference(key, None)
        try:
            return default if value is None else float(value)
        except (TypeError, ValueError):
            return default

    return PricingSettings(min_margin=pref("pricing_min_margin", s.price_min_margin),
                          max_step=pref("pricing_max_step", s.price_max_step),
                          gap_threshold=pref("pricing_gap_threshold", s.price_gap_threshold))


def _contains(values: pd.Series, fragments: list[str]) -> pd.Series:
    text = values.fillna("").astype(str).str.lower()
    mask = pd.Series(False, index=values.index)
    for f in fragments:
        mask |= text.str.contains(f.strip().lower(), regex=False)
    return mask


def our_prices(repo: Repository, data_end: date | None, min_lines: int = 3) -> pd.DataFrame:
    """sku, name, category, brand, our_price, list_price, cost, price_source — one row per product."""
    products = repo.our_products()
    cat = products.drop_duplicates("sku", keep="first")
    priced = cat[cat["price"].notna()].rename(columns={"price": "our_price"})
    priced = priced.assign(price_source="catalogue")
    frames = [priced]
    if data_end is not None:
        start = (data_end.replace(day=1) - timedelta(days=62)).replace(day=1)
        hist = repo.our_price_history("month", SalesFilter(start=start, end=data_end), min_lines=min_lines)
        if not hist.empty:
            latest = hist.sort_values("key").groupby("sku").tail(1)
            # a catalogue row of a named marketplace is priced there: the sales lines (our own shop) price
            # the products the catalogue does not list, or lists without a marketplace
            elsewhere = cat.loc[cat["marketplace"].fillna("") != "", "sku"]
            latest = latest[~latest["sku"].isin(priced["sku"]) & ~latest["sku"].isin(elsewhere)]
            names = repo.product_names(latest["sku"].tolist())
            meta = cat.set_index("sku")
            sales = pd.DataFrame({"sku": latest["sku"].to_numpy(),
                                  "name": [names.get(k) for k in latest["sku"]],
                                  "our_price": latest["price"].to_numpy(),
                                  "price_source": "sales " + latest["key"].astype(str).to_numpy()})
            for col in ("category", "brand", "list_price", "cost"):
                sales[col] = sales["sku"].map(meta[col]) if col in meta else None
            frames.append(sales)
    cols = ["sku", "name", "category", "brand", "our_price", "list_price", "cost", "price_source"]
    out = pd.concat([f.reindex(columns=cols) for f in frames if not f.empty], ignore_index=True) \
        if any(not f.empty for f in frames) else pd.DataFrame(columns=cols)
    return out


def matched_offers(repo: Repository, ours: pd.DataFrame) -> pd.DataFrame:
    """our_sku, marketplace, seller, sku, title, price, list_price, observed_at, method, score, decision."""
    offers = repo.competitor_listings()
    cols = ["our_sku", "marketplace", "seller", "sku", "title", "price", "list_price", "observed_at", "method",
            "score", "decision"]
    if offers.empty or ours.empty:
        return pd.DataFrame(columns=cols)
    exact = offers[offers["sku"].isin(ours["sku"])].assign(our_sku=lambda f: f["sku"], method="sku", score=1.0,
                                                            decision=None)
    pairs = repo.matches()
    parts = [exact]
    if not pairs.empty:
        kept = pairs[(pairs["relation"] == "same") & (pairs["decision"].fillna("") != "rejected")]
        joined = kept.drop(columns=["id", "relation", "decided_at"]).merge(
            offers, on=["marketplace", "seller", "sku"], how="inner")
        parts.append(joined[joined["our_sku"].isin(ours["sku"])])
    out = pd.concat([p.reindex(columns=[*cols, "currency"]) for p in parts if not p.empty], ignore_index=True) \
        if any(not p.empty for p in parts) else pd.DataFrame(columns=[*cols, "currency"])
    ours_currency = repo.our_products().drop_duplicates("sku").set_index("sku")["currency"]
    mine = out["our_sku"].map(ours_currency)
    comparable = mine.isna() | out["currency"].isna() | (mine == out["currency"])  # never ₹ against $
    out = out[comparable.to_numpy(dtype=bool)]
    return out.drop_duplicates(["our_sku", "marketplace", "seller", "sku"]).loc[:, cols].reset_index(drop=True)


def apply_filters(plan: Plan, ours: pd.DataFrame, offers: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The plan's product, SKU, category and marketplace filters over our products and the offers."""
    f = plan.filters
    if f.skus:
        ours = ours[ours["sku"].isin(f.skus)]
    if f.exclude_skus:
        ours = ours[~ours["sku"].isin(f.exclude_skus)]
    if f.products:
        ours = ours[_contains(ours["name"], f.products)]
    if f.categories:
        ours = ours[_contains(ours["category"], f.categories)]
    if f.marketplaces:
        offers = offers[_contains(offers["marketplace"], f.marketplaces) | _contains(offers["seller"], f.marketplaces)]
    offers = offers[offers["our_sku"].isin(ours["sku"])]
    return ours, offers
