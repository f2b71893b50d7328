"""A synthetic sales tenant for the forecast tests: daily demand with a known weekly pattern and a shop that
never trades on Saturdays, written as a sales CSV and loaded through the real ingest pipeline."""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

from ecomintel.config import load_settings
from ecomintel.db.repository import Repository
from ecomintel.ingest.pipeline import ingest_file

START = date(2011, 6, 1)
DAYS = 150
END = START + timedelta(days=DAYS - 1)  # 2011-10-28
WEEKDAY_MEAN = {0: 20, 1: 24, 2: 24, 3: 30, 4: 16, 5: 0, 6: 10}  # Saturday closed
SKUS = {"A100": ("RED MUG", 1.0), "B200": ("BLUE MUG", 0.5), "C300": ("GREEN JUG", 0.2)}


def write_sales(path: Path, days: int = DAYS, start: date = START, seed: int = 3) -> Path:
    rng = random.Random(seed)
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID",
                    "Country"])
        n = 0
        for d in range(days):
            day = start + timedelta(days=d)
            for sku, (name, scale) in SKUS.items():
                mean = WEEKDAY_MEAN[day.weekday()] * scale
                qty = sum(1 for _ in range(int(mean * 2)) if rng.random() < 0.5)
                if qty > 0:
                    n += 1
                    w.writerow([f"{500000 + n}", sku, name, qty, f"{day} 10:00:00", "2.50", "12345", "United Kingdom"])
    return path


def load(repo: Repository, path: Path) -> None:
    result = ingest_file(repo, "sales", path, settings=load_settings({}))
    assert result.status == "done", result


def write_stock(path: Path, levels: dict[str, tuple[int, int]]) -> Path:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["sku", "name", "inventory_level", "lead_time_days"])
        for sku, (level, lead) in levels.items():
            w.writerow([sku, SKUS[sku][0], level, lead])
    return path


def load_stock(repo: Repository, path: Path) -> None:
    result = ingest_file(repo, "products", path, settings=load_settings({}))
    assert result.status == "done", result
