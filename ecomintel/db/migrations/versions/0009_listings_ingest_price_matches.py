"""listings ingest (title, brand, category, list_price; one row per marketplace+seller+sku), price_history
observation keys, and price_matches (issue 8)

Why: the `listings` upload kind stores every observation in price_history (deduplicated by `obs_key`, a
hash of marketplace, seller, sku, time and price — rows written by the price tracker leave it NULL and
never conflict) and the latest observation per marketplace+seller+sku in listings (a unique index, so an
upload upserts). Promotions need the list price and the title; matching needs title and brand.
`price_matches` holds the matcher's pairs between our SKUs and competitor listings per tenant, with the
analyst's decision (confirmed/rejected), which a re-run of the matcher never overwrites.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('listings') as batch:
        batch.add_column(sa.Column('title', sa.Text(), nullable=True))
        batch.add_column(sa.Column('brand', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('category', sa.String(length=500), nullable=True))
        batch.add_column(sa.Column('list_price', sa.Float(), nullable=True))
        batch.create_index('uq_listings_tenant_id_marketplace_seller_sku',
                           ['tenant_id', 'marketplace', 'seller', 'sku'], unique=True)
    with op.batch_alter_table('price_history') as batch:
        batch.add_column(sa.Column('list_price', sa.Float(), nullable=True))
        batch.add_column(sa.Column('obs_key', sa.String(length=32), nullable=True))
        batch.create_index('uq_price_history_tenant_id_obs_key', ['tenant_id', 'obs_key'], unique=True)
    op.create_table(
        'price_matches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('our_sku', sa.String(length=100), nullable=False),
        sa.Column('marketplace', sa.String(length=100), nullable=False),
        sa.Column('seller', sa.String(length=200), nullable=False, server_default=''),
        sa.Column('sku', sa.String(length=100), nullable=False),
        sa.Column('score', sa.Float(), nullable=True),
        sa.Column('method', sa.String(length=40), nullable=True),
        sa.Column('relation', sa.String(length=20), nullable=False, server_default='same'),
        sa.Column('decision', sa.String(length=20), nullable=True),
        sa.Column('decided_by', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('matched_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_price_matches_tenant_id_tenants'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_price_matches')),
    )
    op.create_index('uq_price_matches_tenant_id_our_sku_marketplace_seller_sku', 'price_matches',
                    ['tenant_id', 'our_sku', 'marketplace', 'seller', 'sku'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_price_matches_tenant_id_our_sku_marketplace_seller_sku', table_name='price_matches')
    op.drop_table('price_matches')
    with op.batch_alter_table('price_history') as batch:
        batch.drop_index('uq_price_history_tenant_id_obs_key')
        batch.drop_column('obs_key')
        batch.drop_column('list_price')
    with op.batch_alter_table('listings') as batch:
        batch.drop_index('uq_listings_tenant_id_marketplace_seller_sku')
        batch.drop_column('list_price')
        batch.drop_column('category')
        batch.drop_column('brand')
        batch.drop_column('title')
