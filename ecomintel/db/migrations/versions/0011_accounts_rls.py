"""accounts: users gain disabled / lockout / session columns; invitations; audit_log is append-only;
row-level security on every tenant table (PostgreSQL) (issue 12)

Why the users columns: a lockout (failed_logins, locked_until) and a logout that ends every session of the
user (sessions_valid_after: a re-authentication cookie issued before it is refused) are decided in the core
from the database, so they hold across browsers, app replicas and reloads.

Why RLS here: the Repository filters every statement by tenant; PostgreSQL policies enforce the same a second
time, from the per-transaction settings `app.tenant_id` / `app.tenant_scope` that ecomintel/db/rls.py sets.
This migration covers every table that has a tenant_id column when it runs (a frozen copy of the SQL, as
migrations must not import app code); `migrate()` runs `rls.apply_tenant_policies` after every upgrade, so a
tenant table added by a later migration is covered too.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


PREDICATE = ("current_setting('app.tenant_scope', true) = 'system' OR "
             "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::integer")


def _tenant_tables(bind: sa.Connection) -> list[str]:
    rows = bind.execute(sa.text(
        "SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t "
        "ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
        "WHERE c.column_name = 'tenant_id' AND c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' "
        "ORDER BY 1"))
    return [str(r[0]) for r in rows]


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('disabled', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch.add_column(sa.Column('locked_until', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('sessions_valid_after', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('password_changed_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('last_login_at', sa.DateTime(), nullable=True))
    op.create_table(
        'invitations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('note', sa.String(length=200), nullable=True),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.Column('used_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_invitations_tenant_id_tenants'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
        sa.UniqueConstraint('code_hash', name=op.f('uq_invitations_code_hash')),
    )
    op.create_index(op.f('ix_invitations_tenant_id'), 'invitations', ['tenant_id'])
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute(
            "CREATE OR REPLACE FUNCTION ecomintel_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN "
            "IF TG_OP = 'DELETE' AND current_setting('app.audit_delete', true) = 'on' THEN RETURN OLD; END IF; "
            "RAISE EXCEPTION 'audit_log is append-only'; "
            "END $$")
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
                   "FOR EACH ROW EXECUTE FUNCTION ecomintel_audit_append_only()")
        for table in _tenant_tables(bind):
            op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
            op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
            op.execute(f'DROP POLICY IF EXISTS tenant_isolation ON "{table}"')
            op.execute(f'CREATE POLICY tenant_isolation ON "{table}" USING ({PREDICATE}) WITH CHECK ({PREDICATE})')
    else:
        op.execute("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
                   "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        for table in _tenant_tables(bind):
            op.execute(f'DROP POLICY IF EXISTS tenant_isolation ON "{table}"')
            op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
            op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS ecomintel_audit_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    op.drop_index(op.f('ix_invitations_tenant_id'), table_name='invitations')
    op.drop_table('invitations')
    with op.batch_alter_table('users') as batch:
        for name in ('last_login_at', 'password_changed_at', 'sessions_valid_after', 'locked_until',
                     'failed_logins', 'disabled'):
            batch.drop_column(name)
