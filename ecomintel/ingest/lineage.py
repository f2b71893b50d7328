"""Lineage: which ingestion batch every stored row came from, and what is left of each batch.

Why: a number in a report must be traceable to the files behind it ("these 221,204 lines came from
online_retail_2011_q4.csv, uploaded by … at …"), and a re-upload or a latest-wins update moves rows from
one batch to another — so "rows stored now per batch" is computed from the data, not from the counters
recorded at ingest time.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from ecomintel.db import models as m
from ecomintel.db.repository import Repository

DATA_TABLES = {"sales": m.sales, "products": m.products, "reviews": m.reviews}


def rows_by_batch(repo: Repository) -> pd.DataFrame:
    """One row per batch of the tenant: id, number (the batch as people know it), kind, file_name, source,
    status, created_at, rows_accepted (at ingest time) and rows_now (rows of the data tables that still carry
    the batch id)."""
    counts: dict[int, int] = {}
    with repo.engine.connect() as conn:
        for table in DATA_TABLES.values():
            stmt = repo.scoped(table, table.c.batch_id, sa.func.count()).where(
                table.c.batch_id.is_not(None)).group_by(table.c.batch_id)
            for batch_id, n in conn.execute(stmt):
                counts[int(batch_id)] = counts.get(int(batch_id), 0) + int(n)
    b = m.ingestion_batches
    batches = repo.frame(repo.scoped(b, b.c.id, b.c.number, b.c.kind, b.c.file_name, b.c.source, b.c.status, b.c.created_at,
                                     b.c.rows_accepted).order_by(b.c.id))
    batches["rows_now"] = batches["id"].map(lambda i: counts.get(int(i), 0)).astype("int64")
    return batches
