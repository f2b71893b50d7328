"""forecast_runs, forecast_series, forecast_values: stored demand forecasts (issue 10)

Why stored: a whole-catalogue fit backtests several models on every product (seconds to minutes); the Forecast
page and Ask answers read the stored forecasts instead of refitting. A run records the data_version it was
fitted on: when an upload bumps the tenant's data_version the run is stale (readers compare the two and
refit or say so), and nothing has to be deleted for that to hold.
forecast_series: per series of a run (a SKU, or an aggregate like "total"), the model chosen by the backtest,
its weights, and the backtest errors of the choice and of the baselines. forecast_values: one row per series
and day of the horizon (point = the median-like forecast, mean, 80% and 95% intervals). Rows go with their
run (ON DELETE CASCADE); `ecomintel/db/forecast_store.py` keeps the newest runs per scope.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""
import sqlalchemy as sa
import sqlalchemy.dialects.postgresql
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    json_type = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), 'postgresql')
    op.create_table(
        'forecast_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=200), nullable=False),
        sa.Column('data_version', sa.Integer(), nullable=False),
        sa.Column('grain', sa.String(length=10), nullable=False, server_default='day'),
        sa.Column('horizon_days', sa.Integer(), nullable=False),
        sa.Column('cutoff', sa.Date(), nullable=False),
        sa.Column('series_count', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('candidates', json_type, nullable=True),
        sa.Column('metrics', json_type, nullable=True),
        sa.Column('calendar', sa.String(length=300), nullable=True),
        sa.Column('model_version', sa.String(length=100), nullable=True),
        sa.Column('elapsed_ms', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_forecast_runs_tenant_id_tenants'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_forecast_runs')),
    )
    op.create_index('ix_forecast_runs_tenant_id_scope', 'forecast_runs', ['tenant_id', 'scope', 'id'])
    op.create_table(
        'forecast_series',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=False),
        sa.Column('series', sa.String(length=200), nullable=False),
        sa.Column('model', sa.String(length=300), nullable=False),
        sa.Column('weights', json_type, nullable=True),
        sa.Column('backtest_mae', sa.Float(), nullable=True),
        sa.Column('backtest_mase', sa.Float(), nullable=True),
        sa.Column('baseline_mae', json_type, nullable=True),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_forecast_series_tenant_id_tenants'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['run_id'], ['forecast_runs.id'], name=op.f('fk_forecast_series_run_id_forecast_runs'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_forecast_series')),
    )
    op.create_index('ix_forecast_series_run_id_series', 'forecast_series', ['run_id', 'series'])
    op.create_table(
        'forecast_values',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=False),
        sa.Column('series', sa.String(length=200), nullable=False),
        sa.Column('ds', sa.Date(), nullable=False),
        sa.Column('yhat', sa.Float(), nullable=False),
        sa.Column('mean', sa.Float(), nullable=False),
        sa.Column('lo80', sa.Float(), nullable=False),
        sa.Column('hi80', sa.Float(), nullable=False),
        sa.Column('lo95', sa.Float(), nullable=False),
        sa.Column('hi95', sa.Float(), nullable=False),
        sa.Column('is_open', sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_forecast_values_tenant_id_tenants'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['run_id'], ['forecast_runs.id'], name=op.f('fk_forecast_values_run_id_forecast_runs'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_forecast_values')),
    )
    op.create_index('ix_forecast_values_run_id_series_ds', 'forecast_values', ['run_id', 'series', 'ds'])


def downgrade() -> None:
    op.drop_index('ix_forecast_values_run_id_series_ds', table_name='forecast_values')
    op.drop_table('forecast_values')
    op.drop_index('ix_forecast_series_run_id_series', table_name='forecast_series')
    op.drop_table('forecast_series')
    op.drop_index('ix_forecast_runs_tenant_id_scope', table_name='forecast_runs')
    op.drop_table('forecast_runs')
