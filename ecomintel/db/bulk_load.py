"""Bulk loading of tenant rows: PostgreSQL COPY into a staging table, SQLite batched executemany.

Why two paths: on PostgreSQL, COPY of a CSV stream into a temporary table followed by one
`INSERT … SELECT … ON CONFLICT` is an order of magnitude faster than row inserts; on SQLite there is no
network round trip, so one prepared `INSERT … ON CONFLICT` run through executemany on the raw driver
cursor is the fastest path. Both run inside the caller's transaction, so an ingest either stores all of
its rows or (on failure) none, and every row is stamped with this repository's tenant_id here — callers
cannot write into another tenant even by passing a wrong tenant_id column.

Performance levers (issue 3's targets, measured with bench/ingest.py on the 541,909-line Online Retail
file; each is explained where it lives):
- a tenant's first load of sales lines (none stored, under the tenant's lock) skips the stored-key lookup
  and ON CONFLICT, and — when the file is at least as large as the table — drops and rebuilds every
  secondary index including the unique (tenant_id, line_key) one after the load (`deferred_indexes`);
- its rows are encoded for the writer ahead, in the pipeline's preparing thread (`encode_rows`);
- PostgreSQL: COPY CSV straight into the table, index rebuilds with parallel workers (`PG_INDEX_BUILD`);
- SQLite: 50 rows per INSERT (`_sqlite_insert_rows`), chunk-constant columns as SQL literals
  (`_sqlite_literals`), timestamps formatted by Arrow.
The sales table itself has no foreign keys (migration 0003): PostgreSQL checked two per row by trigger.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from ecomintel.db import rls
from ecomintel.db.scoped import RepositoryCore

if TYPE_CHECKING:
    import pandas as pd

SQLITE_TS = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's own SQLite DATETIME text format (sorts and compares correctly)
SQLITE_KEY_BATCH = 500
# PostgreSQL index rebuilds after a large load (SET LOCAL: this transaction only). Measured on the 541,909-line
# file: two parallel workers build the three sales indexes in ~1.5 s instead of ~2.3 s serially; a larger
# maintenance_work_mem (128-512 MB) made no difference or was slower, so the server's own value stays.
PG_INDEX_BUILD = {"max_parallel_maintenance_workers": "2"}
_LOCK_NAMESPACE = 0x45434F  # pg_advisory_xact_lock(namespace, tenant_id): one bulk writer per tenant


class BulkLoad(RepositoryCore):
    """`bulk_write`: insert a DataFrame into a tenant table with key-based conflict handling."""

    def _stamped(self, table: sa.Table, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
        """`frame` with this tenant's id, and its columns — all of which must exist in `table`."""
        frame = frame.assign(tenant_id=self.tenant_id)
        columns = list(frame.columns)
        unknown = [c for c in columns if c not in table.c]
        if unknown:
            raise ValueError(f"columns not in {table.name}: {unknown}")
        return frame, columns

    def encode_rows(self, table: sa.Table, frame: pd.DataFrame) -> Encoded:
        """`frame` stamped with this tenant and converted to what this database's writer sends (PostgreSQL:
        COPY CSV bytes; SQLite: per-column lists of plain Python values) — without a connection, so the
        pipeline's preparing thread can do it while the main thread writes the previous chunk. Only for
        rows that will be written as they are (a tenant's first load of keep-first rows: `none_stored`)."""
        frame, columns = self._stamped(table, frame)
        if self.dialect == "postgresql":
            return Encoded(table.name, columns, len(frame), _csv_payload(frame, columns), None)
        literals = _sqlite_literals(table, frame, columns)
        bound = [c for c in columns if c not in literals]
        return Encoded(table.name, bound, len(frame), None, _python_columns(frame, bound), literals)

    def bulk_write(self, conn: sa.Connection, table: sa.Table, frame: pd.DataFrame, *, keys: Sequence[str],
                   update: Sequence[str] | None = None, none_stored: bool = False,
                   encoded: Encoded | None = None) -> tuple[int, int]:
        """Write `frame` (columns = table columns, without tenant_id) into `table` for this tenant.

        keys: the unique key after tenant_id (e.g. ["line_key"], ["marketplace", "sku"]); rows whose key
        is already stored are left alone (`update` None) or have the `update` columns overwritten
        (latest wins). `frame` must not repeat a key. Returns (rows written, rows whose key was already
        stored) — for DO NOTHING the written rows are the new ones only. `none_stored`: the caller holds
        `lock_tenant` and saw no rows of this tenant in `table` at its start, so no key can be stored yet
        (PostgreSQL then skips the stored-key lookup). `encoded`: `encode_rows(table, frame)` done ahead —
        used as it is for keep-first rows when `none_stored` (else ignored: rows may still be filtered).
        """
        self.require_write()
        if frame.empty:
            return 0, 0
        if encoded is not None and none_stored and update is None and len(keys) == 1:
            if encoded.rows != len(frame):
                raise ValueError("encoded rows do not match the frame")
            return self.write_encoded(conn, table, encoded)
        frame, columns = self._stamped(table, frame)
        if self.dialect == "postgresql":
            return self._write_postgres(conn, table, frame, columns, list(keys), update, none_stored)
        return self._write_sqlite(conn, table, frame, columns, list(keys), update, none_stored)

    def write_encoded(self, conn: sa.Connection, table: sa.Table, encoded: Encoded) -> tuple[int, int]:
        """Write rows `encode_rows` prepared (a tenant's first load of keep-first rows, under its lock): the
        writer's part only, so a producer can send the encoded rows without the frame they came from."""
        self.require_write()
        if encoded.table != table.name:
            raise ValueError("encoded rows are for another table")
        if not encoded.rows:
            return 0, 0
        return self._write_encoded(conn, table, encoded)

    def _write_encoded(self, conn: sa.Connection, table: sa.Table, encoded: Encoded) -> tuple[int, int]:
        col_list = ", ".join(f'"{c}"' for c in encoded.columns)
        dbapi: Any = conn.connection.dbapi_connection
        if encoded.payload is not None:
            _copy_into(conn, table.name, col_list, _copy_options(table, encoded.columns), encoded.payload)
            return encoded.rows, 0
        assert encoded.values is not None
        cur: Any = dbapi.cursor()
        try:
            col_list, marks = _sqlite_insert_lists(encoded.columns, encoded.literals)
            written = _sqlite_insert_rows(cur, f'INSERT INTO "{table.name}" ({col_list}) VALUES ', marks, "",
                                          encoded.values, encoded.rows)
        finally:
            cur.close()
        return written, encoded.rows - written

    # -- PostgreSQL ------------------------------------------------------------------------------------
    def lock_tenant(self, conn: sa.Connection, table: sa.Table) -> int:
        """Serialise bulk writers of this tenant until the transaction ends (PostgreSQL advisory lock;
        SQLite has one writer anyway) and return how many rows the tenant has in `table`."""
        if self.dialect == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:a, :b)"), {"a": _LOCK_NAMESPACE, "b": self.tenant_id})
        stmt = sa.select(sa.func.count()).select_from(
            sa.select(table.c.tenant_id).where(table.c.tenant_id == self.tenant_id).limit(1).subquery())
        return int(conn.execute(stmt).scalar() or 0)

    def _write_postgres(self, conn: sa.Connection, table: sa.Table, frame: pd.DataFrame, columns: list[str],
                        keys: list[str], update: Sequence[str] | None, none_stored: bool) -> tuple[int, int]:
        col_list = ", ".join(f'"{c}"' for c in columns)
        options = _copy_options(table, columns)
        dbapi: Any = conn.connection.dbapi_connection
        if update is None and len(keys) == 1:
            # Keep-first with a single key (sales lines): hold the tenant's ingest lock, drop the keys
            # already stored, COPY the rest straight into the table (no staging, no speculative inserts).
            key = keys[0]
            stored: set[Any] = set()
            if not none_stored:
                self.lock_tenant(conn, table)
                stored = {r[0] for r in conn.exec_driver_sql(
                    f'SELECT "{key}" FROM "{table.name}" WHERE tenant_id = %(t)s AND "{key}" = ANY(%(k)s)',
                    {"t": self.tenant_id, "k": frame[key].tolist()})}
            if stored:
                frame = frame[~frame[key].isin(stored).to_numpy()]
            if not frame.empty:
                _copy_into(conn, table.name, col_list, options, _csv_payload(frame, columns))
            return len(frame), len(stored)
        stage = f"stage_{table.name}_{uuid.uuid4().hex[:8]}"
        conn.exec_driver_sql(f'CREATE TEMP TABLE "{stage}" ON COMMIT DROP AS '
                             f'SELECT {col_list} FROM "{table.name}" WITH NO DATA')
        _copy(dbapi, f'COPY "{stage}" ({col_list}) FROM STDIN ({options})', _csv_payload(frame, columns))
        key_cols = ["tenant_id", *keys]
        on = " AND ".join(f't."{k}" = s."{k}"' for k in key_cols)
        conflict = ", ".join(f'"{k}"' for k in key_cols)
        if update:
            existing = int(conn.exec_driver_sql(
                f'SELECT count(*) FROM "{stage}" s JOIN "{table.name}" t ON {on}').scalar() or 0)
            sets = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in update)
            conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({col_list}) SELECT {col_list} FROM "{stage}" '
                                 f"ON CONFLICT ({conflict}) DO UPDATE SET {sets}")
            written = len(frame)
        else:
            written = int(conn.exec_driver_sql(
                f'INSERT INTO "{table.name}" ({col_list}) SELECT {col_list} FROM "{stage}" '
                f"ON CONFLICT ({conflict}) DO NOTHING").rowcount)
            existing = len(frame) - written
        conn.exec_driver_sql(f'DROP TABLE "{stage}"')
        return written, existing

    def publish_load_statistics(self, conn: sa.Connection) -> None:
        """PostgreSQL ≥ 15: have this backend publish the load's row counts to pg_stat_* as soon as it goes
        idle. Why: a backend otherwise holds them for up to 10 s after a short transaction, and a statistics
        refresh right after the ingest (`refresh_sales_statistics`, which decides from pg_stat_user_tables)
        could analyze first and see the load's rows arrive afterwards as "changed since the last analyze"."""
        info = conn.dialect.server_version_info or ()
        if self.dialect == "postgresql" and tuple(info) >= (15,):
            conn.exec_driver_sql("SELECT pg_stat_force_next_flush()")

    # -- large loads: rebuild secondary indexes once instead of updating them row by row ----------------
    def table_rows(self, conn: sa.Connection, table: sa.Table) -> int:
        """Rows in `table` across all tenants (an estimate on PostgreSQL) — sizing only, never returned data."""
        if self.dialect == "postgresql":
            value = conn.execute(sa.text("SELECT reltuples::bigint FROM pg_class WHERE oid = CAST(:t AS regclass)"),
                                 {"t": table.name}).scalar()
            return max(int(value or 0), 0)
        return int(conn.exec_driver_sql(f'SELECT count(*) FROM "{table.name}"').scalar() or 0)

    @contextmanager
    def deferred_indexes(self, conn: sa.Connection, table: sa.Table, *, unique: bool = False) -> Iterator[list[str]]:
        """Drop `table`'s secondary indexes for the body of the block and rebuild them at the end, inside
        the caller's transaction. `unique`: the unique indexes too (never the primary key, nor an index
        that backs a constraint) — only when the caller knows no stored row can conflict with the rows it
        writes (a tenant's first load, deduplicated in the file); a duplicate that slipped through would make
        the rebuild fail and the whole load roll back, so the constraint still holds.

        Why: building an index once from sorted data is several times cheaper than updating it for every
        inserted row; for a load as large as the table itself (a first import) that dominates the load.
        The swap is atomic: other sessions see the old indexes until commit (SQLite WAL readers keep their
        snapshot; PostgreSQL blocks readers of this table until commit, which is why the pipeline only does
        this for loads at least as large as the table). On error the transaction rolls back, indexes
        included. PostgreSQL builds them with parallel workers (PG_INDEX_BUILD)."""
        if self.dialect == "postgresql":
            rows = conn.execute(sa.text(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = CAST(:t AS regclass) AND NOT x.indisprimary AND (:u OR NOT x.indisunique) "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
                "ORDER BY x.indisunique DESC, i.relname"),
                {"t": table.name, "u": unique}).all()
        else:
            rows = conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL "
                "AND (? OR sql NOT LIKE 'CREATE UNIQUE%') ORDER BY sql LIKE 'CREATE UNIQUE%' DESC, name",
                (table.name, int(unique))).all()
        for name, _ in rows:
            conn.exec_driver_sql(f'DROP INDEX "{name}"')
        yield [str(name) for name, _ in rows]
        if rows and self.dialect == "postgresql":
            for setting, value in PG_INDEX_BUILD.items():
                conn.exec_driver_sql(f"SET LOCAL {setting} = '{value}'")
        for _, ddl in rows:
            conn.exec_driver_sql(str(ddl))

    # -- SQLite ------------------------------------------------------------------------------------------
    def _write_sqlite(self, conn: sa.Connection, table: sa.Table, frame: pd.DataFrame, columns: list[str],
                      keys: list[str], update: Sequence[str] | None, none_stored: bool = False) -> tuple[int, int]:
        key_cols = ["tenant_id", *keys]
        conflict = ", ".join(f'"{k}"' for k in key_cols)
        literals = _sqlite_literals(table, frame, columns)
        bound = [c for c in columns if c not in literals]
        col_list, marks = _sqlite_insert_lists(bound, literals)
        values = _python_columns(frame, bound)
        head = f'INSERT INTO "{table.name}" ({col_list}) VALUES '
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        cur: Any = dbapi.cursor()
        try:
            if update:
                existing = self._sqlite_existing(cur, table.name, keys, frame)
                sets = ", ".join(f'"{c}" = excluded."{c}"' for c in update)
                _sqlite_insert_rows(cur, head, marks, f" ON CONFLICT ({conflict}) DO UPDATE SET {sets}", values,
                                    len(frame))
                return len(frame), existing
            # Keep-first: a tenant's first load (nothing stored, keys deduplicated in the file) inserts
            # plainly — its unique index may be deferred (then ON CONFLICT would have no target); a repeat
            # that slipped through still fails on the unique index and rolls the load back.
            on_conflict = "" if none_stored else f" ON CONFLICT ({conflict}) DO NOTHING"
            written = _sqlite_insert_rows(cur, head, marks, on_conflict, values, len(frame))
            return written, len(frame) - written
        finally:
            cur.close()

    def _sqlite_existing(self, cur: Any, table: str, keys: list[str], frame: pd.DataFrame) -> int:
        """How many of frame's keys are already stored for this tenant (for upsert counts)."""
        wanted = set(frame[keys].astype(str).itertuples(index=False, name=None))
        last = keys[-1]
        values = sorted({str(v) for v in frame[last]})
        found: set[tuple[str, ...]] = set()
        select = ", ".join(f'"{k}"' for k in keys)
        for start in range(0, len(values), SQLITE_KEY_BATCH):
            part = values[start:start + SQLITE_KEY_BATCH]
            marks = ", ".join("?" for _ in part)
            cur.execute(f'SELECT {select} FROM "{table}" WHERE tenant_id = ? AND "{last}" IN ({marks})',
                        [self.tenant_id, *part])
            found.update(tuple(str(v) for v in row) for row in cur.fetchall())
        return len(wanted & found)


@dataclass(frozen=True)
class Encoded:
    """Rows converted for one database's writer ahead of the write (`BulkLoad.encode_rows`)."""

    table: str
    columns: list[str]
    rows: int
    payload: bytes | None  # PostgreSQL: COPY CSV
    values: list[list[Any]] | None  # SQLite: one list of plain values per (bound) column
    literals: dict[str, str] = field(default_factory=dict)  # SQLite: columns stated once as SQL literals


SQLITE_LITERAL_MAX_LEN = 100


def _sqlite_literals(table: sa.Table, frame: pd.DataFrame, columns: list[str]) -> dict[str, str]:
    """Columns holding the same value in every row of `frame`, as SQL literals: NULL (nullable columns
    without a default), integers, and short text (quoted, '' doubled). They are written once into the
    INSERT instead of being bound for every row: tenant_id, batch_id, a constant currency and the empty
    channel/marketplace of a sales file are 5 of 17 values per line, and binding them cost ~0.4 s of a
    541,909-line SQLite load (sqlite3 binds each parameter in Python, holding the GIL)."""
    import pandas as pd

    out: dict[str, str] = {}
    for c in columns:
        col = frame[c]
        if col.empty:
            return {}
        first = col.iloc[0]
        if _missing(first):  # NULL when no row has a value; bound when some have
            column = table.c[c]
            if column.nullable and column.server_default is None and column.default is None and col.isna().all():
                out[c] = "NULL"
            continue
        if pd.api.types.is_bool_dtype(col.dtype):
            continue
        last, middle = col.iloc[-1], col.iloc[len(col) // 2]
        if _missing(last) or _missing(middle) or last != first or middle != first:
            continue  # cheap refusal of varying columns (line keys, dates) before any pass over the column
        if pd.api.types.is_integer_dtype(col.dtype) and bool((col == first).all()):
            out[c] = str(int(first))
        elif (col.dtype == "str" or col.dtype == object) and isinstance(first, str) \
                and len(first) <= SQLITE_LITERAL_MAX_LEN and "\x00" not in first and bool((col == first).all()):
            out[c] = "'" + first.replace("'", "''") + "'"
    return out


def _missing(value: Any) -> bool:
    """A missing cell as pandas stores one (None, NaN, NaT, NA) — without pd.isna, which maps over lists."""
    import pandas as pd

    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def _sqlite_insert_lists(bound: list[str], literals: dict[str, str]) -> tuple[str, str]:
    """(column list, VALUES list) of an INSERT binding `bound` per row and stating `literals` once."""
    names = [*bound, *literals]
    values = ["?" for _ in bound] + list(literals.values())
    return ", ".join(f'"{c}"' for c in names), ", ".join(values)


def _copy_options(table: sa.Table, columns: list[str]) -> str:
    not_null_text = [c for c in columns if not table.c[c].nullable and isinstance(table.c[c].type, sa.String | sa.Text)]
    options = "FORMAT csv"
    if not_null_text:
        options += ", FORCE_NOT_NULL (" + ", ".join(f'"{c}"' for c in not_null_text) + ")"
    return options


def _copy_into(conn: sa.Connection, table: str, col_list: str, options: str, payload: bytes) -> None:
    """COPY straight into `table`; for a role bound by row-level security (PostgreSQL refuses COPY FROM into
    an RLS table) through a temporary staging table and one INSERT … SELECT, which the policy checks."""
    dbapi: Any = conn.connection.dbapi_connection
    if not rls.copy_needs_staging(conn):
        _copy(dbapi, f'COPY "{table}" ({col_list}) FROM STDIN ({options})', payload)
        return
    stage = f"stage_{table}_{uuid.uuid4().hex[:8]}"
    conn.exec_driver_sql(f'CREATE TEMP TABLE "{stage}" ON COMMIT DROP AS SELECT {col_list} FROM "{table}" WITH NO DATA')
    _copy(dbapi, f'COPY "{stage}" ({col_list}) FROM STDIN ({options})', payload)
    conn.exec_driver_sql(f'INSERT INTO "{table}" ({col_list}) SELECT {col_list} FROM "{stage}"')
    conn.exec_driver_sql(f'DROP TABLE "{stage}"')


def _copy(dbapi: Any, sql: str, payload: bytes) -> None:
    with dbapi.cursor() as cur, cur.copy(sql) as copy:
        view = memoryview(payload)
        for start in range(0, len(view), 1 << 20):
            copy.write(view[start:start + (1 << 20)])


def _json_columns(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    """Object columns holding dicts/lists (JSON attributes), found from their first non-null value."""
    out = []
    for c in columns:
        col = frame[c]
        if col.dtype == object:
            first = col.first_valid_index()
            if first is not None and isinstance(col[first], dict | list):
                out.append(c)
    return out


def _as_json(col: pd.Series) -> pd.Series:
    return col.map(lambda v: None if v is None else json.dumps(v, ensure_ascii=False, default=str))


def _csv_payload(frame: pd.DataFrame, columns: list[str]) -> bytes:
    """The frame as PostgreSQL-COPY CSV, written by Arrow's C++ CSV writer (NULL = unquoted empty; text
    always quoted, so '' stays an empty string; JSON as text; timestamps ISO)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    out = frame[columns]
    json_cols = _json_columns(out, columns)
    if json_cols:
        out = out.assign(**{c: _as_json(out[c]) for c in json_cols})
    table = pa.Table.from_pandas(out, preserve_index=False)
    buf = io.BytesIO()
    pacsv.write_csv(table, buf, pacsv.WriteOptions(include_header=False))
    return buf.getvalue()


SQLITE_ROWS_PER_INSERT = 50


def _sqlite_insert_rows(cur: Any, head: str, marks: str, tail: str, columns: list[list[Any]], rows: int) -> int:
    """Insert the rows given as per-column value lists with `head` + `(marks)` … + `tail`, 50 rows per
    statement; returns the rows the database changed (inserted, or inserted + updated for an upsert).

    Why several rows per statement: sqlite3's executemany pays its per-execution work (fetching the
    parameter tuple, reset, step, releasing and retaking the GIL) once per row; with 50 rows per
    statement the 541,909-line load spent ~30% less time writing, and that time holds the GIL the
    pipeline's preparing thread needs. 50 × ~12 parameters stays far below SQLite's 32,766-variable limit."""
    width, per = len(columns), SQLITE_ROWS_PER_INSERT
    if not width:  # every column a literal (a one-row chunk can be): the same row, `rows` times
        cur.executemany(head + f"({marks})" + tail, [()] * rows)
        return int(cur.rowcount)
    full = rows - rows % per
    flat = list(chain.from_iterable(zip(*columns, strict=True)))
    step = per * width
    written = 0
    if full:
        cur.executemany(head + ", ".join([f"({marks})"] * per) + tail,
                        (tuple(flat[i:i + step]) for i in range(0, full * width, step)))
        written += int(cur.rowcount)
    if rows > full:
        rest = flat[full * width:]
        cur.executemany(head + f"({marks})" + tail, (tuple(rest[i:i + width]) for i in range(0, len(rest), width)))
        written += int(cur.rowcount)
    return written


def _python_columns(frame: pd.DataFrame, columns: list[str]) -> list[list[Any]]:
    """One list of plain Python values per column, built with vectorised conversions (no per-cell Python
    function calls)."""
    import numpy as np
    import pandas as pd

    json_cols = set(_json_columns(frame, columns))
    cols: list[list[Any]] = []
    for c in columns:
        col = frame[c]
        if c in json_cols:
            values = _as_json(col).tolist()
        elif pd.api.types.is_datetime64_any_dtype(col.dtype):
            values = _sqlite_timestamps(col)
        elif pd.api.types.is_bool_dtype(col.dtype) and not isinstance(col.dtype, pd.BooleanDtype):
            values = col.to_numpy(dtype="int64").tolist()
        elif pd.api.types.is_float_dtype(col.dtype):
            arr = col.to_numpy(dtype="float64")
            values = arr.tolist()
            if np.isnan(arr).any():
                values = pd.Series(values, dtype=object).where(~np.isnan(arr), None).tolist()
        elif col.dtype == "str" and hasattr(col.array, "__arrow_array__"):
            import pyarrow as pa

            values = pa.array(col.array).to_pylist()  # Python str / None in one C++ pass
        else:
            obj = col.astype(object)
            values = obj.where(col.notna(), None).tolist()
            if (isinstance(col.dtype, pd.api.extensions.ExtensionDtype) and col.dtype != "str") or any(
                    isinstance(v, np.generic) for v in values[:100]):
                values = [_plain(v) for v in values]
        cols.append(values)
    return cols


def _sqlite_timestamps(col: pd.Series) -> list[str | None]:
    """Timestamps as SQLAlchemy's SQLite DATETIME text (`2011-12-09 12:50:00.000000`), None for NaT —
    formatted by Arrow's C++ cast (numpy's datetime_as_string plus np.char.replace was 3x slower)."""
    import pyarrow as pa

    arr = pa.array(col.to_numpy(dtype="datetime64[us]"), type=pa.timestamp("us"),
                   mask=col.isna().to_numpy())
    values: list[str | None] = arr.cast(pa.string()).to_pylist()
    return values


def _plain(value: Any) -> Any:
    import numpy as np
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return int(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if value != value else float(value)
    return value
