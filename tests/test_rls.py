"""Row-level security on PostgreSQL: the second defence, tested by bypassing the Repository with raw SQL.

The app connects as a role that is neither superuser nor BYPASSRLS (`rls.create_app_role`; the shared
`pg_engine` fixture is such a role too); these tests compare it with the owner (superuser, `pg_owner_engine`),
which bypasses RLS, and open their own role's connections where they need one of their own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from ecomintel.accounts import login, users
from ecomintel.accounts.policy import AuthPolicy
from ecomintel.config import load_settings
from ecomintel.context import RequestContext
from ecomintel.db import models as m
from ecomintel.db import rls
from ecomintel.db.engine import make_engine
from ecomintel.db.repository import Repository
from ecomintel.ingest.pipeline import ingest_file
from ecomintel.retention import delete_tenant_data
from tests.conftest import SAMPLES, new_tenant_ctx

pytestmark = pytest.mark.postgres
SETTINGS = load_settings({})


@pytest.fixture(scope="module")
def app_engine(pg_owner_url: str) -> Iterator[sa.Engine]:
    """An engine on the test database as a fresh role that cannot bypass RLS."""
    role = f"ecomintel_app_{os.getpid()}"
    admin = make_engine(pg_owner_url)
    with admin.begin() as conn:
        rls.create_app_role(conn, role)
        conn.exec_driver_sql(f'GRANT CREATE ON SCHEMA public TO "{role}"')
    url = sa.make_url(pg_owner_url).set(username=role)
    engine = make_engine(url.render_as_string(hide_password=False))
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.exec_driver_sql(f'DROP OWNED BY "{role}"')
        conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{role}"')
    admin.dispose()


def test_every_tenant_table_has_a_forced_policy(pg_owner_engine: sa.Engine) -> None:
    with pg_owner_engine.connect() as conn:
        assert rls.tables_without_policy(conn) == []
        in_db = set(rls.tenant_tables(conn))
    in_models = {t.name for t in m.metadata.sorted_tables if "tenant_id" in t.c}
    assert in_models <= in_db, "a model's tenant table is missing from the database"
    assert {"sales", "users", "audit_log", "invitations", "reviews", "cache_entries"} <= in_db


def test_a_new_tenant_table_gets_its_policy_from_migrate(pg_owner_engine: sa.Engine) -> None:
    with pg_owner_engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE rls_probe (id serial primary key, tenant_id integer not null)")
    try:
        with pg_owner_engine.connect() as conn:
            assert rls.tables_without_policy(conn) == ["rls_probe"]
        with rls.system_engine(pg_owner_engine).begin() as conn:
            rls.apply_tenant_policies(conn)  # what migrate() runs after every upgrade
        with pg_owner_engine.connect() as conn:
            assert rls.tables_without_policy(conn) == []
    finally:
        with pg_owner_engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE rls_probe")


def test_the_app_role_cannot_bypass_and_the_superuser_can(pg_owner_engine: sa.Engine, app_engine: sa.Engine) -> None:
    with pg_owner_engine.connect() as conn:
        assert rls.bypasses_rls(conn)
    with app_engine.connect() as conn:
        assert not rls.bypasses_rls(conn)


def _tenant_with_sales(engine: sa.Engine) -> RequestContext:
    ctx = new_tenant_ctx(engine, "rls")
    result = ingest_file(Repository(engine, ctx), "sales", SAMPLES / "online_retail_small.csv", settings=SETTINGS)
    assert result.status == "done" and result.accepted > 0, result
    return ctx


def test_raw_sql_as_the_app_role_sees_only_the_transactions_tenant(app_engine: sa.Engine) -> None:
    a, b = _tenant_with_sales(app_engine), _tenant_with_sales(app_engine)  # the app works under RLS
    raw = "SELECT DISTINCT tenant_id FROM sales"
    with app_engine.connect() as conn:  # no tenant setting at all: nothing (fail closed)
        assert conn.exec_driver_sql(raw).all() == []
        assert conn.exec_driver_sql("SELECT count(*) FROM audit_log").scalar() == 0
    for ctx in (a, b):
        with rls.tenant_engine(app_engine, ctx.tenant_id).connect() as conn:
            # no WHERE clause: the database itself leaves only this tenant's rows
            assert [r[0] for r in conn.exec_driver_sql(raw)] == [ctx.tenant_id]
            for table in ("ingestion_batches", "sales", "audit_log", "users", "cache_entries"):
                ids = {r[0] for r in conn.exec_driver_sql(f"SELECT tenant_id FROM {table}")}
                assert ids <= {ctx.tenant_id}, table
    with pytest.raises(sa.exc.DBAPIError), rls.tenant_engine(app_engine, a.tenant_id).begin() as conn:
        conn.exec_driver_sql(  # writing a row for another tenant is refused (WITH CHECK)
            f"INSERT INTO preferences (tenant_id, key, value) VALUES ({b.tenant_id}, 'x', '1')")
    with rls.tenant_engine(app_engine, a.tenant_id).begin() as conn:  # nor can B's rows be changed or deleted
        assert conn.exec_driver_sql(f"DELETE FROM sales WHERE tenant_id = {b.tenant_id}").rowcount == 0
        assert conn.exec_driver_sql(f"UPDATE sales SET revenue = 0 WHERE tenant_id = {b.tenant_id}").rowcount == 0
    assert Repository(app_engine, b).overview()["sales_lines"] > 0


def test_sign_in_and_tenant_deletion_work_under_rls(app_engine: sa.Engine) -> None:
    ctx = RequestContext(tenant_id=_tenant_with_sales(app_engine).tenant_id, role="admin")
    other = _tenant_with_sales(app_engine)
    name = f"rls{os.getpid()}{ctx.tenant_id}"
    users.add_user(app_engine, ctx, name, "long enough secret", role="admin")
    assert login.attempt_login(app_engine, name, "long enough secret", AuthPolicy()).ok
    slug = app_engine.connect().execute(sa.select(m.tenants.c.slug).where(m.tenants.c.id == ctx.tenant_id)).scalar()
    deleted = delete_tenant_data(app_engine, ctx, str(slug), SETTINGS)
    assert deleted["sales"] > 0 and deleted["users"] == 1
    with rls.system_engine(app_engine).connect() as conn:
        for table in rls.tenant_tables(conn):
            assert conn.exec_driver_sql(f"SELECT count(*) FROM {table} WHERE tenant_id = {ctx.tenant_id}").scalar() == 0
        assert conn.exec_driver_sql(f"SELECT count(*) FROM sales WHERE tenant_id = {other.tenant_id}").scalar() > 0
