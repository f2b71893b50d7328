"""Row-level security on PostgreSQL: the second defence of tenant isolation.

Why a second defence: the Repository filters every statement by `ctx.tenant_id`; one forgotten WHERE in a new
query would still leak. With RLS, PostgreSQL itself hides every row whose tenant_id differs from the
transaction's `app.tenant_id`, whatever SQL runs. The Repository's engine carries the tenant as an execution
option (`tenant_engine`), and a `begin` listener turns it into `set_config('app.tenant_id', …, true)` at the
start of every transaction (`true` = local: it ends with the transaction, so a pooled connection never
carries one tenant's id into another's request). A connection without the setting sees no tenant rows at all
(fail closed). Work that is legitimately cross-tenant (sign-in by user name, the scheduler, migrations,
deleting a tenant) asks for it by name with `system_engine`, which is greppable.

RLS only binds roles that cannot bypass it: not a superuser, not BYPASSRLS. Tables are FORCEd, so even their
owner is bound (the app role may own the schema and run migrations). `create_app_role` makes such a role;
README "Accounts and roles" says how a deployment uses it. SQLite has no RLS: there the Repository is the
only defence, which is why the property tests run on both.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

TENANT_OPTION = "ecomintel_tenant"
SYSTEM = "system"
POLICY = "tenant_isolation"
_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_PREDICATE = ("current_setting('app.tenant_scope', true) = 'system' OR "
              "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::integer")


def tenant_engine(engine: sa.Engine, tenant_id: int) -> sa.Engine:
    """`engine` whose transactions run with app.tenant_id = tenant_id (shares the pool)."""
    return engine.execution_options(**{TENANT_OPTION: int(tenant_id)})


def system_engine(engine: sa.Engine) -> sa.Engine:
    """`engine` whose transactions may see every tenant's rows: only for cross-tenant work named as such."""
    return engine.execution_options(**{TENANT_OPTION: SYSTEM})


def _on_begin(conn: sa.Connection) -> None:
    scope = conn.get_execution_options().get(TENANT_OPTION)
    if scope is None:
        return
    cur: Any = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        if scope == SYSTEM:
            cur.execute("SELECT set_config('app.tenant_scope', 'system', true), set_config('app.tenant_id', '', true)")
        else:
            cur.execute("SELECT set_config('app.tenant_scope', '', true), set_config('app.tenant_id', %s, true)",
                        (str(int(scope)),))
    finally:
        cur.close()


def install(engine: sa.Engine) -> None:
    """Make `engine` (PostgreSQL) set the tenant settings at the start of every transaction."""
    if engine.dialect.name == "postgresql" and not sa.event.contains(engine, "begin", _on_begin):
        sa.event.listen(engine, "begin", _on_begin)


def tenant_tables(conn: sa.Connection) -> list[str]:
    """Every table of the current schema with a tenant_id column (what the database has, not what models say)."""
    rows = conn.execute(sa.text(
        "SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t "
        "ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
        "WHERE c.column_name = 'tenant_id' AND c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' "
        "ORDER BY 1"))
    return [str(r[0]) for r in rows]


def _ident(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"unexpected identifier {name!r}")
    return f'"{name}"'


def apply_tenant_policies(conn: sa.Connection) -> list[str]:
    """Enable + force RLS with the tenant policy on every tenant table (idempotent). Returns the tables."""
    tables = tenant_tables(conn)
    for table in tables:
        t = _ident(table)
        conn.exec_driver_sql(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY")
        conn.exec_driver_sql(f"ALTER TABLE {t} FORCE ROW LEVEL SECURITY")
        conn.exec_driver_sql(f"DROP POLICY IF EXISTS {POLICY} ON {t}")
        conn.exec_driver_sql(f"CREATE POLICY {POLICY} ON {t} USING ({_PREDICATE}) WITH CHECK ({_PREDICATE})")
    return tables


def drop_tenant_policies(conn: sa.Connection) -> None:
    for table in tenant_tables(conn):
        t = _ident(table)
        conn.exec_driver_sql(f"DROP POLICY IF EXISTS {POLICY} ON {t}")
        conn.exec_driver_sql(f"ALTER TABLE {t} NO FORCE ROW LEVEL SECURITY")
        conn.exec_driver_sql(f"ALTER TABLE {t} DISABLE ROW LEVEL SECURITY")


def tables_without_policy(conn: sa.Connection) -> list[str]:
    """Tenant tables lacking forced RLS or the tenant policy (a test keeps this empty)."""
    rows = conn.execute(sa.text(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relrowsecurity AND c.relforcerowsecurity "
        "AND EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = n.nspname AND p.tablename = c.relname "
        "AND p.policyname = :policy)"), {"policy": POLICY})
    covered = {str(r[0]) for r in rows}
    return [t for t in tenant_tables(conn) if t not in covered]


def install_audit_guard(conn: sa.Connection) -> None:
    """audit_log is append-only: UPDATE always fails; DELETE only inside a tenant deletion or retention purge
    (which set app.audit_delete locally in their transaction)."""
    conn.exec_driver_sql(
        "CREATE OR REPLACE FUNCTION ecomintel_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        "IF TG_OP = 'DELETE' AND current_setting('app.audit_delete', true) = 'on' THEN RETURN OLD; END IF; "
        "RAISE EXCEPTION 'audit_log is append-only'; "
        "END $$")
    conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
    conn.exec_driver_sql("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
                         "FOR EACH ROW EXECUTE FUNCTION ecomintel_audit_append_only()")


def allow_audit_delete(conn: sa.Connection) -> None:
    """Inside a tenant deletion / retention purge transaction: let the audit guard pass deletes."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT set_config('app.audit_delete', 'on', true)")


def create_app_role(conn: sa.Connection, name: str, password: str | None = None) -> None:
    """A login role that cannot bypass RLS (no superuser, no BYPASSRLS), with rights on the current schema's
    tables and sequences (now and for tables created later by the migration owner running this)."""
    role = _ident(name)
    exists = conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first()
    verb = "ALTER" if exists else "CREATE"
    pw = ""
    if password is not None:
        quoted = conn.execute(sa.text("SELECT quote_literal(:p)"), {"p": password}).scalar()
        pw = f" PASSWORD {quoted}"
    conn.exec_driver_sql(f"{verb} ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE{pw}")
    conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {role}")
    conn.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
    conn.exec_driver_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    conn.exec_driver_sql(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE "
                         f"ON TABLES TO {role}")
    conn.exec_driver_sql(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}")


def bypasses_rls(conn: sa.Connection) -> bool:
    """True when the connected role ignores RLS (superuser or BYPASSRLS): `ecomintel health` can warn."""
    row = conn.execute(sa.text("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")).first()
    return bool(row and row[0])


def copy_needs_staging(conn: sa.Connection) -> bool:
    """True on PostgreSQL when the connected role is bound by RLS: COPY FROM into an RLS table is refused
    there, so bulk loads stage first (ecomintel/db/bulk_load.py). Asked once per pooled connection."""
    if conn.dialect.name != "postgresql":
        return False
    info = conn.connection.info
    if "ecomintel_rls_bound" not in info:
        info["ecomintel_rls_bound"] = not bypasses_rls(conn)
    return bool(info["ecomintel_rls_bound"])


def owns_table(conn: sa.Connection, table: str) -> bool:
    """True when the connected role may run owner-only commands on `table` (DROP/CREATE INDEX, VACUUM):
    it owns it or is a member of its owner. A role made by `create_app_role` next to a separate owner has
    read/write rights only, so such maintenance is skipped (autovacuum still analyzes) instead of failing."""
    if conn.dialect.name != "postgresql":
        return True
    return bool(conn.execute(sa.text(
        "SELECT pg_has_role(current_user, c.relowner, 'USAGE') FROM pg_class c "
        "WHERE c.oid = CAST(:t AS regclass)"), {"t": table}).scalar())
