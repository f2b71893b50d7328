"""The shipped sample data (data/samples/): the demo tenant's content and the tests' realistic inputs.

Why through `ingest_file`: the samples are loaded exactly as a user's uploads would be (same mapping,
validation, dedup and lineage), so the demo shows the real pipeline and a second `load_samples` call
is recognised file by file as already loaded instead of doubling the data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecomintel.config import Settings
from ecomintel.db.repository import Repository
from ecomintel.errors import NotFound
from ecomintel.ingest.pipeline import IngestResult, ingest_file

SAMPLES_DIR = Path(__file__).resolve().parents[1] / "data" / "samples"
DEMO_SALES = "online_retail_2011_q4.csv.gz"
SMALL_SALES = "online_retail_small.csv"


@dataclass(frozen=True)
class SampleFile:
    kind: str
    file: str
    defaults: dict[str, Any]
    what: str


SAMPLE_FILES: tuple[SampleFile, ...] = (
    SampleFile("sales", DEMO_SALES, {"currency": "GBP"}, "UK online gift retailer, Sep–Dec 2011 (UCI Online Retail)"),
    SampleFile("products", "online_retail_inventory.csv", {"currency": "GBP"},
               "stock levels and lead times for 40 Online Retail SKUs (synthetic levels, real SKUs)"),
    SampleFile("reviews", "clothing_reviews_3000.csv", {}, "3,000 women's clothing reviews"),
    SampleFile("products", "amazon_india_products.csv", {"marketplace": "amazon.in", "currency": "INR"},
               "Amazon India listings (₹ prices)"),
    SampleFile("products", "abt.csv", {"marketplace": "abt", "currency": "USD"}, "Abt electronics catalogue"),
    # a competitor's prices for the demo's Pricing page: Abt is "our" catalogue, Buy.com the competitor
    SampleFile("listings", "buy.csv", {"marketplace": "buy", "seller": "Buy.com", "currency": "USD"},
               "Buy.com electronics listings (a competitor's prices; rows without a price are rejected)"),
)


def load_samples(repo: Repository, settings: Settings, progress: Callable[[float, str], None] | None = None,
                 *, sales_file: str = DEMO_SALES, samples_dir: Path | None = None) -> list[IngestResult]:
    """Load every sample file into the repository's tenant (files already loaded are skipped).

    `sales_file` swaps the 221k-line demo sales for `online_retail_small.csv` in tests."""
    folder = samples_dir or SAMPLES_DIR
    files = [SampleFile(s.kind, sales_file, s.defaults, s.what) if s.kind == "sales" else s for s in SAMPLE_FILES]
    missing = [s.file for s in files if not (folder / s.file).is_file()]
    if missing:
        raise NotFound(f"Sample files missing in {folder}: {', '.join(missing)}.",
                       "Run from a full checkout of the repository (data/samples/).")
    sizes = [(folder / s.file).stat().st_size for s in files]
    total = float(sum(sizes)) or 1.0
    done = 0.0
    results = []
    for sample, size in zip(files, sizes, strict=True):
        def step(fraction: float, message: str, _base: float = done, _size: int = size,
                 _name: str = sample.file) -> None:
            if progress is not None:
                progress(min((_base + fraction * _size) / total, 1.0), f"{_name}: {message}")

        results.append(ingest_file(repo, sample.kind, folder / sample.file, settings=settings,
                                   defaults=sample.defaults, source_label="sample", progress=step))
        done += size
    if any(r.kind == "listings" and r.accepted for r in results):
        _match_demo(repo, progress)
    if progress is not None:
        progress(1.0, "Sample data loaded")
    return results


def _match_demo(repo: Repository, progress: Callable[[float, str], None] | None) -> None:
    """Match our catalogue (Abt) with the competitor listings (Buy.com) once, so the Pricing page has pairs;
    without the matcher installed the page says so and the listings still load."""
    from ecomintel.agents.pricing_matches import run_matching
    from ecomintel.errors import InputError

    try:
        message = run_matching(repo).message
    except InputError as exc:
        message = exc.user_message()
    if progress is not None:
        progress(0.99, message)
