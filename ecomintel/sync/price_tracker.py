"""Competitor price tracker: product pages → listings + price_history.

Options: `urls` — strings or {url, sku, marketplace, seller}; `use_listing_urls` (also track the urls of
the tenant's competitor listings); `selectors` — {host: {price, currency, availability, name: css}} for
pages without schema.org data; `rate_per_host` (requests/s; default ECOMINTEL_SYNC_HOST_RPS);
`user_agent` (default ECOMINTEL_SYNC_USER_AGENT); `per_host` (requests in flight per host, default 4 —
they share the host's rate limit); `workers` (threads in all, default 32).

Per page: robots.txt is asked first; the request is conditional (If-None-Match / If-Modified-Since from
the page's last ETag / Last-Modified, sync_page_state) so an unchanged page costs a 304 and no parsing;
the offer comes from extract.py. Every page ends either observed (a price_history row, its listing
updated), unchanged (304), or in the run's error list with its reason — none is silently lost
(bench/sync.py checks this with 10% transient failures). Hosts run in parallel, each host's pages in
order under its rate limit, so one slow or failing shop never stops the others.
"""

from __future__ import annotations

import hashlib
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

from ecomintel.errors import InputError
from ecomintel.sync.extract import extract_offer
from ecomintel.sync.hosts import HostLimiter, RobotsCache, host_of
from ecomintel.sync.http import FetchError, fetch
from ecomintel.sync.protocol import SyncJob, SyncOutcome

LISTING_COLUMNS = ("sku", "title", "marketplace", "seller", "price", "currency", "url", "observed_at")


@dataclass(frozen=True)
class Target:
    """One page to watch and whose listing its price belongs to."""

    url: str
    sku: str | None = None
    marketplace: str | None = None
    seller: str | None = None


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def targets_of(entries: Iterable[Any]) -> list[Target]:
    """Targets from the option list (strings or dicts); InputError for an entry that is not an http(s) URL."""
    out: list[Target] = []
    seen: set[str] = set()
    for entry in entries:
        item = {"url": entry} if isinstance(entry, str) else dict(entry or {})
        url = str(item.get("url") or "").strip()
        if not url:
            continue
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise InputError(f"Not a web page URL: {url[:200]!r}.", "Give full http(s) URLs, one per line.")
        if url in seen:
            continue
        seen.add(url)
        out.append(Target(url=url, sku=item.get("sku") or None, marketplace=item.get("marketplace") or None,
                          seller=item.get("seller") or None))
    return out


def default_sku(url: str) -> str:
    """A stable SKU for a page the analyst gave without one: the last path segment, else a hash."""
    segment = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    segment = segment.rsplit(".", 1)[0] if segment.endswith((".html", ".htm")) else segment
    return (segment or url_hash(url)[:16])[:100]


class PriceTracker:
    """Fetch, extract, store; politely."""

    name: ClassVar[str] = "price_tracker"

    def run(self, job: SyncJob) -> SyncOutcome:
        opts = job.source.options
        targets = targets_of(opts.get("urls") or [])
        if opts.get("use_listing_urls"):
            known = {t.url for t in targets}
            targets += [t for t in targets_of(job.repo.competitor_listing_urls()) if t.url not in known]
        outcome = SyncOutcome()
        if not targets:
            outcome.notes.append("no pages to track (add URLs in Settings, or listings with urls)")
            return outcome
        rate = float(opts.get("rate_per_host") or job.settings.sync_host_rps)
        user_agent = str(opts.get("user_agent") or job.settings.sync_user_agent)
        selectors: Mapping[str, Mapping[str, str]] = {host_of(h if "://" in h else f"https://{h}"): s
                                                      for h, s in dict(opts.get("selectors") or {}).items()}
        selectors_by_netloc = {urlsplit(h).netloc: s for h, s in selectors.items()}
        limiter = HostLimiter(rate)
        robots = RobotsCache(job.client, user_agent, limiter, attempts=job.settings.sync_retries + 1)
        states = job.repo.page_states([url_hash(t.url) for t in targets])
        by_host: dict[str, list[Target]] = defaultdict(list)
        for t in targets:
            by_host[host_of(t.url)].append(t)
        lock = threading.Lock()
        observations: list[dict[str, Any]] = []
        state_updates: list[dict[str, Any]] = []
        done = [0]

        def work(host: str, pages: list[Target]) -> None:
            for target in pages:
                result = self._one(job, target, user_agent, limiter, robots, states.get(url_hash(target.url)),
                                   selectors.get(host) or selectors_by_netloc.get(urlsplit(host).netloc) or {})
                with lock:
                    kind, payload = result
                    if kind == "observed":
                        outcome.pages_ok += 1
                        observations.append(payload["observation"])
                        state_updates.append(payload["state"])
                    elif kind == "unchanged":
                        outcome.pages_unchanged += 1
                        state_updates.append(payload["state"])
                    else:
                        outcome.fail(target.url, payload["reason"])
                    done[0] += 1
                    if done[0] % 25 == 0 or done[0] == len(targets):
                        job.progress(0.9 * done[0] / len(targets), f"{done[0]:,} of {len(targets):,} pages")

        # each host's pages in `per_host` interleaved lanes: while one lane waits out a retry (Retry-After,
        # backoff) the others keep the host's rate slots used; the limiter still caps the host's rate
        per_host = max(1, int(opts.get("per_host") or 4))
        # (lane i of every host before lane i+1 of any: a pool smaller than the lanes still serves every host)
        lanes = [(h, p[i::per_host]) for i in range(per_host) for h, p in by_host.items() if i < len(p)]
        workers = max(1, min(len(lanes), int(opts.get("workers") or 32)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="price-tracker") as pool:
            for future in [pool.submit(work, h, p) for h, p in lanes]:
                future.result()
        if observations:  # prices first: a validator saved without its price would make the next run skip it
            if not self._store(job, observations, outcome):
                return outcome
            changed = sum(1 for o in observations
                          if (states.get(url_hash(o["url"])) or {}).get("price") not in (None, o["price"]))
            if changed:
                outcome.notes.append(f"{changed:,} prices changed since the last observation")
        if state_updates:
            job.repo.save_page_states(state_updates)
        return outcome

    @staticmethod
    def _store(job: SyncJob, observations: list[dict[str, Any]], outcome: SyncOutcome) -> bool:
        """Observations → the `listings` ingest kind (same validation, rejects, lineage as an upload of
        competitor prices: every observation in price_history, the latest per marketplace+seller+sku in
        listings). False when nothing could be stored (the run's error says why)."""
        from ecomintel.errors import EcomintelError
        from ecomintel.ingest.pipeline import ingest_file
        from ecomintel.sync.rows_csv import rows_to_csv

        rows = [{**o, "observed_at": o["observed_at"].isoformat(sep=" ", timespec="microseconds")} for o in observations]
        try:
            result = ingest_file(job.repo, "listings", rows_to_csv(rows, LISTING_COLUMNS), settings=job.settings,
                                 file_name=f"sync:{job.source.name}.csv", mapping={c: c for c in LISTING_COLUMNS},
                                 source_label="sync")
        except EcomintelError as exc:
            outcome.fail("store", exc.user_message())
            return False
        if result.batch_id is not None:
            outcome.batch_ids.append(result.batch_id)
        if result.status == "failed":
            outcome.fail("store", result.message)
            return False
        outcome.rows += result.accepted
        if result.rejected:
            outcome.notes.append(f"{result.rejected:,} observations rejected (batch {result.batch_number})")
        return True

    def _one(self, job: SyncJob, target: Target, user_agent: str, limiter: HostLimiter, robots: RobotsCache,
             state: Mapping[str, Any] | None, selectors: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
        from ecomintel.db.scoped import utcnow

        ok, why = robots.allowed(target.url)
        if not ok:
            return "failed", {"reason": why}
        host = host_of(target.url)
        headers = {"User-Agent": user_agent}
        if state and state.get("etag"):
            headers["If-None-Match"] = str(state["etag"])
        if state and state.get("last_modified"):
            headers["If-Modified-Since"] = str(state["last_modified"])
        try:
            response = fetch(job.client, target.url, headers=headers, attempts=job.settings.sync_retries + 1,
                             before_attempt=lambda: limiter.wait(host))
        except FetchError as exc:
            return "failed", {"reason": exc.reason}
        now = utcnow()
        base_state = {"url": target.url, "url_hash": url_hash(target.url), "checked_at": now,
                      "etag": response.headers.get("ETag") or (state or {}).get("etag"),
                      "last_modified": response.headers.get("Last-Modified") or (state or {}).get("last_modified")}
        if response.status_code == 304:
            return "unchanged", {"state": {**base_state, "price": (state or {}).get("price"),
                                           "currency": (state or {}).get("currency"),
                                           "availability": (state or {}).get("availability")}}
        try:
            offer = extract_offer(response.text, selectors)
        except Exception as exc:  # a parser failure on one odd page is that page's error, not the run's
            return "failed", {"reason": f"page could not be parsed ({exc.__class__.__name__})"}
        if offer is None:
            return "failed", {"reason": "no price found (no schema.org Offer, and no CSS selector for this host "
                                        "matched)"}
        observation = {"url": target.url, "sku": target.sku or offer.sku or default_sku(target.url),
                       "marketplace": target.marketplace or urlsplit(target.url).netloc,
                       "seller": target.seller or offer.seller or urlsplit(target.url).hostname,
                       "title": offer.name, "price": offer.price, "currency": offer.currency,
                       "availability": offer.availability, "method": offer.method, "observed_at": now}
        return "observed", {"observation": observation,
                            "state": {**base_state, "price": offer.price, "currency": offer.currency,
                                      "availability": offer.availability}}
