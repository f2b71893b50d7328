"""Per-tenant numbers: what people see and type instead of global row ids (issue 12, migration 0014).

Why: import batches, saved reports and sync runs had only the global autoincrement id, and it was shown
("Already imported … as batch 4812"): a tenant could watch it climb and infer how busy the other tenants are.
Each of these tables now has a `number` column, 1, 2, 3 … within a tenant and unique per (tenant_id,
number); people see and type the number, which is resolved within the caller's tenant only. Foreign keys
and lineage keep using the global id (it never has to change, and it is never shown).

The next number is max(number) + 1 of the tenant, computed inside the INSERT itself. On PostgreSQL a
transaction-scoped advisory lock (one per table and tenant) serialises concurrent creates of one tenant, so two
never read the same max; on SQLite a write statement holds the database's write lock while it runs. The
unique index is the backstop either way: a collision raises IntegrityError and `insert_numbered` retries.
A number is not reused while a later row of the tenant exists; after retention purged a tenant's newest rows
too (nothing of that kind for months), numbering continues from the highest one left.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

NUMBER_LOCK_CLASS = {"ingestion_batches": 7_201_301, "reports": 7_201_302, "sync_runs": 7_201_303}
"""First key of pg_advisory_xact_lock(class, tenant_id) per numbered table (other locks: bulk_load.py 0x45434F,
sales_rollup.py 7_201_211)."""
ATTEMPTS = 5


def insert_numbered(engine: sa.Engine, table: sa.Table, values: Mapping[str, Any]) -> tuple[int, int]:
    """INSERT one row of `table` (values include tenant_id) with the tenant's next number, in its own
    transaction; returns (id, number)."""
    tenant_id = int(values["tenant_id"])
    next_number = (sa.select(sa.func.coalesce(sa.func.max(table.c.number), 0) + 1)
                   .where(table.c.tenant_id == tenant_id).scalar_subquery())
    stmt = sa.insert(table).values(**values, number=next_number).returning(table.c.id, table.c.number)
    for attempt in range(ATTEMPTS):
        try:
            with engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(NUMBER_LOCK_CLASS[table.name], tenant_id)))
                row = conn.execute(stmt).one()
            return int(row.id), int(row.number)
        except sa.exc.IntegrityError:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def id_of_number(conn: sa.Connection, table: sa.Table, tenant_id: int, number: int) -> int | None:
    """The global id of the tenant's row number `number` (None when the tenant has no such row)."""
    found = conn.execute(sa.select(table.c.id).where(table.c.tenant_id == tenant_id,
                                                     table.c.number == int(number))).scalar()
    return None if found is None else int(found)


def numbers_of_ids(conn: sa.Connection, table: sa.Table, tenant_id: int, ids: Iterable[int]) -> dict[int, int]:
    """{global id: number} for those of `ids` that are the tenant's rows (others are left out, never shown)."""
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return {}
    rows = conn.execute(sa.select(table.c.id, table.c.number)
                        .where(table.c.tenant_id == tenant_id, table.c.id.in_(wanted)))
    return {int(r.id): int(r.number) for r in rows if r.number is not None}


def parse_number(text: str | int, what: str) -> int:
    """A number a person typed ("3", "#3", "batch 3"); InputError when it is not one."""
    from ecomintel.errors import InputError

    cleaned = str(text).strip().lstrip("#").split()[-1] if str(text).strip() else ""
    cleaned = cleaned.lstrip("#")
    if not cleaned.isdigit() or int(cleaned) < 1:
        raise InputError(f"{text!r} is not a {what} number.", f"Use the number shown in the {what} list, e.g. 3.")
    return int(cleaned)
