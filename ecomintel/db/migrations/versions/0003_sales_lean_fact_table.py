"""sales: a lean fact table for bulk loads — no foreign keys, no redundant indexes, 64-bit line keys

Why (issue 3's ingest targets, measured with bench/ingest.py on the 541,909-line Online Retail file):
- Foreign keys on sales.tenant_id and sales.batch_id: PostgreSQL checks each one per inserted row with a
  trigger (two extra lookups per line) and SQLite checks them per row as well. Tenant scoping is enforced
  by the Repository (every read and write filters by the context's tenant), batch ids are written by the
  pipeline from the batch it just created, and nothing in ecomintel deletes tenants or batches — whatever
  does so later must delete the tenant's sales explicitly (see models.py).
- (ix_sales_tenant_id came back in 0004: it gives SQLite rowid-ordered tenant scans.)
- ix_sales_tenant_id is a prefix of the unique (tenant_id, line_key) index; ix_sales_batch_id serves no
  query (lineage counts per batch are tenant-scoped and read the covering indexes, which end in batch_id).
  Both only cost time on every insert and every rebuild.
- The unique (tenant_id, line_key) constraint becomes a unique INDEX of the same name: same enforcement and
  the same ON CONFLICT target, but SQLite can drop and rebuild an index (not an inline constraint), so a
  tenant's first large load can build it once from sorted keys instead of updating it per row.
- line_key: md5 of the joined text (32 hex chars) → a vectorised 64-bit hash (16 hex chars,
  ecomintel.ingest.dedup.line_keys as of this revision, frozen below as `line_keys`). Stored lines are re-keyed here so that re-uploading a file loaded
  before this migration still finds its lines. Should two stored lines get the same new key (only for
  lines the old key told apart by -0.0 vs 0.0 unit price, or a 64-bit collision), the later one keeps its
  old key: nothing is deleted, nothing fails.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""
import numpy as np
import pandas as pd
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

UNIQUE = 'uq_sales_tenant_id_line_key'
REKEY_BATCH = 100_000


# -- frozen: the line key of revision 0003 ----------------------------------------------------------------
# A copy of ecomintel.ingest.dedup.line_keys (and its _hex16) as it was when this migration was written.
# Why a copy and not an import: a migration runs against databases of any age and must do exactly what it
# did the day it was written; importing live ingest code would make it change (or break) whenever that code
# does. tests/test_migrations.py checks that this copy still equals today's ingest function on sample rows,
# so that the day they differ is a conscious decision (a new migration re-keys stored lines) — never edit
# this copy to make that test pass.
def _hex16(hashed: np.ndarray) -> np.ndarray:
    """uint64 values → 16-char lower-case hex strings (object array), in one pass over the bytes."""
    text = np.ascontiguousarray(hashed, dtype=">u8").tobytes().hex().encode("ascii")
    return np.frombuffer(text, dtype="S16").astype("U16").astype(object)


def line_keys(frame: pd.DataFrame) -> pd.Series:
    """16-hex-char (64-bit) key of each sales line from (order_id, sku, quantity, unit_price, sold_at,
    customer_id): numbers hashed as float64 (-0.0 = 0.0), sold_at to the whole second, a missing customer = ''."""
    if frame.empty:
        return pd.Series([], index=frame.index, dtype=object)
    sold = frame["sold_at"].to_numpy(dtype="datetime64[s]").view("int64")  # floor to the second
    parts = pd.DataFrame({
        "order_id": frame["order_id"].astype("str"),
        "sku": frame["sku"].astype("str"),
        "quantity": frame["quantity"].to_numpy(dtype="float64") + 0.0,  # + 0.0 turns -0.0 into 0.0
        "unit_price": frame["unit_price"].to_numpy(dtype="float64") + 0.0,
        "sold_at": sold,
        # missing = '' on pandas 2 too (its astype(str) writes 'None'): the same keys the copy gave on pandas 3
        "customer_id": frame["customer_id"].astype(object).where(frame["customer_id"].notna(), "").astype("str"),
    }, index=frame.index)
    hashed = pd.util.hash_pandas_object(parts, index=False, categorize=True).to_numpy(dtype="uint64")
    return pd.Series(_hex16(hashed), index=frame.index, dtype=object)
# -- end of the frozen copy -----------------------------------------------------------------------------


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table('sales', schema=None) as batch_op:
        batch_op.drop_constraint('fk_sales_tenant_id_tenants', type_='foreignkey')
        batch_op.drop_constraint('fk_sales_batch_id_ingestion_batches', type_='foreignkey')
        batch_op.drop_constraint(UNIQUE, type_='unique')
        batch_op.drop_index('ix_sales_tenant_id')
        batch_op.drop_index('ix_sales_batch_id')
    _rekey_lines(bind)
    op.create_index(UNIQUE, 'sales', ['tenant_id', 'line_key'], unique=True)


def _rekey_lines(bind: sa.Connection) -> None:
    """Replace every stored md5 line key by the new 64-bit key (per tenant, in batches of ids)."""
    if not bind.execute(sa.text("SELECT 1 FROM sales LIMIT 1")).first():
        return
    bind.execute(sa.text("CREATE TEMPORARY TABLE sales_rekey (id BIGINT PRIMARY KEY, line_key VARCHAR(32) NOT NULL)"))
    tenants = [r[0] for r in bind.execute(sa.text("SELECT DISTINCT tenant_id FROM sales"))]
    cols = "id, line_key, order_id, sku, quantity, unit_price, sold_at, customer_id"
    for tenant in tenants:
        frame = pd.read_sql_query(sa.text(f"SELECT {cols} FROM sales WHERE tenant_id = :t ORDER BY id"),
                                  bind, params={"t": tenant})
        frame["sold_at"] = pd.to_datetime(frame["sold_at"])
        new = line_keys(frame)
        keep_old = new.duplicated(keep="first").to_numpy()
        new[keep_old] = frame.loc[keep_old, "line_key"].to_numpy()
        pairs = [{"i": int(i), "k": str(k)} for i, k in zip(frame["id"].tolist(), new.tolist(), strict=True)]
        for start in range(0, len(pairs), REKEY_BATCH):
            bind.execute(sa.text("INSERT INTO sales_rekey (id, line_key) VALUES (:i, :k)"),
                         pairs[start:start + REKEY_BATCH])
    bind.execute(sa.text("UPDATE sales SET line_key = r.line_key FROM sales_rekey r WHERE sales.id = r.id"))
    bind.execute(sa.text("DROP TABLE sales_rekey"))


def downgrade() -> None:
    """Restores the constraints and indexes; line keys stay in the new form (the md5 form is not
    recoverable without re-reading every line, and both forms are unique per tenant)."""
    op.drop_index(UNIQUE, table_name='sales')
    with op.batch_alter_table('sales', schema=None) as batch_op:
        batch_op.create_unique_constraint(UNIQUE, ['tenant_id', 'line_key'])
        batch_op.create_index('ix_sales_batch_id', ['batch_id'], unique=False)
        batch_op.create_index('ix_sales_tenant_id', ['tenant_id'], unique=False)
        batch_op.create_foreign_key('fk_sales_batch_id_ingestion_batches', 'ingestion_batches', ['batch_id'], ['id'],
                                    ondelete='SET NULL')
        batch_op.create_foreign_key('fk_sales_tenant_id_tenants', 'tenants', ['tenant_id'], ['id'],
                                    ondelete='CASCADE')
