"""sync_sources, sync_runs, sync_page_state: scheduled syncs (issue 13)

Why three tables: a *source* is what an analyst configures (connector name, non-secret options, a
reference to where its secret lives — `env:NAME` or `file:NAME` — never the secret itself, and a schedule);
a *run* is one execution of it (started, finished, rows, pages, errors — the Data Quality page lists them);
*page state* is what the price tracker remembers per URL between runs (ETag / Last-Modified for
conditional requests, and the last price it saw).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""
import sqlalchemy as sa
import sqlalchemy.dialects.postgresql  # (registers sa.dialects.postgresql for JSONB below)
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        'sync_sources',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('connector', sa.String(length=40), nullable=False),
        sa.Column('options', JSONType, nullable=True),
        sa.Column('secret_ref', sa.String(length=200), nullable=True),
        sa.Column('schedule', sa.String(length=100), nullable=True),
        sa.Column('enabled', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_sync_sources_tenant_id_tenants'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_sources')),
        sa.UniqueConstraint('tenant_id', 'name', name=op.f('uq_sync_sources_tenant_id_name')),
    )
    op.create_index('ix_sync_sources_tenant_id', 'sync_sources', ['tenant_id'])
    op.create_table(
        'sync_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('source_id', sa.Integer(), nullable=True),
        sa.Column('source_name', sa.String(length=100), nullable=False),
        sa.Column('connector', sa.String(length=40), nullable=False),
        sa.Column('trigger', sa.String(length=20), server_default='manual', nullable=False),
        sa.Column('status', sa.String(length=20), server_default='running', nullable=False),
        sa.Column('started_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('rows', sa.Integer(), server_default='0', nullable=False),
        sa.Column('pages_ok', sa.Integer(), server_default='0', nullable=False),
        sa.Column('pages_failed', sa.Integer(), server_default='0', nullable=False),
        sa.Column('errors', JSONType, nullable=True),
        sa.Column('batch_ids', JSONType, nullable=True),
        sa.Column('message', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_sync_runs_tenant_id_tenants'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['source_id'], ['sync_sources.id'],
                                name=op.f('fk_sync_runs_source_id_sync_sources'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_runs')),
    )
    op.create_index('ix_sync_runs_tenant_id_started_at', 'sync_runs', ['tenant_id', 'started_at'])
    op.create_table(
        'sync_page_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('url', sa.Text(), nullable=False),
        sa.Column('url_hash', sa.String(length=64), nullable=False),
        sa.Column('etag', sa.String(length=300), nullable=True),
        sa.Column('last_modified', sa.String(length=100), nullable=True),
        sa.Column('price', sa.Float(), nullable=True),
        sa.Column('currency', sa.String(length=3), nullable=True),
        sa.Column('availability', sa.String(length=40), nullable=True),
        sa.Column('checked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_sync_page_state_tenant_id_tenants'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_page_state')),
    )
    op.create_index('uq_sync_page_state_tenant_id_url_hash', 'sync_page_state', ['tenant_id', 'url_hash'],
                    unique=True)


def downgrade() -> None:
    op.drop_index('uq_sync_page_state_tenant_id_url_hash', table_name='sync_page_state')
    op.drop_table('sync_page_state')
    op.drop_index('ix_sync_runs_tenant_id_started_at', table_name='sync_runs')
    op.drop_table('sync_runs')
    op.drop_index('ix_sync_sources_tenant_id', table_name='sync_sources')
    op.drop_table('sync_sources')
