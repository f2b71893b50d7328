"""per-tenant numbers for import batches, saved reports and sync runs (issue 12)

Why: these rows were shown to people by their global autoincrement id ("as batch 4812", "report #913",
"run 77"), from which a tenant could infer how busy the others are. Each table gains `number`: 1, 2, 3 … per
tenant, unique per (tenant_id, number), assigned by the repository at insert (ecomintel/db/tenant_numbers.py);
people see and type it, foreign keys keep the global id. Existing rows are numbered per tenant in id order
(the order they were created in). New columns need no row-level-security policy (the tables have one).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

TABLES = ('ingestion_batches', 'reports', 'sync_runs')


def _back_fill(table: str) -> None:
    """number = row_number() per tenant in id order (UPDATE … FROM: PostgreSQL, and SQLite since 3.33)."""
    op.execute(sa.text(
        f'UPDATE "{table}" SET number = numbered.n FROM '
        f'(SELECT id, ROW_NUMBER() OVER (PARTITION BY tenant_id ORDER BY id) AS n FROM "{table}") AS numbered '
        f'WHERE numbered.id = "{table}".id'))


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column('number', sa.Integer(), nullable=True))  # ALTER … ADD COLUMN, no table copy
        _back_fill(table)
        op.create_index(f'uq_{table}_tenant_id_number', table, ['tenant_id', 'number'], unique=True)


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f'uq_{table}_tenant_id_number', table_name=table)
        # ALTER … DROP COLUMN in place (SQLite 3.35+): a batch "move and copy" would DROP the old ingestion_batches
        # table, and with foreign keys on that cascades to rejected_rows and clears the rows' batch_id.
        op.execute(sa.text(f'ALTER TABLE "{table}" DROP COLUMN number'))
