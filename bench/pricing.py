"""Pricing bench (issue 8): the whole pricing analysis and recommendations for 5,000 products with 3 competitor
offers each (synthetic, seeded) — price position (min/median/max, gap, rank), products out of line, position
by category, promotions and discount depth, price steps in 90 days of competitor history, elasticity from 60
days of our daily sales per product, and recommendations (margin floor, max step) — against a naive pandas
baseline (a Python loop filtering the frames per product) measured in the same run. Target: ≤ 5 s.

What it times: the analysis functions the agent and the Pricing page call (agents/pricing_*.py) on frames
already read; the database reads are SQL aggregates timed by bench/ask.py. Writes bench/results/pricing.json.

    .venv/bin/python bench/pricing.py [--products 5000] [--offers 3] [--seed 8]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ecomintel.agents.pricing_changes import steps  # noqa: E402
from ecomintel.agents.pricing_elasticity import fit_all  # noqa: E402
from ecomintel.agents.pricing_position import by_category, discount_depth, out_of_line, position, promotions  # noqa: E402
from ecomintel.agents.pricing_recommend import clamp_price, recommend  # noqa: E402

MIN_MARGIN, MAX_STEP, GAP = 0.2, 0.1, 5.0


def synthetic(n: int, offers: int, seed: int) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    skus = [f"P{i:05d}" for i in range(n)]
    base = np.round(rng.lognormal(3.5, 0.8, n), 2)
    ours = pd.DataFrame({"sku": skus, "name": [f"Product {i} {'deal' if i % 17 == 0 else ''}" for i in range(n)],
                         "category": [f"cat{i % 40}" for i in range(n)],
                         "our_price": np.round(base * rng.uniform(0.85, 1.2, n), 2),
                         "cost": np.where(rng.random(n) < 0.8, np.round(base * rng.uniform(0.4, 0.85, n), 2), np.nan)})
    ours["list_price"] = np.where(rng.random(n) < 0.3, np.round(ours["our_price"] * rng.uniform(1.05, 1.6, n), 2),
                                  np.nan)
    off = pd.DataFrame({"our_sku": np.repeat(skus, offers), "marketplace": "market",
                        "seller": np.tile([f"seller{j}" for j in range(offers)], n),
                        "price": np.round(np.repeat(base, offers) * rng.uniform(0.8, 1.25, n * offers), 2)})
    days = pd.date_range("2024-01-01", periods=90)
    hist = off.loc[np.repeat(off.index, 9)].reset_index(drop=True)  # 9 observations per offer over 90 days
    hist["observed_at"] = np.tile(days[::10][:9], len(off))
    jump = rng.random(len(hist)) < 0.05
    hist["price"] = hist["price"] * np.where(jump, rng.uniform(0.7, 1.3, len(hist)), 1.0)
    hist["sku"] = hist["our_sku"]
    sold = pd.date_range("2024-01-01", periods=60).strftime("%Y-%m-%d")
    price = np.repeat(ours["our_price"].to_numpy(), len(sold)) * rng.choice([0.9, 1.0, 1.1], n * len(sold))
    e = np.repeat(rng.uniform(-3, -0.5, n), len(sold))
    units = np.maximum(1, np.round(20 * (price / np.repeat(ours["our_price"].to_numpy(), len(sold))) ** e
                                   * np.exp(rng.normal(0, 0.2, n * len(sold)))))
    daily = pd.DataFrame({"sku": np.repeat(skus, len(sold)), "key": np.tile(sold, n), "price": price,
                          "units": units})
    return {"ours": ours, "offers": off, "history": hist, "daily": daily}


def analysis(data: dict[str, pd.DataFrame]) -> tuple[dict[str, int], pd.DataFrame, pd.DataFrame]:
    ours, off = data["ours"], data["offers"]
    pos = position(ours, off)
    flagged = out_of_line(pos, GAP, "both")
    cats = by_category(pos, GAP)
    items = ours.rename(columns={"name": "title", "our_price": "price"}).assign(source="ours")
    promos = promotions(items[["sku", "title", "category", "source", "price", "list_price"]])
    depth = discount_depth(promos)
    changes = steps(data["history"], ["marketplace", "seller", "sku"], when="observed_at", threshold_pct=GAP)
    est = fit_all(data["daily"])
    credible = est[est["credible"]].set_index("sku")["elasticity"]
    weekly = data["daily"].groupby("sku")["units"].sum() / (60 / 7)
    frame = ours.set_index("sku").assign(current=lambda f: f["our_price"],
                                         comp_median=pos.set_index("sku")["comp_median"],
                                         elasticity=credible, weekly_units=weekly).reset_index()
    rec = recommend(frame[["sku", "current", "cost", "comp_median", "elasticity", "weekly_units"]],
                    min_margin=MIN_MARGIN, max_step=MAX_STEP, gap_threshold=GAP)
    return {"compared": len(pos), "out_of_line": len(flagged), "categories": len(cats), "promotions": len(promos),
            "depth_rows": len(depth), "competitor_changes": len(changes), "credible_elasticities": len(credible),
            "recommendations": len(rec), "suggested_changes": int((rec["suggested"] != rec["current"]).sum())}, pos, rec


def naive(data: dict[str, pd.DataFrame]) -> tuple[dict[str, int], pd.DataFrame]:
    """The baseline: per product, filter the frames and compute with Python (how a notebook would do it)."""
    ours, off = data["ours"], data["offers"]
    rows = []
    for _, r in ours.iterrows():
        mine = off[off["our_sku"] == r["sku"]]["price"]
        med = float(mine.median())
        gap = (r["our_price"] / med - 1) * 100
        target = med if abs(gap) > GAP else r["our_price"]
        cost = None if pd.isna(r["cost"]) else float(r["cost"])
        out = clamp_price(target, float(r["our_price"]), cost, min_margin=MIN_MARGIN, max_step=MAX_STEP)
        rows.append({"sku": r["sku"], "comp_median": med, "gap_pct": gap, "suggested": out.price})
    hist = data["history"]
    changes = 0
    for _key, part in hist.groupby(["marketplace", "seller", "sku"]):
        p = part.sort_values("observed_at")["price"].to_numpy()
        changes += int((np.abs(p[1:] / p[:-1] - 1) * 100 > GAP).sum())
    return {"compared": len(rows), "competitor_changes": changes}, pd.DataFrame(rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--products", type=int, default=5000)
    ap.add_argument("--offers", type=int, default=3)
    ap.add_argument("--seed", type=int, default=8)
    args = ap.parse_args()
    data = synthetic(args.products, args.offers, args.seed)
    started = time.perf_counter()
    counts, pos, _rec = analysis(data)
    ours_s = time.perf_counter() - started
    started = time.perf_counter()
    base_counts, base = naive(data)
    base_s = time.perf_counter() - started
    merged = pos.merge(base, on="sku", suffixes=("", "_naive"))
    agree = bool(np.allclose(merged["gap_pct"], merged["gap_pct_naive"]))
    result = {"products": args.products, "offers_per_product": args.offers, "seed": args.seed,
              "seconds": round(ours_s, 3), "target_seconds": 5.0, "meets_target": ours_s <= 5.0,
              "baseline": "naive pandas loop per product (position + clamp only) and per offer history",
              "baseline_seconds": round(base_s, 3), "speedup": round(base_s / ours_s, 1) if ours_s else None,
              "gaps_agree_with_baseline": agree,
              "competitor_changes_agree": counts["competitor_changes"] == base_counts["competitor_changes"],
              "counts": counts, "load_average": list(os.getloadavg()), "cpus": os.cpu_count()}
    out = ROOT / "bench" / "results" / "pricing.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"pricing analysis, {args.products:,} products × {args.offers} offers: {ours_s:.2f} s (target ≤ 5 s) — "
          f"naive baseline {base_s:.2f} s (it does less: position + clamp + history steps only); gaps agree: {agree}; "
          f"changes agree: {result['competitor_changes_agree']}")
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
