"""review_scores: each review's sentiment under one model version (issue 9)

Why a table: scoring 23k reviews takes seconds, and the Sentiment page, the sentiment agent and every Ask
answer about reviews need the scores; they are computed once per (review, model version) — lazily on first
use and for the new rows after an upload — and read with SQL aggregates afterwards. `review_batch_id` is the
batch that last wrote the review when it was scored: a review re-uploaded with new text (same review_key,
new batch) no longer matches and is scored again. Rows go with their review (ON DELETE CASCADE).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'review_scores',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('review_batch_id', sa.Integer(), nullable=True),
        sa.Column('model_version', sa.String(length=100), nullable=False),
        sa.Column('label', sa.String(length=10), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=True),
        sa.Column('data_version', sa.Integer(), nullable=False),
        sa.Column('scored_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_review_scores_tenant_id_tenants'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], name=op.f('fk_review_scores_review_id_reviews'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_review_scores')),
    )
    op.create_index('uq_review_scores_tenant_id_model_version_review_id', 'review_scores',
                    ['tenant_id', 'model_version', 'review_id'], unique=True)
    op.create_index('ix_review_scores_review_id', 'review_scores', ['review_id'])


def downgrade() -> None:
    op.drop_index('ix_review_scores_review_id', table_name='review_scores')
    op.drop_index('uq_review_scores_tenant_id_model_version_review_id', table_name='review_scores')
    op.drop_table('review_scores')
