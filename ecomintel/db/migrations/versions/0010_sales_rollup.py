"""sales_rollup: the sales lines pre-grouped by order and timestamp, for the questions that need no product

Why (issue 7, answer latency): most questions ask about orders, customers, countries and time (how many
customers, revenue by weekday, cohorts, a country's share) and none of those needs a line's product. Grouping
the lines by every field such a question can filter or split on — order, timestamp, country, channel,
marketplace, customer, batch — and by what decides a line's class (return flag, zero price, quantity sign)
keeps each group's lines of one class, so the same SQL over the groups gives exactly the same numbers over
~26k rows instead of ~536k. It is rebuilt from the sales table when the tenant's data_version moves
(`sales_rollup_state`), never written by ingest (ecomintel/db/sales_rollup.py).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sales_rollup',
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.String(length=64), nullable=False),
        sa.Column('sold_at', sa.DateTime(), nullable=False),
        sa.Column('country', sa.String(length=100), nullable=True),
        sa.Column('channel', sa.String(length=100), nullable=True),
        sa.Column('marketplace', sa.String(length=100), nullable=True),
        sa.Column('customer_id', sa.String(length=64), nullable=True),
        sa.Column('batch_id', sa.Integer(), nullable=True),
        sa.Column('is_return', sa.Boolean(), nullable=False),
        sa.Column('quantity', sa.Float(), nullable=False),
        sa.Column('revenue', sa.Float(), nullable=False),
        sa.Column('line_count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_sales_rollup_tenant_id_tenants'),
                                ondelete='CASCADE'),
    )
    op.create_index('ix_sales_rollup_tenant_sold_at', 'sales_rollup', ['tenant_id', 'sold_at'])
    op.create_table(
        'sales_rollup_state',
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('data_version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'],
                                name=op.f('fk_sales_rollup_state_tenant_id_tenants'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('tenant_id', name=op.f('pk_sales_rollup_state')),
    )


def downgrade() -> None:
    op.drop_table('sales_rollup_state')
    op.drop_index('ix_sales_rollup_tenant_sold_at', table_name='sales_rollup')
    op.drop_table('sales_rollup')
