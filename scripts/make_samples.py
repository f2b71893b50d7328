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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, default=ROOT.parent / "shared" / "datasets")
    args = parser.parse_args()
    src: Path = args.source
    OUT.mkdir(parents=True, exist_ok=True)
    cut_online_retail(src / "uci-online-retail" / "online-retail.csv.gz")
    cut_reviews(src / "womens-clothing-reviews" / "Womens Clothing E-Commerce Reviews.csv")
    shutil.copyfile(src / "amazon-sales-india" / "amazon.csv", OUT / "amazon_india_products.csv")
    for name, target in (("Abt.csv", "abt.csv"), ("Buy.csv", "buy.csv"), ("abt_buy_perfectMapping.csv", "abt_buy_matches.csv")):
        shutil.copyfile(src / "abt-buy" / name, OUT / target)  # byte-identical: Latin-1, CRLF
    print("done")


if __name__ == "__main__":
    main()
