"""Where each kind of row is stored and how a repeated key is treated.

Why per-kind targets: sales lines are immutable facts (an identical line is a duplicate: keep the stored
one), while products and reviews describe things that change (a newer price or an edited review replaces
the stored one: latest wins). The key columns match the tables' unique constraints.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from ecomintel.db import models as m
from ecomintel.db.bulk_load import Encoded
from ecomintel.db.repository import Repository
from ecomintel.ingest.dedup import drop_in_file_duplicates
from ecomintel.tracing import traced


@dataclass(frozen=True)
class Target:
    table: sa.Table
    keys: tuple[str, ...]
    keep: str  # "first": identical line, keep the stored one; "last": latest wins (update)
    columns: tuple[str, ...]

    @property
    def update(self) -> list[str] | None:
        if self.keep == "first":
            return None
        return [c for c in (*self.columns, "batch_id") if c not in self.keys]


TARGETS: dict[str, Target] = {
    "sales": Target(m.sales, ("line_key",), "first",
                    ("line_key", "order_id", "sku", "product_name", "quantity", "unit_price", "revenue", "currency",
                     "customer_id", "country", "channel", "marketplace", "sold_at", "is_return")),
    "products": Target(m.products, ("marketplace", "sku"), "last",
                       ("sku", "name", "brand", "category", "marketplace", "price", "list_price", "cost",
                        "currency", "inventory_level", "lead_time_days", "rating", "rating_count", "attributes",
                        "updated_at")),
    "reviews": Target(m.reviews, ("review_key",), "last",
                      ("review_key", "sku", "product_name", "category", "rating", "title", "text", "author",
                       "created_at", "verified", "helpful_count", "is_spam", "spam_reasons", "attributes")),
    # every observation once (obs_key) in price_history; the latest per marketplace+seller+sku in listings
    # (ListingStore.write_listing_rows, db/listing_store.py)
    "listings": Target(m.price_history, ("obs_key",), "first",
                       ("obs_key", "sku", "title", "brand", "category", "marketplace", "seller", "price",
                        "list_price", "currency", "url", "observed_at")),
}


@dataclass
class LoadCounts:
    written: int = 0  # new rows, plus (latest-wins kinds) rows that replaced a stored one
    duplicates: int = 0  # repeated within the file, plus (keep-first kinds) already stored
    updated: int = 0  # latest-wins kinds: rows whose key was already stored


@dataclass
class Staged:
    """One chunk's rows ready to write: the file's distinct rows (with batch id), how many were repeats
    within the file, and — for a tenant's first load of keep-first rows — the rows already encoded for
    the database's writer."""

    rows: pd.DataFrame
    in_file: int
    encoded: Encoded | None = None


def stage_rows(repo: Repository, kind: str, valid: pd.DataFrame, batch_id: int, seen: set[str] | None = None,
               encode: bool = False) -> Staged:
    """Everything before the database write, with no connection: drop duplicates within the chunk and —
    for keep-first kinds — keys in `seen` from earlier chunks of the same file; `encode` (the tenant had no
    rows of this kind at the start of the locked load) also converts the rows for the writer.

    Why separate from the write: the pipeline runs it in its preparing thread, chunk after chunk in file
    order (so `seen` stays exact), while the main thread writes the previous chunk."""
    target = TARGETS[kind]
    rows = valid.loc[:, list(target.columns)].assign(batch_id=batch_id)
    keep_first = target.update is None and len(target.keys) == 1 and seen is not None
    if keep_first and seen is not None:
        # one pass and one row selection: repeats within the chunk, then keys seen in earlier chunks
        keys = rows[target.keys[0]]
        repeat = keys.duplicated(keep="first").to_numpy()
        values = keys.tolist()
        again = seen.intersection(values)  # one C-level pass; usually empty (repeats sit in the same chunk)
        drop = repeat | keys.isin(again).to_numpy() if again else repeat
        in_file = int(drop.sum())
        if in_file:
            rows = rows[~drop]
            values = [v for v, d in zip(values, drop, strict=True) if not d]
        seen.update(values)
    else:
        rows, in_file = drop_in_file_duplicates(rows, list(target.keys), keep=target.keep)
    encoded = repo.encode_rows(target.table, rows) if encode and keep_first and not rows.empty else None
    return Staged(rows, in_file, encoded)


@traced("ingest.load")
def write_staged(repo: Repository, conn: sa.Connection, kind: str, staged: Staged,
                 none_stored: bool = False) -> tuple[LoadCounts, pd.DataFrame]:
    """Write a staged chunk; returns the counts and the rows sent to the database."""
    target = TARGETS[kind]
    if staged.encoded is not None and none_stored and target.update is None:  # also a producer's slim chunk
        written, existing = repo.write_encoded(conn, target.table, staged.encoded)
        return LoadCounts(written=written, duplicates=staged.in_file + existing), staged.rows
    if kind == "listings":
        written, existing, replaced = repo.write_listing_rows(conn, staged.rows)
        return LoadCounts(written=written, duplicates=staged.in_file + existing, updated=replaced), staged.rows
    written, existing = repo.bulk_write(conn, target.table, staged.rows, keys=target.keys, update=target.update,
                                        none_stored=none_stored, encoded=staged.encoded)
    if target.update is None:
        return LoadCounts(written=written, duplicates=staged.in_file + existing), staged.rows
    return LoadCounts(written=written, duplicates=staged.in_file, updated=existing), staged.rows


def store_rows(repo: Repository, conn: sa.Connection, kind: str, valid: pd.DataFrame, batch_id: int,
               seen: set[str] | None = None, none_stored: bool = False) -> tuple[LoadCounts, pd.DataFrame]:
    """Store one chunk's valid rows with their batch id (`stage_rows` then `write_staged`); returns the
    counts and the rows sent to the database. `none_stored`: the tenant had no rows of this kind when the
    (locked) load began."""
    staged = stage_rows(repo, kind, valid, batch_id, seen)
    return write_staged(repo, conn, kind, staged, none_stored=none_stored and seen is not None)
