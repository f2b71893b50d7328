"""Repository basics on SQLite and PostgreSQL: scoping, data_version, batches, reports, preferences."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ecomintel.context import RequestContext
from ecomintel.db.repository import Repository
from ecomintel.db.tenants import authenticate, create_user, ensure_tenant
from ecomintel.errors import Forbidden, InputError, NotFound
from tests.conftest import new_tenant_ctx


def test_data_version_bumps(repo: Repository) -> None:
    before = repo.data_version()
    assert repo.bump_data_version() == before + 1


def test_batches_are_scoped(engine: sa.Engine) -> None:
    a = Repository(engine, new_tenant_ctx(engine, "a"))
    b = Repository(engine, new_tenant_ctx(engine, "b"))
    batch = a.create_batch(file_name="x.csv", sha256="0" * 64, kind="sales")
    a.add_rejected(batch, [{"row_number": 3, "raw": {"Quantity": "x"}, "reasons": "quantity: not a number"}])
    assert a.get_batch(batch)["file_name"] == "x.csv"
    with pytest.raises(NotFound):
        b.get_batch(batch)
    assert b.rejected(batch).empty
    rejected = a.rejected(batch)
    assert list(rejected["reasons"]) == ["quantity: not a number"]
    assert list(rejected["Quantity"]) == ["x"]


def test_viewer_cannot_write(engine: sa.Engine) -> None:
    viewer = Repository(engine, new_tenant_ctx(engine, "v", role="viewer"))
    with pytest.raises(Forbidden):
        viewer.create_batch(file_name="x.csv", sha256="1" * 64, kind="sales")


def test_reports_and_preferences(repo: Repository) -> None:
    rid = repo.save_report(question="q?", mode="quick", intent="top_products", plan={"a": 1},
                           report={"summary": "s"}, confidence=0.8, data_version=1, elapsed_ms=12)
    assert repo.get_report(rid)["report"] == {"summary": "s"}
    assert repo.list_reports()[0]["question"] == "q?"
    repo.set_preference("margin_floor", 0.2)
    repo.set_preference("margin_floor", 0.25)
    assert repo.get_preference("margin_floor") == 0.25


def test_users_are_bcrypt_hashed(engine: sa.Engine) -> None:
    tenant = ensure_tenant(engine, f"users-{id(engine)}")
    name = f"ann-{tenant.id}"
    create_user(engine, tenant.id, name, "correct horse", role="admin")
    assert authenticate(engine, name, "correct horse") is not None
    assert authenticate(engine, name, "wrong password") is None
    with pytest.raises(InputError):
        create_user(engine, tenant.id, name, "another password")


def test_context_validates() -> None:
    with pytest.raises(ValueError):
        RequestContext(tenant_id=0)
    with pytest.raises(ValueError):
        RequestContext(tenant_id=1, role="root")
