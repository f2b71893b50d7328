"""model_versions: the model registry (issue 9) — every trained or evaluated model version of a kind
(sentiment, forecast backtests, …) with its params, training-data fingerprint, held-out metrics, artifact
path and whether it is the active one.

Why a table (not a JSON file next to the artifacts): several app replicas and workers share one database, so
they agree on which version is active and see the same metrics; artifacts stay files under the install's data
directory (ECOMINTEL_DATA_DIR), never in the database or in git.
tenant_id is NULL for install-wide models (the sentiment model trained on the shipped reviews) and set for a
tenant's own versions (forecast backtests); row-level security covers the table like every tenant table, so
install-wide rows are read and written through the named system engine (ecomintel/db/model_store.py).
At most one active version per (kind, tenant): a partial unique index on (kind, coalesce(tenant_id, 0)).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""
import sqlalchemy as sa
import sqlalchemy.dialects.postgresql
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    json_type = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), 'postgresql')
    op.create_table(
        'model_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('version', sa.String(length=100), nullable=False),
        sa.Column('params', json_type, nullable=True),
        sa.Column('data_fingerprint', sa.String(length=64), nullable=True),
        sa.Column('metrics', json_type, nullable=True),
        sa.Column('artifact', sa.String(length=500), nullable=True),
        sa.Column('active', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('note', sa.String(length=300), nullable=True),
        sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_model_versions_tenant_id_tenants'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_model_versions')),
        sa.UniqueConstraint('version', name=op.f('uq_model_versions_version')),
    )
    op.create_index('ix_model_versions_kind_tenant_id', 'model_versions', ['kind', 'tenant_id'])
    op.create_index('uq_model_versions_one_active', 'model_versions',
                    ['kind', sa.text('coalesce(tenant_id, 0)')], unique=True,
                    sqlite_where=sa.text('active'), postgresql_where=sa.text('active'))


def downgrade() -> None:
    op.drop_index('uq_model_versions_one_active', table_name='model_versions')
    op.drop_index('ix_model_versions_kind_tenant_id', table_name='model_versions')
    op.drop_table('model_versions')
