"""Cut the small demo/test samples in data/samples/ from the full datasets in ../shared/datasets.

Why: a clone of this repository has no ../shared, so the app's demo data and the test fixtures must be
committed. This script is how they were made; re-running it reproduces them byte for byte (fixed seed).
Usage: python scripts/make_samples.py [--source ../shared/datasets]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import random
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "samples"


def cut_online_retail(src: Path) -> None:
    """Sep 2011 .. the end (2011-12-09) for the demo; two days of Oct and two of Nov for tests."""
    demo_rows = 0
    small_rows = 0
    with gzip.open(src, "rt", encoding="utf-8", newline="") as fh, \
            gzip.open(OUT / "online_retail_2011_q4.csv.gz", "wt", encoding="utf-8", newline="", compresslevel=9) as demo, \
            open(OUT / "online_retail_small.csv", "w", encoding="utf-8", newline="") as small:
        reader = csv.reader(fh)
        header = next(reader)
        demo_w = csv.writer(demo, lineterminator="\n")
        small_w = csv.writer(small, lineterminator="\n")
        demo_w.writerow(header)
        small_w.writerow(header)
        date_col = header.index("InvoiceDate")
        for row in reader:
            day = row[date_col][:10]
            if day >= "2011-09-01":
                demo_w.writerow(row)
                demo_rows += 1
            if day in ("2011-10-05", "2011-10-06", "2011-11-09", "2011-11-10"):
                small_w.writerow(row)
                small_rows += 1
    print(f"online retail: demo {demo_rows} lines, small {small_rows} lines")


def cut_reviews(src: Path, n: int = 3000, seed: int = 7) -> None:
    """A seeded random 3,000 of the 23,486 reviews, original column order and quirks kept."""
    with open(src, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    rng = random.Random(seed)
    picked = sorted(rng.sample(range(len(body)), n))
    with open(OUT / "clothing_reviews_3000.csv", "w", encoding="utf-8", newline="") as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(header)
        for i in picked:
            w.writerow(body[i])
    print(f"reviews: {n} of {len(body)}")


def cut_inventory(src: Path, n: int = 40, seed: int = 11) -> None:
    """Stock levels for 40 real Online Retail SKUs (the demo's stockout table). The SKUs, names and prices are
    real (the 40 best sellers by units in the last 28 days of the data, 2011-11-12..12-09, sale lines only);
    the stock levels and lead times are SYNTHETIC (the dataset has none): stock = the SKU's mean daily units
    over those 28 days × a seeded random number of days of cover, lead time a seeded choice of 7-28 days."""
    import statistics
    from collections import Counter, defaultdict

    units: dict[str, float] = defaultdict(float)
    names: dict[str, Counter[str]] = defaultdict(Counter)
    prices: dict[str, list[float]] = defaultdict(list)
    with gzip.open(src, "rt", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        for row in reader:
            qty, price = float(row["Quantity"]), float(row["UnitPrice"])
            if row["InvoiceNo"].startswith("C") or qty <= 0 or price <= 0 or not row["StockCode"][:1].isdigit():
                continue
            if row["InvoiceDate"][:10] >= "2011-11-12":
                units[row["StockCode"]] += qty
                names[row["StockCode"]][row["Description"].strip()] += 1
                prices[row["StockCode"]].append(price)
    rng = random.Random(seed)
    top = sorted(units, key=lambda s: (-units[s], s))[:n]
    with open(OUT / "online_retail_inventory.csv", "w", encoding="utf-8", newline="") as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["StockCode", "Description", "UnitPrice", "inventory_level", "lead_time_days"])
        for sku in sorted(top):
            cover = rng.choice((2, 4, 7, 10, 14, 21, 30, 45, 90, 180))
            w.writerow([sku, names[sku].most_common(1)[0][0], f"{statistics.median(prices[sku]):.2f}",
                        max(0, round(units[sku] / 28 * cover)), rng.choice((7, 14, 21, 28))])
    print(f"inventory: {len(top)} SKUs (synthetic stock levels)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, default=ROOT.parent / "shared" / "datasets")
    args = parser.parse_args()
    src: Path = args.source
    OUT.mkdir(parents=True, exist_ok=True)
    cut_online_retail(src / "uci-online-retail" / "online-retail.csv.gz")
    cut_reviews(src / "womens-clothing-reviews" / "Womens Clothing E-Commerce Reviews.csv")
    cut_inventory(src / "uci-online-retail" / "online-retail.csv.gz")
    shutil.copyfile(src / "amazon-sales-india" / "amazon.csv", OUT / "amazon_india_products.csv")
    for name, target in (("Abt.csv", "abt.csv"), ("Buy.csv", "buy.csv"), ("abt_buy_perfectMapping.csv", "abt_buy_matches.csv")):
        shutil.copyfile(src / "abt-buy" / name, OUT / target)  # byte-identical: Latin-1, CRLF
    print("done")


if __name__ == "__main__":
    main()
