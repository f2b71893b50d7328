"""HTTP feed connector: a URL that returns CSV or JSON of products, prices, orders or reviews.

Options (sync_sources.options): `url`, `kind` (products | prices | orders | reviews | sales; prices are
products rows with a price, orders are sales lines), optional `format` (auto | csv | json), `json_path`,
`mapping` {field: column}, `defaults` {field: value}, `auth_header` (default Authorization) and
`auth_scheme` (e.g. Bearer). The secret (secret_ref) becomes the auth header's value.

The payload goes through `ingest_file` — the same mapping, validation, rejected rows with reasons, dedup
and batch lineage as an upload, with `source="sync"`; an unchanged feed is recognised by its hash and
stores nothing (batch status skipped).
"""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import urlparse

from ecomintel.errors import EcomintelError, InputError
from ecomintel.sync.feed_payload import json_to_csv, looks_like_json
from ecomintel.sync.http import FetchError, fetch
from ecomintel.sync.protocol import SyncJob, SyncOutcome

KIND_ALIASES = {"products": "products", "prices": "products", "orders": "sales", "sales": "sales",
                "reviews": "reviews"}


def auth_headers(options: dict[str, object], secret: str | None) -> dict[str, str]:
    """{auth_header: "<scheme> <secret>"} when a secret is configured, else {}."""
    if not secret:
        return {}
    header = str(options.get("auth_header") or "Authorization")
    scheme = str(options.get("auth_scheme") or "").strip()
    return {header: f"{scheme} {secret}" if scheme else secret}


class HttpFeedConnector:
    """One URL, one ingest per run."""

    name: ClassVar[str] = "http_feed"

    def run(self, job: SyncJob) -> SyncOutcome:
        from ecomintel.ingest.pipeline import ingest_file

        opts = job.source.options
        url = str(opts.get("url") or "")
        if urlparse(url).scheme not in ("http", "https"):
            raise InputError(f"Feed {job.source.name!r} has no http(s) URL.", "Set the feed URL in Settings.")
        kind = KIND_ALIASES.get(str(opts.get("kind") or "products"))
        if kind is None:
            raise InputError(f"Unknown feed kind {opts.get('kind')!r}.",
                             f"Use one of {', '.join(sorted(KIND_ALIASES))}.")
        outcome = SyncOutcome()
        job.progress(0.05, f"Fetching {url}")
        try:
            response = fetch(job.client, url, headers=auth_headers(opts, job.secret),
                             attempts=job.settings.sync_retries + 1)
        except FetchError as exc:
            outcome.fail(url, exc.reason)
            return outcome
        content = response.content
        fmt = str(opts.get("format") or "auto")
        name = (urlparse(url).path.rsplit("/", 1)[-1] or job.source.name)[:200]
        try:
            if fmt == "json" or (fmt == "auto" and looks_like_json(content, response.headers.get("content-type", ""))):
                content = json_to_csv(content, str(opts.get("json_path") or "") or None)
                name = name.rsplit(".", 1)[0] + ".csv"
            result = ingest_file(job.repo, kind, content, settings=job.settings, file_name=f"sync:{name}",
                                 mapping=dict(opts.get("mapping") or {}),
                                 defaults=dict(opts.get("defaults") or {}),
                                 source_label="sync",
                                 progress=lambda f, m: job.progress(0.1 + 0.9 * f, m))
        except EcomintelError as exc:
            outcome.fail(url, exc.user_message())
            return outcome
        if result.batch_id is not None:
            outcome.batch_ids.append(result.batch_id)
        if result.status == "failed":
            outcome.fail(url, result.message)
        else:  # the feed counts as fetched once its content was usable
            outcome.pages_ok += 1
            outcome.rows += result.accepted
            outcome.notes.append(result.summary())
            if result.rejected:
                outcome.notes.append(f"{result.rejected:,} rows rejected (batch {result.batch_number})")
        return outcome
