"""Price position: our price against the matched competitor offers per product (min / median / max, gap % to
the median, rank), per category, and the products more than X% above or below the market; and promotions
(list vs sale price, promo words in titles, discount depth by category).

Why the median: one competitor's clearance price should not define "the market", and with 3+ offers the
median is what an analyst means by it. Rank 1 = cheapest (ties share the better rank). Pure functions over
frames; agents/pricing.py reads the data.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

PROMO_WORDS = re.compile(r"\bdeals?\b|\d+\s*%\s*off\b|\bbundle\w*|\bclearance\b|\bsale\b|\bsave\s+\d+|\bbogo\b"
                         r"|\bbuy\s+(?:one|1)\s+get\b|\blimited[- ]time\b|\bdiscount\w*|\bprice\s+drop\b")


def position(ours: pd.DataFrame, offers: pd.DataFrame) -> pd.DataFrame:
    """`ours`: sku, name, category, our_price (one row per product). `offers`: our_sku, marketplace, seller,
    price (the matched competitor offers). One row per product with at least one offer: sku, name, category,
    our_price, offers, comp_min, comp_median, comp_max, gap_pct (ours vs median), rank (1 = cheapest of
    ours and the offers), cheapest_seller."""
    if ours.empty or offers.empty:
        return pd.DataFrame(columns=["sku", "name", "category", "our_price", "offers", "comp_min", "comp_median",
                                     "comp_max", "gap_pct", "rank", "cheapest_seller"])
    o = offers[offers["price"] > 0]
    g = o.groupby("our_sku")["price"]
    stats = pd.DataFrame({"offers": g.size(), "comp_min": g.min(), "comp_median": g.median(), "comp_max": g.max()})
    cheapest = o.loc[o.groupby("our_sku")["price"].idxmin(), ["our_sku", "seller", "marketplace"]]
    cheapest["cheapest_seller"] = np.where(cheapest["seller"].astype(str) != "", cheapest["seller"].astype(str),
                                           cheapest["marketplace"].astype(str))
    stats = stats.join(cheapest.set_index("our_sku")["cheapest_seller"])
    merged = ours.merge(stats, left_on="sku", right_index=True, how="inner")
    merged = merged[merged["our_price"] > 0]
    merged["gap_pct"] = (merged["our_price"] / merged["comp_median"] - 1.0) * 100.0
    cheaper = o.merge(merged[["sku", "our_price"]], left_on="our_sku", right_on="sku")
    below = (cheaper["price"] < cheaper["our_price"] - 1e-9).groupby(cheaper["our_sku"]).sum()
    merged["rank"] = 1 + merged["sku"].map(below).fillna(0).astype(int)
    cols = ["sku", "name", "category", "our_price", "offers", "comp_min", "comp_median", "comp_max", "gap_pct",
            "rank", "cheapest_seller"]
    return merged.loc[:, cols].sort_values("gap_pct", ascending=False).reset_index(drop=True)


def out_of_line(pos: pd.DataFrame, threshold_pct: float, side: str) -> pd.DataFrame:
    """Products more than `threshold_pct` % above (side "above"), below ("below") or either ("both") the
    competitor median."""
    if side == "above":
        return pos[pos["gap_pct"] > threshold_pct]
    if side == "below":
        return pos[pos["gap_pct"] < -threshold_pct].sort_values("gap_pct")
    return pos[pos["gap_pct"].abs() > threshold_pct]


def by_category(pos: pd.DataFrame, threshold_pct: float) -> pd.DataFrame:
    """Per category: products, median gap %, share of products more than the threshold above / below."""
    if pos.empty:
        return pd.DataFrame(columns=["category", "products", "median_gap_pct", "above_pct", "below_pct"])
    p = pos.assign(category=pos["category"].fillna("(no category)").astype(str))
    g = p.groupby("category")
    out = pd.DataFrame({"products": g.size(), "median_gap_pct": g["gap_pct"].median(),
                        "above_pct": g["gap_pct"].apply(lambda s: float((s > threshold_pct).mean() * 100)),
                        "below_pct": g["gap_pct"].apply(lambda s: float((s < -threshold_pct).mean() * 100))})
    return out.reset_index().sort_values("median_gap_pct", ascending=False).reset_index(drop=True)


def promotions(items: pd.DataFrame) -> pd.DataFrame:
    """`items`: sku, title, category, source (ours / a seller), price, list_price. The rows on promotion: a
    sale price below the list price (discount_pct) or a promo word in the title (promo_words)."""
    if items.empty:
        return pd.DataFrame(columns=[*items.columns, "discount_pct", "promo_words"])
    list_price = pd.to_numeric(items["list_price"], errors="coerce")
    price = pd.to_numeric(items["price"], errors="coerce")
    discount = np.where((list_price > 0) & (price > 0) & (price < list_price), (1 - price / list_price) * 100, 0.0)
    titles = items["title"].fillna("").astype(str).str.lower()
    words = titles.map(lambda t: ", ".join(sorted({m.group(0) for m in PROMO_WORDS.finditer(t)})))
    out = items.assign(discount_pct=np.round(discount, 1), promo_words=words)
    out = out[(out["discount_pct"] > 0) | (out["promo_words"] != "")]
    return out.sort_values("discount_pct", ascending=False).reset_index(drop=True)


def discount_depth(promos: pd.DataFrame) -> pd.DataFrame:
    """Per category: discounted items, mean and max discount %."""
    d = promos[promos["discount_pct"] > 0]
    if d.empty:
        return pd.DataFrame(columns=["category", "items", "mean_discount_pct", "max_discount_pct"])
    top = d.assign(category=d["category"].fillna("(no category)").astype(str).str.split("|").str[0])
    g = top.groupby("category")["discount_pct"]
    out = pd.DataFrame({"items": g.size(), "mean_discount_pct": g.mean().round(1), "max_discount_pct": g.max()})
    return out.reset_index().sort_values("mean_discount_pct", ascending=False).reset_index(drop=True)
