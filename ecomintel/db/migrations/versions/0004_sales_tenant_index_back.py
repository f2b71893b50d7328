"""sales: ix_sales_tenant_id back — it was not redundant on SQLite

Why: migration 0003 dropped ix_sales_tenant_id as "a prefix of the unique (tenant_id, line_key) index". For
lookups that is true, but for a scan of a whole tenant that no covering index serves (e.g. the tenant's
sales currency: `… WHERE tenant_id = ? AND currency IS NOT NULL LIMIT 1` on a file without a currency
column), SQLite then walked the unique index — rows in line_key (hash) order, i.e. random reads across the
table: 660 ms instead of 60 ms in rowid order on the 541,909-line tenant, paid by every question (ask bench
SQLite p50 197 → 690 ms, bench/results/ask_failures.md). A one-column index in (tenant_id, rowid) order
costs ~0.1 s of a first large load (rebuilt once, from already sorted keys), so it stays.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_sales_tenant_id', 'sales', ['tenant_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_sales_tenant_id', table_name='sales')
