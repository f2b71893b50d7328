"""cache_entries: answers (and the planner vocabulary) cached in the database when Redis is not configured

Why (issue 7): with the embedded default every `ecomintel ask` is a new process and the in-process cache
starts empty, so a repeated question was computed again, and an app restart forgot every answer. Rows are
keyed exactly as the Redis cache keys them — tenant, data_version, key (namespace + plan digest) — so an
entry can never cross tenants or outlive the data it was computed from; `expires_at` bounds its life like
Redis' TTL, and writers delete their tenant's expired and older-version rows (ecomintel/db/cache_entries.py).
`value` is Text (the JSON text as written), not JSON/JSONB: JSONB would reorder the report's keys.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'cache_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('data_version', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_cache_entries_tenant_id_tenants'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cache_entries')),
    )
    op.create_index('uq_cache_entries_tenant_id_data_version_key', 'cache_entries',
                    ['tenant_id', 'data_version', 'key'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_cache_entries_tenant_id_data_version_key', table_name='cache_entries')
    op.drop_table('cache_entries')
