"""Shopify-style REST connector: products and orders, page by page.

Options: `base_url` (e.g. https://shop.example/admin/api/2024-10), `resources` (["products", "orders"]),
`page_size` (≤ 250), `marketplace` (default "shopify"), `currency`, `auth_header` (default
X-Shopify-Access-Token). The secret is the access token.

Pagination follows the `Link: <…>; rel="next"` header (cursor pagination: the next URL carries an opaque
page_info cursor; we never build page URLs ourselves). Rate limits: a 429 is retried after Retry-After by
`fetch`; between pages we read `X-Shopify-Shop-Api-Call-Limit: used/size` (leaky bucket, 2 calls/s leak)
and the generic `X-RateLimit-Remaining` / `X-RateLimit-Reset`, and pause before the bucket overflows
instead of hammering the shop into 429s.

Each resource's rows go through `ingest_file` as one batch (products: one row per variant; orders: one
sales line per line item). A page that fails for good is an error of the run; the pages before it are
still stored (the run is then partial).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import httpx

from ecomintel.errors import EcomintelError, InputError
from ecomintel.sync.http import FetchError, fetch
from ecomintel.sync.http_feed import auth_headers
from ecomintel.sync.protocol import SyncJob, SyncOutcome
from ecomintel.sync.rows_csv import rows_to_csv

LEAK_PER_S = 2.0
MAX_PAUSE_S = 30.0
PRODUCT_COLUMNS = ("sku", "name", "brand", "category", "marketplace", "price", "list_price", "currency",
                   "inventory_level")
SALES_COLUMNS = ("order_id", "sku", "product_name", "quantity", "unit_price", "currency", "customer_id",
                 "country", "channel", "marketplace", "sold_at")


def rate_limit_pause(headers: httpx.Headers) -> float:
    """Seconds to wait before the next call so the shop's bucket does not overflow (0 when there is room)."""
    used_size = headers.get("X-Shopify-Shop-Api-Call-Limit")
    if used_size and "/" in used_size:
        try:
            used, size = (float(x) for x in used_size.split("/", 1))
        except ValueError:
            used, size = 0.0, 1.0
        if size and used / size >= 0.8:
            return min(MAX_PAUSE_S, (used - size / 2) / LEAK_PER_S)
    remaining, reset = headers.get("X-RateLimit-Remaining"), headers.get("X-RateLimit-Reset")
    if remaining is not None and remaining.strip() == "0" and reset:
        try:
            value = float(reset)
        except ValueError:
            return 1.0
        # either seconds until reset or an epoch timestamp
        return min(MAX_PAUSE_S, max(0.0, value - time.time() if value > 1e9 else value))
    return 0.0


def product_rows(product: dict[str, Any], marketplace: str, currency: str | None) -> Iterator[dict[str, Any]]:
    variants = product.get("variants") or [{}]
    for v in variants:
        title = str(product.get("title") or "")
        vt = str(v.get("title") or "")
        yield {"sku": v.get("sku") or v.get("id") or product.get("id"),
               "name": f"{title} — {vt}" if vt and vt != "Default Title" else title,
               "brand": product.get("vendor"), "category": product.get("product_type"),
               "marketplace": marketplace, "price": v.get("price"), "list_price": v.get("compare_at_price"),
               "currency": currency, "inventory_level": v.get("inventory_quantity")}


def order_rows(order: dict[str, Any], marketplace: str, currency: str | None) -> Iterator[dict[str, Any]]:
    customer = order.get("customer") or {}
    address = order.get("shipping_address") or order.get("billing_address") or {}
    for item in order.get("line_items") or []:
        yield {"order_id": order.get("name") or order.get("id"), "sku": item.get("sku") or item.get("product_id"),
               "product_name": item.get("title") or item.get("name"), "quantity": item.get("quantity"),
               "unit_price": item.get("price"), "currency": order.get("currency") or currency,
               "customer_id": customer.get("id"), "country": address.get("country"),
               "channel": order.get("source_name"), "marketplace": marketplace,
               "sold_at": order.get("processed_at") or order.get("created_at")}


RESOURCES: dict[str, tuple[str, tuple[str, ...], Callable[..., Iterator[dict[str, Any]]]]] = {
    "products": ("products", PRODUCT_COLUMNS, product_rows),
    "orders": ("sales", SALES_COLUMNS, order_rows),
}


class ShopifyConnector:
    """Products and orders of one shop; one ingest batch per resource per run."""

    name: ClassVar[str] = "shopify"

    def __init__(self, sleep: Callable[[float], None] = time.sleep) -> None:
        self.sleep = sleep

    def run(self, job: SyncJob) -> SyncOutcome:
        from ecomintel.ingest.pipeline import ingest_file

        opts = job.source.options
        base = str(opts.get("base_url") or "").rstrip("/")
        if not base.startswith(("http://", "https://")):
            raise InputError(f"Shop {job.source.name!r} has no base URL.",
                             "Set base_url, e.g. https://yourshop.myshopify.com/admin/api/2024-10.")
        resources = list(opts.get("resources") or ["products", "orders"])
        unknown = [r for r in resources if r not in RESOURCES]
        if unknown:
            raise InputError(f"Unknown Shopify resource(s): {', '.join(unknown)}.", "Use products and/or orders.")
        page_size = max(1, min(250, int(opts.get("page_size") or 250)))
        marketplace = str(opts.get("marketplace") or "shopify")
        currency = str(opts["currency"]) if opts.get("currency") else None
        headers = auth_headers({"auth_header": opts.get("auth_header") or "X-Shopify-Access-Token",
                                "auth_scheme": opts.get("auth_scheme") or ""}, job.secret)
        outcome = SyncOutcome()
        for index, resource in enumerate(resources):
            kind, columns, to_rows = RESOURCES[resource]
            rows: list[dict[str, Any]] = []
            url: str | None = f"{base}/{resource}.json?limit={page_size}"
            page = 0
            while url:
                page += 1
                job.progress((index + 0.5) / len(resources), f"{resource}: page {page}")
                try:
                    response = fetch(job.client, url, headers=headers, attempts=job.settings.sync_retries + 1)
                    items = response.json().get(resource)
                    if not isinstance(items, list):
                        raise ValueError(f"no {resource!r} list in the response")
                except FetchError as exc:
                    outcome.fail(f"{resource} page {page}", exc.reason)
                    break
                except ValueError as exc:  # JSONDecodeError is a ValueError
                    outcome.fail(f"{resource} page {page}", f"malformed response: {str(exc)[:200]}")
                    break
                outcome.pages_ok += 1
                for item in items:
                    if isinstance(item, dict):
                        rows.extend(to_rows(item, marketplace, currency))
                url = response.links.get("next", {}).get("url")
                pause = rate_limit_pause(response.headers)
                if url and pause > 0:
                    self.sleep(pause)
            if not rows:
                continue
            try:
                result = ingest_file(job.repo, kind, rows_to_csv(rows, columns), settings=job.settings,
                                     file_name=f"sync:{job.source.name}:{resource}.csv",
                                     mapping={c: c for c in columns}, source_label="sync")
            except EcomintelError as exc:
                outcome.fail(resource, exc.user_message())
                continue
            if result.batch_id is not None:
                outcome.batch_ids.append(result.batch_id)
            if result.status == "failed":
                outcome.fail(resource, result.message)
            else:
                outcome.rows += result.accepted
                outcome.notes.append(result.summary())
        return outcome
