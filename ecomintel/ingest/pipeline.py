"""The ingestion pipeline: file → read → map → normalise → validate → dedup → bulk load, with lineage.

Used by the Upload page, the CLI and scheduled syncs, so it takes everything explicitly (repository,
settings, progress callback) and returns an `IngestResult` that each of them renders.

Guarantees: the whole file is stored in one transaction (a failure half-way stores none of it and marks
the batch failed with the reason; earlier data is untouched); every stored row carries the batch id;
an ingest that stores rows bumps the tenant's data_version exactly once; the same file (sha256, kind)
uploaded again is recognised and skipped unless forced — and even forced, key-based dedup stores nothing
twice. Rejected rows are kept with their original cell texts and the reasons.

Speed (bench/ingest.py, full Online Retail file): UTF-8 CSVs are read by Arrow (readers.py); chunks are
validated, deduplicated and encoded ahead of the writer — in a thread, or for a tenant's first large SQLite
sales load in a forked process (chunk_work.py); line keys are a vectorised 64-bit hash (dedup.py); and a
tenant's first large load rebuilds the sales indexes once after the load (`_maybe_defer_indexes`,
db/bulk_load.py).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from ecomintel.config import Settings
from ecomintel.db.repository import Repository
from ecomintel.errors import EcomintelError
from ecomintel.ingest.chunk_work import Producer, can_fork, forked_chunks, threaded_chunks
from ecomintel.ingest.fields import fields_of, required_fields
from ecomintel.ingest.load import TARGETS, write_staged
from ecomintel.ingest.mapping import auto_map, resolve_mapping, suggest
from ecomintel.ingest.profile import Profiler
from ecomintel.ingest.readers import Source, load_source, open_table
from ecomintel.ingest.review_patterns import flag_review_patterns
from ecomintel.ingest.validate import PREPARERS
from ecomintel.observability import observe_ingest
from ecomintel.tracing import traced

log = logging.getLogger(__name__)
Progress = Callable[[float, str], None]


@dataclass
class IngestResult:
    """What one ingest did; `status` is "done", "duplicate_file" or "failed"."""

    batch_id: int | None
    kind: str
    file_name: str
    status: str
    batch_number: int | None = None  # the batch as people know it: per tenant (batch_id is global, never shown)
    rows_total: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    returns: int = 0
    updated: int = 0
    message: str = ""
    mapping: dict[str, str | None] = field(default_factory=dict)
    profile: dict[str, Any] = field(default_factory=dict)
    elapsed_ms: int = 0
    encoding: str | None = None
    delimiter: str | None = None
    sha256: str = ""
    data_version: int | None = None
    warnings: int = 0  # rows kept with a warning (optional values left empty, line totals, reviews without text)
    warning_rows: list[dict[str, Any]] = field(default_factory=list)  # the first WARNING_ROWS: row, warnings, cells
    no_text: int = 0  # reviews kept without text (they have a title or a rating), flagged "no text"
    currency_note: str = ""  # this file's currencies vs the tenant's other data (mixed currencies are never summed)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        """One line for people: what was stored, rejected, skipped."""
        if self.status == "duplicate_file":
            return f"{self.file_name}: {self.message}"
        if self.status == "failed":
            return f"{self.file_name}: FAILED — {self.message}"
        extra = f", {self.updated:,} updated" if self.updated else ""
        return (f"{self.file_name} ({self.kind}): {self.rows_total:,} rows — {self.accepted:,} stored{extra}, "
                f"{self.rejected:,} rejected, {self.duplicates:,} duplicates, {self.returns:,} returns "
                f"[batch {self.batch_number}, {self.elapsed_ms:,} ms]")


@dataclass
class Preview:
    """The first rows and the proposed mapping, before anything is stored (Upload page)."""

    file_name: str
    sha256: str
    columns: list[str]
    head: pd.DataFrame
    mapping: dict[str, str | None]
    required: list[str]
    missing: list[str]
    suggestions: dict[str, list[str]]
    encoding: str | None
    delimiter: str | None
    format: str


def preview_file(source: Source, *, kind: str, settings: Settings, file_name: str | None = None,
                 n: int = 20) -> Preview:
    """Read the start of `source` and propose a mapping; raises the same input errors as ingest."""
    fields_of(kind)
    raw = load_source(source, max_mb=settings.max_upload_mb, file_name=file_name)
    table = open_table(raw, max(n, 1))
    head = next(table.chunks()).head(n)
    mapping = auto_map(table.columns, kind)
    required = required_fields(kind)
    missing = [f for f in required if mapping.get(f) is None]
    return Preview(file_name=raw.name, sha256=raw.sha256, columns=table.columns, head=head, mapping=mapping,
                   required=required, missing=missing,
                   suggestions={f: suggest(f, kind, table.columns) for f in missing},
                   encoding=table.encoding, delimiter=table.delimiter, format=table.format)


@traced("ingest")
def ingest_file(repo: Repository, kind: str, source: Source, *, settings: Settings, file_name: str | None = None,
                mapping: Mapping[str, str] | None = None, defaults: Mapping[str, Any] | None = None,
                source_label: str = "upload", progress: Progress | None = None, force: bool = False) -> IngestResult:
    """Ingest one file of `kind` ("sales" | "products" | "reviews") into the repository's tenant.

    Raises InputError subclasses (FileTooLarge, EmptyFile, UnreadableFile, MissingColumns) before anything
    is stored; a failure while loading returns status "failed" with the reason (batch marked failed)."""
    started = time.perf_counter()
    fields_of(kind)
    repo.require_write()
    report: Progress = progress or (lambda _f, _m: None)
    report(0.0, "Reading file")
    raw = load_source(source, max_mb=settings.max_upload_mb, file_name=file_name)
    previous = repo.find_done_batch(raw.sha256, kind)
    if previous is not None and not force:
        when = str(previous.get("finished_at") or previous.get("created_at") or "")[:16]
        message = (f"Already imported on {when} as batch {previous['number']} ({previous['file_name']}): 0 new rows. "
                   f"That import: {previous['rows_total']:,} rows — {previous['rows_accepted']:,} stored, "
                   f"{previous['rows_rejected']:,} rejected, {previous['rows_duplicate']:,} duplicates. "
                   "Use force to re-check its rows.")
        batch_id = repo.create_batch(file_name=raw.name, sha256=raw.sha256, kind=kind, source=source_label,
                                     mapping=previous.get("mapping") or {})
        elapsed = _ms(started)
        repo.finish_batch(batch_id, status="skipped", message=message, elapsed_ms=elapsed)
        number = repo.batch_number(batch_id)
        # the audit log shows per-tenant batch numbers, never global ids (issue 12)
        repo.audit("ingest.duplicate_file", {"batch": number, "same_as": previous["number"], "kind": kind,
                                             "file_name": raw.name})
        report(1.0, "Already loaded")
        return IngestResult(batch_id=batch_id, batch_number=number,
                            kind=kind, file_name=raw.name, status="duplicate_file",
                            rows_total=int(previous["rows_total"]), duplicates=int(previous["rows_total"]),
                            message=message, mapping=dict(previous.get("mapping") or {}),
                            profile=dict(previous.get("profile") or {}), elapsed_ms=elapsed, sha256=raw.sha256,
                            data_version=repo.data_version())
    table = open_table(raw, settings.ingest_chunk_rows, fast=True)
    resolved = resolve_mapping(table.columns, kind, mapping, defaults)
    stored_mapping = {f: c for f, c in resolved.items() if c is not None}
    batch_id = repo.create_batch(file_name=raw.name, sha256=raw.sha256, kind=kind, source=source_label,
                                 mapping=stored_mapping)
    result = IngestResult(batch_id=batch_id, batch_number=repo.batch_number(batch_id),
                          kind=kind, file_name=raw.name, status="running", mapping=resolved,
                          encoding=table.encoding, delimiter=table.delimiter, sha256=raw.sha256)
    profiler = Profiler(kind)
    patterns = 0  # reviews flagged as near-duplicates or author bursts (ingest/review_patterns.py)
    try:
        with repo.engine.begin() as conn, contextlib.ExitStack() as deferred:
            none_stored = kind == "sales" and repo.lock_tenant(conn, TARGETS[kind].table) == 0
            # a process only for SQLite, whose writer holds the GIL binding parameters (PostgreSQL's COPY waits on
            # the server with the GIL released, so the thread already overlaps; a process was slower there); its
            # rows are then encoded by the writer: Python values cost more to send than the typed frame
            forked = none_stored and repo.dialect == "sqlite" and can_fork(table.rows)
            produce = Producer(repo, kind, batch_id, PREPARERS[kind], resolved, defaults,
                               encode=none_stored and not forked)
            ahead = forked_chunks if forked else threaded_chunks
            for work in ahead(table.chunks(), produce, table.progress):
                if result.rows_total == 0 and kind == "sales":
                    _maybe_defer_indexes(repo, conn, deferred, work.rows, work.fraction, unique=none_stored)
                if work.rejected:
                    repo.add_rejected(batch_id, work.rejected, conn=conn)
                result.warnings += work.warned
                result.no_text += work.no_text
                result.warning_rows.extend(work.warning_rows)
                counts, distinct = write_staged(repo, conn, kind, work.staged, none_stored=none_stored)
                profiler.add(distinct)
                result.rows_total += work.rows
                result.rejected += len(work.rejected)
                result.accepted += counts.written
                result.duplicates += counts.duplicates
                result.updated += counts.updated
                result.returns += work.returns
                report(min(work.fraction, 0.99) * 0.95,
                       f"{result.rows_total:,} rows read — {result.accepted:,} stored, {result.rejected:,} rejected")
            if kind == "reviews" and result.accepted:  # near-duplicates and bursts need all the reviews
                patterns = flag_review_patterns(repo, conn)
            if result.accepted:
                repo.bump_data_version(conn)
                repo.publish_load_statistics(conn)
    except Exception as exc:
        if isinstance(exc, EcomintelError):
            reason = exc.user_message()
        else:
            log.exception("ingest of %s failed", raw.name)
            reason = f"{exc.__class__.__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}".rstrip(": ")
        result.status = "failed"
        result.message = (f"Loading stopped after {result.rows_total:,} rows: {reason}. Nothing from this file "
                          "was stored; earlier data is unchanged.")
        result.accepted = result.rejected = result.duplicates = result.updated = result.returns = 0
        result.elapsed_ms = _ms(started)
        repo.finish_batch(batch_id, status="failed", message=result.message, elapsed_ms=result.elapsed_ms,
                          rows_total=result.rows_total)
        repo.audit("ingest.failed", {"batch": result.batch_number, "kind": kind, "file_name": raw.name,
                                     "error": reason})
        report(1.0, "Failed")
        return result
    result.status = "done"
    observe_ingest(kind, accepted=result.accepted, rejected=result.rejected, duplicates=result.duplicates)
    result.profile = profiler.result()
    if kind == "reviews":
        result.profile["flagged_patterns"] = patterns
        result.profile["no_text"] = result.no_text
    result.profile["warnings"] = result.warnings
    result.profile["warning_rows"] = result.warning_rows[:50]
    result.currency_note = _currency_note(repo, kind, result.profile.get("currencies") or [], first_load=none_stored)
    result.elapsed_ms = _ms(started)
    result.message = _done_message(result)
    repo.finish_batch(batch_id, status="done", message=result.message, rows_total=result.rows_total,
                      rows_accepted=result.accepted, rows_rejected=result.rejected,
                      rows_duplicate=result.duplicates, rows_returns=result.returns, profile=result.profile,
                      elapsed_ms=result.elapsed_ms)
    repo.audit("ingest", {"batch": result.batch_number, "kind": kind, "file_name": raw.name, "source": source_label,
                          "rows_total": result.rows_total, "accepted": result.accepted,
                          "rejected": result.rejected, "duplicates": result.duplicates})
    result.data_version = repo.data_version()
    report(1.0, "Done")
    return result


DEFER_INDEXES_MIN_ROWS = 100_000


def _maybe_defer_indexes(repo: Repository, conn: Any, stack: contextlib.ExitStack, first_rows: int,
                         fraction: float, *, unique: bool = False) -> None:
    """Rebuild the sales table's secondary indexes after the load (instead of per row) when this file is
    large (≥ 100k lines, estimated from the first chunk) and at least as large as the table already is.
    `unique`: the tenant has no sales yet (under its ingest lock), so the unique (tenant_id, line_key)
    index is rebuilt after the load as well — the file's own repeats are dropped before writing, and the
    rebuild would fail (rolling the load back) if one slipped through. On the 541,909-line file this cut
    the SQLite insert time roughly in half (random-order key inserts into a B-tree vs one sorted build)."""
    estimate = first_rows / fraction if fraction > 0 else first_rows
    if estimate < DEFER_INDEXES_MIN_ROWS:
        return
    from ecomintel.db import rls
    from ecomintel.db.models import sales

    if estimate >= repo.table_rows(conn, sales) and rls.owns_table(conn, sales.name):
        # dropping indexes needs the table's owner: an app role beside a separate owner loads with them in place
        stack.enter_context(repo.deferred_indexes(conn, sales, unique=unique))


def _done_message(r: IngestResult) -> str:
    parts = [f"{r.accepted:,} of {r.rows_total:,} rows stored"]
    if r.updated:
        parts.append(f"{r.updated:,} of them replaced stored rows (latest wins)")
    if r.rejected:
        parts.append(f"{r.rejected:,} rejected (see reasons)")
    if r.duplicates:
        parts.append(f"{r.duplicates:,} duplicates skipped")
    if r.returns:
        parts.append(f"{r.returns:,} returns/cancellations kept as returns")
    if r.no_text:
        parts.append(f"{r.no_text:,} reviews kept without text (they have a title or a rating; flagged 'no text')")
    if r.warnings - r.no_text > 0:
        parts.append(f"{r.warnings - r.no_text:,} rows kept with a warning (see warnings)")
    text = "; ".join(parts) + "."
    return f"{text} {r.currency_note}" if r.currency_note else text


def _currency_note(repo: Repository, kind: str, currencies: list[str], *, first_load: bool = False) -> str:
    """A sentence when this file's currencies differ from each other or from the tenant's other data.
    `first_load`: the tenant had no sales lines before this file (seen under its ingest lock), so the stored
    lines are this file's and there is nothing else to compare (no scan of them)."""
    if kind not in ("sales", "products", "listings"):
        return ""
    own = sorted(set(currencies))
    if len(own) > 1:
        return (f"Prices in this file are in {len(own)} currencies ({', '.join(own)}): they are stored with their "
                "currency and never summed together (Data Quality shows where).")
    if kind == "sales" and (not own or first_load):
        return ""  # nothing else to compare with (and no scan of the tenant's sales lines)
    if kind == "sales":
        others = set(repo.quality_sales_currency_codes())
    else:
        others = set(repo.quality_currencies((kind,)).get(kind, {}))
    others.discard("")
    if own and others - set(own):
        return (f"This {kind} file is in {own[0]}, other {kind} data of this tenant in "
                f"{', '.join(sorted(others - set(own)))}: amounts in different currencies are not summed together "
                "(Data Quality shows where).")
    if not own and kind != "sales":
        return ("No currency found in this file (no currency column, symbol or code in the prices); set one in "
                "the import options to make amounts comparable.")
    return ""


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
