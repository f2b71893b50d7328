"""The Data QA run: every check over every dataset of one tenant → a score per dataset with its issues.

Why one function the agent, the CLI (`ecomintel quality`), the Data Quality page and the bench all call: they
then show the same score for the same data. Results are kept per (tenant, data_version) in the process and in
the tenant's `cache_entries` rows (for a day), so a page re-run, a new CLI process or the Ask agent costs one
small read until the next import bumps the data version.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from ecomintel.quality import checks as ck
from ecomintel.quality.issues import Issue, by_impact, score

if TYPE_CHECKING:
    from ecomintel.db.repository import Repository

DATASETS = ("sales", "products", "listings", "reviews")
LOCATOR_MAX = 2000  # most identifiers an issue keeps to fetch its rows with
# completeness weights: how much a partly empty column costs (essential ≥ 10: costs even when wholly empty)
WEIGHTS: dict[str, dict[str, float]] = {
    "sales": {"customer_id": 10.0, "product_name": 5.0, "country": 3.0, "currency": 2.0, "channel": 1.0,
              "marketplace": 1.0},
    "products": {"name": 10.0, "price": 10.0, "category": 3.0, "brand": 2.0, "currency": 2.0, "rating": 1.0,
                 "list_price": 1.0, "cost": 1.0, "inventory_level": 1.0, "rating_count": 1.0,
                 "lead_time_days": 1.0},
    "listings": {"price": 10.0, "title": 3.0, "currency": 2.0, "seller": 2.0, "observed_at": 3.0, "url": 1.0,
                 "list_price": 1.0},
    "reviews": {"text": 10.0, "rating": 3.0, "created_at": 3.0, "sku": 2.0, "title": 1.0, "category": 1.0,
                "author": 1.0},
}


@dataclass
class DatasetQuality:
    dataset: str
    rows: int
    score: int
    issues: list[Issue]
    completeness: dict[str, float]
    first: str | None = None
    last: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"dataset": self.dataset, "rows": self.rows, "score": self.score,
                "deducted": round(sum(i.points for i in self.issues), 2),
                "issues": [i.to_dict() for i in self.issues], "completeness": self.completeness,
                "first": self.first, "last": self.last}


@dataclass
class QualityReport:
    tenant_id: int
    data_version: int
    checked_at: str
    datasets: dict[str, DatasetQuality]
    tenant_issues: list[Issue] = field(default_factory=list)
    daily: pd.DataFrame | None = None  # sales per day with gap / outlier marks (the page's chart)
    elapsed_ms: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"tenant_id": self.tenant_id, "data_version": self.data_version, "checked_at": self.checked_at,
                "elapsed_ms": self.elapsed_ms,
                "datasets": {k: v.to_dict() for k, v in self.datasets.items()},
                "tenant_issues": [i.to_dict() for i in self.tenant_issues]}

    def to_json(self) -> str:
        daily = None if self.daily is None else self.daily.to_dict("list")
        return json.dumps({**self.to_dict(), "daily": daily}, default=str)

    @classmethod
    def from_json(cls, text: str) -> QualityReport:
        data = json.loads(text)
        datasets = {k: DatasetQuality(v["dataset"], v["rows"], v["score"], [Issue(**i) for i in v["issues"]],
                                      v["completeness"], v.get("first"), v.get("last"))
                    for k, v in data["datasets"].items()}
        daily = None if data.get("daily") is None else pd.DataFrame(data["daily"])
        return cls(data["tenant_id"], data["data_version"], data["checked_at"], datasets,
                   [Issue(**i) for i in data["tenant_issues"]], daily, data["elapsed_ms"])

    def all_issues(self) -> list[Issue]:
        return by_impact([*self.tenant_issues, *(i for d in self.datasets.values() for i in d.issues)])


_CACHE: OrderedDict[tuple[str, int, int], QualityReport] = OrderedDict()
_LOCK = threading.Lock()
STORE_KEY = "quality_report:v1"
STORE_TTL_S = 24 * 3600


def _stored(repo: Repository, version: int) -> QualityReport | None:
    from ecomintel.db.cache_entries import CacheEntries

    try:
        hit = CacheEntries(repo.engine, repo.ctx).cache_entry(version, STORE_KEY)
        return None if hit is None else QualityReport.from_json(hit[0])
    except Exception:  # an unreadable entry (older shape): run the checks again
        return None


def _store(repo: Repository, report: QualityReport) -> None:
    from ecomintel.db.cache_entries import CacheEntries

    CacheEntries(repo.engine, repo.ctx).put_cache_entry(report.data_version, STORE_KEY, report.to_json(),
                                                        STORE_TTL_S)


def run_quality(repo: Repository, *, now: datetime | None = None, use_cache: bool = True,
                workers: int = 3) -> QualityReport:
    """Every check on the tenant's loaded data (datasets without rows are left out); `workers` queries at once."""
    started = time.perf_counter()
    version = repo.data_version()
    key = (str(repo.engine.url), repo.tenant_id, version)
    if use_cache and now is None:
        with _LOCK:
            if key in _CACHE:
                return _CACHE[key]
        found = _stored(repo, version)
        if found is not None:
            with _LOCK:
                _CACHE[key] = found
            return found
    now = now or datetime.now(UTC).replace(tzinfo=None)
    pre = _prefetch(repo, now, workers)
    batches = pre["batches"]
    currencies = pre["currencies"]
    currencies["sales"] = {}
    datasets: dict[str, DatasetQuality] = {}
    daily = None
    for name in DATASETS:
        profile = pre[f"profile:{name}"]
        if not profile["rows"]:
            continue
        issues = ck.completeness_issues(name, profile, WEIGHTS[name]) + ck.import_issues(name, batches)
        if name == "sales":
            extra, daily, currencies["sales"] = _sales_checks(repo, profile, now, pre)
        elif name == "products":
            extra = _products_checks(repo, profile, currencies["products"])
        elif name == "listings":
            extra = _listings_checks(repo, profile, now, currencies["listings"])
        else:
            extra = _reviews_checks(repo, profile, now)
        issues = by_impact(issues + extra)
        datasets[name] = DatasetQuality(name, profile["rows"], score(issues), issues, ck.completeness(profile),
                                        _iso(profile["first"]), _iso(profile["last"]))
    report = QualityReport(repo.tenant_id, version, now.isoformat(timespec="seconds"), datasets,
                           _tenant_issues(currencies), daily, int((time.perf_counter() - started) * 1000))
    if use_cache:
        with _LOCK:
            _CACHE[key] = report
            while len(_CACHE) > 32:
                _CACHE.popitem(last=False)
        _store(repo, report)
    return report


def _iso(value: Any) -> str | None:
    return None if value is None else str(value)[:10]


def _currency_issue(dataset: str, codes: dict[str, int], rows: int) -> list[Issue]:
    named = {c: n for c, n in codes.items() if c}
    if len(named) < 2:
        return []
    minority = rows - max(named.values())
    text = ", ".join(f"{c} {n:,}" for c, n in sorted(named.items(), key=lambda kv: -kv[1]))
    return [Issue("mixed_currencies", dataset, "critical", f"Prices in {len(named)} currencies ({text})",
                  "Amounts in different currencies cannot be summed; totals and comparisons over these rows mix "
                  "them. Convert them, or load each currency as its own tenant.", minority,
                  points=ck.points(minority, rows, 15.0, 0.05),
                  locator={"dataset": dataset,
                           "currencies": sorted(c for c in named if c != max(named, key=lambda k: named[k]))})]


def _tenant_issues(currencies: dict[str, dict[str, int]]) -> list[Issue]:
    """Currencies across datasets: sales in GBP and products in INR are not comparable either."""
    seen = {ds: {c for c in codes if c} for ds, codes in currencies.items()}
    union = set().union(*seen.values())
    if len(union) < 2 or any(len(v) > 1 for v in seen.values()):
        return []  # one currency, or already reported per dataset
    text = "; ".join(f"{ds}: {', '.join(sorted(v))}" for ds, v in seen.items() if v)
    return [Issue("currencies_across_datasets", "tenant", "warning", "Datasets are in different currencies",
                  f"{text}. Prices are not compared across these datasets without conversion.", len(union),
                  unit="currencies")]


def _prefetch(repo: Repository, now: datetime, workers: int = 3) -> dict[str, Any]:
    """Every aggregate the run reads, fetched concurrently (each on its own connection).

    Why: the run is a handful of independent scans of the same tenant (the sales GROUP BYs dominate: ~1.6 s
    for the (sku, name, currency, price) groups of 541,909 lines on SQLite); PostgreSQL runs them in separate
    server processes and SQLite releases the GIL while it scans, so the run takes about its longest query
    instead of their sum (bench/data_qa.py). The longest are submitted first."""
    from concurrent.futures import ThreadPoolExecutor

    jobs: dict[str, Any] = {
        "items": repo.quality_sales_items, "profile:sales": lambda: repo.quality_profile("sales", now),
        "quantities": repo.quality_sales_quantities, "daily": repo.quality_sales_daily,
        "batches": lambda: repo.quality_batches(limit=1000), "currencies": repo.quality_currencies,
        **{f"profile:{d}": (lambda d=d: repo.quality_profile(d, now)) for d in DATASETS if d != "sales"},
    }
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="quality") as pool:
        futures = {name: pool.submit(job) for name, job in jobs.items()}
        return {name: f.result() for name, f in futures.items()}


def _sales_checks(repo: Repository, profile: dict[str, Any], now: datetime,
                  pre: dict[str, Any]) -> tuple[list[Issue], pd.DataFrame, dict[str, int]]:
    from ecomintel.agents.sales_context import NON_PRODUCT_PREFIXES, NON_PRODUCT_SKUS

    rows, counts = profile["rows"], profile["counts"]
    issues: list[Issue] = []
    issues += ck.condition_issue("sales", "future_date", counts["future_date"], rows, weight=10, saturate=0.001,
                                 severity="critical", title=f"{ck.counted(counts['future_date'], 'line')} dated in the future",
                                 detail=f"Lines with a sale date after {now.date().isoformat()}: a date typo or a "
                                        "wrong date format.")
    issues += ck.condition_issue("sales", "zero_price_sale", counts["zero_price_sale"], rows, weight=5, saturate=0.01,
                                 title=f"{counts['zero_price_sale']:,} sales at price 0 with a customer",
                                 detail="A customer bought at price 0: free items, or a price missing in the file. "
                                        "They add units but no revenue.")
    issues += ck.condition_issue("sales", "negative_price", counts["negative_price"], rows, weight=10,
                                 saturate=0.001, severity="critical",
                                 title=f"{counts['negative_price']:,} lines with a negative price",
                                 detail="A negative unit price is not a sale; returns carry a negative quantity.")
    if counts["stock_adjustment"]:
        issues.append(Issue("stock_adjustments", "sales", "info",
                            f"{counts['stock_adjustment']:,} stock adjustments",
                            "Lines at price 0 with no customer and a negative quantity (damaged, written off): "
                            "reported apart, neither returns nor sales.", counts["stock_adjustment"],
                            locator={"dataset": "sales", "condition": "stock_adjustment"}))
    daily = pre["daily"]
    days = [d for d in ck.as_days(daily["day"]) if d <= now.date()]  # future dates are their own issue
    issues += ck.gap_issues("sales", days)
    issues += ck.freshness_issues("sales", profile["last"], now, days)
    spikes = ck.share_spikes(daily, "no_customer")
    if not spikes.empty:
        n = int(spikes["no_customer"].sum())
        issues.append(Issue("customer_id_dropout", "sales", "warning",
                            f"Customer ids missing on almost every line of {len(spikes)} day"
                            f"{'s' if len(spikes) > 1 else ''}",
                            "On these days nearly all lines lack a customer id, far above the usual share: an "
                            "export problem. Customer counts for these days are too low: "
                            + ", ".join(f"{d} ({s:.0%})" for d, s in zip(spikes["day"], spikes["share"], strict=True)),
                            n, points=ck.points(n, rows, 8.0, 0.02),
                            examples=[{"day": d, "lines": int(a), "no_customer": int(b)} for d, a, b in
                                      zip(spikes["day"], spikes["lines"], spikes["no_customer"], strict=True)],
                            locator={"dataset": "sales", "days": list(spikes["day"]), "condition": "no_customer"}))
    outliers = ck.daily_outliers(daily)
    if not outliers.empty:
        issues.append(Issue("daily_revenue_outliers", "sales", "warning",
                            f"{len(outliers)} day{'s' if len(outliers) > 1 else ''} with unusual revenue",
                            f"Daily revenue beyond {ck.DAILY_Z:g} robust z of the usual day: "
                            + ", ".join(f"{d} ({v:,.0f})" for d, v in list(zip(outliers["day"], outliers["revenue"],
                                                                               strict=True))[:8]),
                            len(outliers), unit="days", points=ck.points(len(outliers), len(daily), 5.0, 0.02),
                            examples=[{"day": d, "revenue": round(float(v), 2), "z": round(float(z), 1)} for d, v, z in
                                      zip(outliers["day"], outliers["revenue"], outliers["z"], strict=True)],
                            locator={"dataset": "sales", "days": list(outliers["day"])}))
    daily["gap_before"] = False
    daily["outlier"] = daily["day"].isin(set(outliers["day"]))
    items = pre["items"]
    product = ~items["sku"].isin(NON_PRODUCT_SKUS) & ~items["sku"].str.startswith(NON_PRODUCT_PREFIXES)
    positive = items[product & (items["unit_price"] > 0)]
    priced = positive.groupby(["sku", "unit_price"], as_index=False).agg(lines=("lines", "sum"))
    prices = ck.log_outliers(priced, "sku", "unit_price", "lines", mad_floor=0.1)
    if not prices.empty:
        n = int(prices["lines"].sum())
        issues.append(Issue("price_outliers", "sales", "warning", f"{ck.counted(n, 'line')} priced far from their SKU's usual "
                            "price", f"Unit prices beyond {ck.OUTLIER_Z:g} robust z (log scale) of the SKU's own "
                            "prices, e.g. " + ", ".join(f"{s} at {p:,.2f} (usually {m_:,.2f})" for s, p, m_ in
                                                       list(zip(prices["sku"], prices["unit_price"],
                                                                prices["median"], strict=True))[:5]),
                            n, points=ck.points(n, rows, 10.0, 0.005),
                            examples=[{"sku": s, "unit_price": float(p), "usual_price": round(float(m_), 2),
                                       "lines": int(c)} for s, p, m_, c in
                                      zip(prices["sku"], prices["unit_price"], prices["median"], prices["lines"],
                                          strict=True)][:ck.EXAMPLES],
                            locator={"dataset": "sales", "prices": [[s, float(p)] for s, p in
                                                                    zip(prices["sku"], prices["unit_price"],
                                                                        strict=True)][:LOCATOR_MAX]}))
    qty = pre["quantities"]
    qty = qty[~qty["sku"].isin(NON_PRODUCT_SKUS)]
    quantities = ck.log_outliers(qty, "sku", "quantity", "lines", mad_floor=0.25, min_abs=100)
    if not quantities.empty:
        n = int(quantities["lines"].sum())
        issues.append(Issue("quantity_outliers", "sales", "warning", f"{ck.counted(n, 'line')} with an extreme quantity",
                            f"Quantities beyond {ck.OUTLIER_Z:g} robust z (log scale) of the SKU's usual quantity, "
                            "e.g. " + ", ".join(f"{s} × {q:,.0f} (usually {m_:,.0f})" for s, q, m_ in
                                                list(zip(quantities["sku"], quantities["quantity"],
                                                         quantities["median"], strict=True))[:5]),
                            n, points=ck.points(n, rows, 10.0, 0.005),
                            examples=[{"sku": s, "quantity": float(q), "usual_quantity": round(float(m_), 1),
                                       "lines": int(c)} for s, q, m_, c in
                                      zip(quantities["sku"], quantities["quantity"], quantities["median"],
                                          quantities["lines"], strict=True)][:ck.EXAMPLES],
                            locator={"dataset": "sales", "quantities": [[s, float(q)] for s, q in
                                                                        zip(quantities["sku"], quantities["quantity"],
                                                                            strict=True)][:LOCATOR_MAX]}))
    names = ck.several_per_key(items[product], "sku", "product_name", "lines")
    if not names.empty:
        skus = int(items.loc[product, "sku"].nunique())
        issues.append(Issue("sku_several_names", "sales", "warning", f"{ck.counted(len(names), 'SKU')} sold under several names",
                            "The same SKU carries different product names (typos, renamed products, or two products "
                            "sharing a code); answers name each SKU by its most frequent name.", len(names),
                            unit="SKUs", points=ck.points(len(names), skus, 5.0, 0.25),
                            examples=[{"sku": s, "names": " | ".join(map(str, v[:4])), "lines": int(r)}
                                      for s, v, r in names.head(ck.EXAMPLES).itertuples(index=False)],
                            locator={"dataset": "sales", "skus": list(names["sku"])[:LOCATOR_MAX]}))
    currencies = ck.several_per_key(items, "sku", "currency", "lines")
    if not currencies.empty:
        skus = int(items["sku"].nunique())
        issues.append(Issue("product_several_currencies", "sales", "critical",
                            f"{len(currencies):,} products sold in several currencies",
                            "The same SKU is priced in different currencies; its revenue and average price mix them.",
                            len(currencies), unit="SKUs", points=ck.points(len(currencies), skus, 10.0, 0.05),
                            examples=[{"sku": s, "currencies": ", ".join(map(str, v)), "lines": int(r)}
                                      for s, v, r in currencies.head(ck.EXAMPLES).itertuples(index=False)],
                            locator={"dataset": "sales", "skus": list(currencies["sku"])[:LOCATOR_MAX]}))
    codes = {str(c): int(n) for c, n in items.groupby(items["currency"].fillna(""))["lines"].sum().items()}
    issues += _currency_issue("sales", codes, rows)
    return issues, daily, codes


def _products_checks(repo: Repository, profile: dict[str, Any], codes: dict[str, int]) -> list[Issue]:
    rows, counts = profile["rows"], profile["counts"]
    issues = ck.condition_issue("products", "zero_price", counts["zero_price"], rows, weight=5, saturate=0.02,
                                title=f"{counts['zero_price']:,} products priced 0",
                                detail="A price of 0 is usually a missing price.")
    issues += ck.condition_issue("products", "price_above_list", counts["price_above_list"], rows, weight=5,
                                 saturate=0.05, title=f"{counts['price_above_list']:,} products priced above their "
                                 "list price", detail="The selling price is higher than the list (original) price: "
                                 "the two columns may be swapped.")
    groups = repo.quality_value_groups("products", "category", "price").dropna(subset=["key"])
    out = ck.log_outliers(groups, "key", "value", "rows", mad_floor=0.15, min_rows=10)
    if not out.empty:
        n = int(out["rows"].sum())
        issues.append(Issue("price_outliers", "products", "warning", f"{ck.counted(n, 'product')} priced far from their category",
                            f"Prices beyond {ck.OUTLIER_Z:g} robust z (log scale) of the category's prices.", n,
                            points=ck.points(n, rows, 5.0, 0.02),
                            examples=[{"category": str(k)[:80], "price": float(v), "category_median": round(float(m_), 2)}
                                      for k, v, m_ in zip(out["key"], out["value"], out["median"], strict=True)][:20]))
    names = repo.quality_repeated_text("products", "name")
    names = names[names["skus"] > 1]
    if not names.empty:
        n = int(names["rows"].sum())
        issues.append(Issue("same_name_several_skus", "products", "warning",
                            f"{len(names):,} product names used by several SKUs",
                            "Identical names under different SKUs: duplicates of one product, or variants without "
                            "a distinguishing name.", n, points=ck.points(n, rows, 3.0, 0.1),
                            examples=[{"name": str(v)[:100], "skus": int(s)} for v, s in
                                      zip(names["value"], names["skus"], strict=True)][:20]))
    issues += _currency_issue("products", codes, rows)
    return issues


def _listings_checks(repo: Repository, profile: dict[str, Any], now: datetime, codes: dict[str, int]) -> list[Issue]:
    rows, counts = profile["rows"], profile["counts"]
    issues = ck.condition_issue("listings", "zero_price", counts["zero_price"], rows, weight=5, saturate=0.02,
                                title=f"{counts['zero_price']:,} listings priced 0 or less", detail="Not a price.")
    issues += ck.condition_issue("listings", "future_date", counts["future_date"], rows, weight=5, saturate=0.01,
                                 severity="critical", title=f"{counts['future_date']:,} prices observed in the future",
                                 detail=f"observed_at after {now.date().isoformat()}.")
    issues += ck.condition_issue("listings", "price_above_list", counts["price_above_list"], rows, weight=3,
                                 saturate=0.05, title=f"{counts['price_above_list']:,} listings above their list "
                                 "price", detail="Sale price above list price: columns swapped?")
    groups = repo.quality_value_groups("listings", "sku", "price")
    out = ck.log_outliers(groups, "key", "value", "rows", mad_floor=0.1, min_rows=3)
    if not out.empty:
        n = int(out["rows"].sum())
        issues.append(Issue("price_outliers", "listings", "warning", f"{ck.counted(n, 'listing price')} far from the product's usual",
                            f"Beyond {ck.OUTLIER_Z:g} robust z (log scale) of the same SKU's listing prices.", n,
                            points=ck.points(n, rows, 5.0, 0.02),
                            examples=[{"sku": k, "price": float(v), "usual": round(float(m_), 2)}
                                      for k, v, m_ in zip(out["key"], out["value"], out["median"], strict=True)][:20],
                            locator={"dataset": "listings", "prices": [[k, float(v)] for k, v in
                                                                       zip(out["key"], out["value"], strict=True)]}))
    issues += _currency_issue("listings", codes, rows)
    issues += ck.freshness_issues("listings", profile["last"], now, ck.as_days(repo.quality_daily_counts("listings")["day"]),
                                  weight=5)
    return issues


def _reviews_checks(repo: Repository, profile: dict[str, Any], now: datetime) -> list[Issue]:
    rows, counts = profile["rows"], profile["counts"]
    issues = ck.condition_issue("reviews", "future_date", counts["future_date"], rows, weight=5, saturate=0.01,
                                 severity="critical", title=f"{ck.counted(counts['future_date'], 'review')} dated in the future",
                                 detail=f"created_at after {now.date().isoformat()}.")
    issues += ck.condition_issue("reviews", "spam", counts["spam"], rows, weight=5, saturate=0.2,
                                 title=f"{counts['spam']:,} reviews flagged as spam",
                                 detail="Near-duplicates, bursts from one author or generic short texts (flagged at "
                                        "import with reasons); left out of sentiment figures.")
    repeated = repo.quality_repeated_text("reviews", "text")
    if not repeated.empty:
        n = int(repeated["rows"].sum() - len(repeated))
        issues.append(Issue("repeated_texts", "reviews", "warning", f"{ck.counted(n, 'review')} repeat{'s' if n == 1 else ''} another review's text",
                            f"{len(repeated):,} texts occur more than once.", n, points=ck.points(n, rows, 5.0, 0.05),
                            examples=[{"text": str(v)[:120], "reviews": int(c)} for v, c in
                                      zip(repeated["value"], repeated["rows"], strict=True)][:20],
                            locator={"dataset": "reviews", "texts": list(repeated["value"])[:100]}))
    days = ck.as_days(repo.quality_daily_counts("reviews")["day"])
    issues += ck.freshness_issues("reviews", profile["last"], now, days, weight=3)
    return issues
