"""Price changes beyond a threshold: between two periods (our mean price in A vs in B), and step changes
inside a history (consecutive buckets or observations), for our prices and for competitors'.

Why pure functions over frames: the detection rule is what the synthetic-history tests pin (known steps
in, exactly those steps out), independent of where the prices come from (sales lines or price_history).
A change is |after / before − 1| × 100 > threshold; its date is the first bucket / observation at the new
price. Small wobbles below the threshold are not changes, so noise in a mean unit price does not flood the
table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CHANGE_COLUMNS = ["before", "after", "change_pct", "from", "to"]


def steps(history: pd.DataFrame, keys: list[str], *, when: str, threshold_pct: float,
          sustained: bool = False) -> pd.DataFrame:
    """Consecutive price steps per group of `keys` in `history` (columns keys + `when` + price), sorted by
    `when` within each group: the rows where the price moved by more than `threshold_pct` % from the
    previous point. Columns: keys, before, after, change_pct, from (previous point's time), to (the new
    price's first time).

    `sustained`: a step counts only when the next point (if there is one) is still more than the threshold
    away from the old price, on the same side, and is not the way back to the price of two points before —
    for mean prices from sales lines, where a week with more quantity-tier lines dips and comes back without
    anyone repricing; a real repricing stays."""
    if history.empty:
        return pd.DataFrame(columns=[*keys, *CHANGE_COLUMNS])
    h = history.sort_values([*keys, when], kind="stable").reset_index(drop=True)
    same = np.ones(len(h), dtype=bool)
    for k in keys:
        col = h[k].astype(str).to_numpy()
        same[1:] &= col[1:] == col[:-1]
    same[0] = False
    price = h["price"].to_numpy(dtype=float)
    prev = np.roll(price, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = (price / prev - 1.0) * 100.0
    hit = same & (prev > 0) & (np.abs(pct) > threshold_pct)
    if sustained:
        nxt = np.roll(price, -1)
        has_next = np.r_[same[1:], False]
        with np.errstate(divide="ignore", invalid="ignore"):
            after_pct = (nxt / prev - 1.0) * 100.0
        stays = (np.abs(after_pct) > threshold_pct) & (np.sign(after_pct) == np.sign(pct))
        prev2 = np.roll(price, 2)
        has_prev2 = same & np.r_[False, same[:-1]]
        with np.errstate(divide="ignore", invalid="ignore"):
            back = np.abs(price / prev2 - 1.0) * 100.0 <= threshold_pct  # the way back from a one-bucket blip
        hit &= (~has_next | stays) & ~(has_prev2 & back)
    idx = np.flatnonzero(hit)
    out = h.loc[idx, keys].reset_index(drop=True)
    out["before"] = prev[idx]
    out["after"] = price[idx]
    out["change_pct"] = pct[idx]
    out["from"] = h[when].to_numpy()[idx - 1]
    out["to"] = h[when].to_numpy()[idx]
    return out


def between_periods(first: pd.DataFrame, second: pd.DataFrame, *, threshold_pct: float) -> pd.DataFrame:
    """Products whose mean price in `second` differs from `first` by more than `threshold_pct` %. Both frames:
    sku, price, lines (one row per sku). Columns: sku, before, after, change_pct, lines_before, lines_after —
    sorted by the size of the change."""
    merged = first.loc[:, ["sku", "price", "lines"]].merge(second.loc[:, ["sku", "price", "lines"]], on="sku",
                                                           suffixes=("_before", "_after"))
    merged = merged[merged["price_before"] > 0]
    pct = (merged["price_after"] / merged["price_before"] - 1.0) * 100.0
    out = pd.DataFrame({"sku": merged["sku"], "before": merged["price_before"], "after": merged["price_after"],
                        "change_pct": pct, "lines_before": merged["lines_before"],
                        "lines_after": merged["lines_after"]})
    out = out[out["change_pct"].abs() > threshold_pct]
    return out.reindex(out["change_pct"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def period_means(history: pd.DataFrame, min_lines: int) -> pd.DataFrame:
    """One row per sku from an our_price_history frame of one period: the line-weighted mean of the bucket
    means (= the mean unit price over the period's lines) and the line count; skus with fewer than
    `min_lines` lines are left out."""
    if history.empty:
        return pd.DataFrame(columns=["sku", "price", "lines"])
    weighted = history.assign(w=history["price"] * history["lines"])
    g = weighted.groupby("sku", as_index=False).agg(w=("w", "sum"), lines=("lines", "sum"))
    g["price"] = g["w"] / g["lines"]
    return g.loc[g["lines"] >= min_lines, ["sku", "price", "lines"]].reset_index(drop=True)


def typical_prices(counts: pd.DataFrame, min_lines: int, by_bucket: bool = True) -> pd.DataFrame:
    """From our_price_counts rows (sku, key, price, lines): the price most lines were sold at, per sku and
    bucket (`by_bucket`) or per sku over all the rows' buckets (a period). Ties go to the lower price.
    Columns: sku, [key,] price, lines (all lines of the group), share (of lines at that price); groups with
    fewer than `min_lines` lines are left out."""
    keys = ["sku", "key"] if by_bucket else ["sku"]
    if counts.empty:
        return pd.DataFrame(columns=[*keys, "price", "lines", "share"])
    per_price = counts.groupby([*keys, "price"], as_index=False)["lines"].sum()
    total = per_price.groupby(keys)["lines"].transform("sum")
    ordered = per_price.assign(total=total).sort_values([*keys, "lines", "price"], ascending=[*([True] * len(keys)),
                                                                                            False, True])
    top = ordered.drop_duplicates(keys, keep="first")
    out = top.assign(share=top["lines"] / top["total"]).drop(columns="lines").rename(columns={"total": "lines"})
    return out.loc[out["lines"] >= min_lines, [*keys, "price", "lines", "share"]].reset_index(drop=True)
