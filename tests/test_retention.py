"""Retention: the purge keeps what the policy keeps; "delete all our data" leaves nothing of the tenant in any
table (every table with a tenant_id, from the models and from the database), and nothing of anyone else goes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from ecomintel import audit
from ecomintel.accounts import invites, users
from ecomintel.accounts.policy import AuthPolicy
from ecomintel.config import load_settings
from ecomintel.context import RequestContext
from ecomintel.db import models as m
from ecomintel.db import rls
from ecomintel.db.repository import Repository
from ecomintel.db.scoped import utcnow
from ecomintel.db.tenants import get_tenant_by_id, list_tenants
from ecomintel.errors import InputError, NotFound
from ecomintel.ingest.pipeline import ingest_file
from ecomintel.preferences import save_preferences
from ecomintel.retention import (
    delete_tenant_data,
    get_policy,
    purge,
    set_policy,
    tables_with_tenant,
    tenant_dir,
)
from tests.conftest import SAMPLES, new_tenant_ctx


def _loaded(engine: sa.Engine, settings) -> RequestContext:
    ctx = new_tenant_ctx(engine, "ret", role="admin")
    repo = Repository(engine, ctx)
    for kind, name in (("sales", "online_retail_small.csv"), ("reviews", "clothing_reviews_3000.csv")):
        path = SAMPLES / name
        if path.exists():
            assert ingest_file(repo, kind, path, settings=settings).status == "done"
    repo.save_report(question="top products", mode="quick", intent="ranking", plan={}, report={}, confidence=0.9,
                     data_version=repo.data_version(), elapsed_ms=5)
    save_preferences(repo, ctx, {"home_kpis": ["revenue", "orders"]})
    users.add_user(engine, ctx, f"u{ctx.tenant_id}x{id(repo) % 1000}", "long enough secret", role="admin")
    invites.create_invite(engine, ctx, "viewer", AuthPolicy())
    audit.record(engine, ctx, "settings_changed", what="test")
    return ctx


def _counts(engine: sa.Engine, tenant_id: int) -> dict[str, int]:
    with rls.system_engine(engine).connect() as conn:
        return {t: int(conn.exec_driver_sql(f'SELECT count(*) FROM "{t}" WHERE tenant_id = {tenant_id}').scalar() or 0)
                for t in tables_with_tenant(engine)}


def test_delete_all_our_data_leaves_nothing_in_any_table(engine: sa.Engine, tmp_path: Path) -> None:
    settings = load_settings({"ECOMINTEL_DATA_DIR": str(tmp_path)})
    a, b = _loaded(engine, settings), _loaded(engine, settings)
    files = tenant_dir(settings, a.tenant_id)
    files.mkdir(parents=True)
    (files / "model.bin").write_bytes(b"artifact")
    before_a, before_b = _counts(engine, a.tenant_id), _counts(engine, b.tenant_id)
    assert before_a["sales"] > 0 and before_a["audit_log"] > 0 and before_a["users"] == 1
    # every model table with a tenant_id is in the scan
    assert {t.name for t in m.metadata.sorted_tables if "tenant_id" in t.c} <= set(before_a)
    slug = get_tenant_by_id(engine, a.tenant_id).slug
    with pytest.raises(InputError, match="confirmation"):
        delete_tenant_data(engine, a, "not-the-name", settings)
    deleted = delete_tenant_data(engine, a, slug, settings)
    assert deleted["sales"] == before_a["sales"]
    assert all(v == 0 for v in _counts(engine, a.tenant_id).values()), _counts(engine, a.tenant_id)
    assert _counts(engine, b.tenant_id) == before_b  # nothing of another tenant
    assert not files.exists()
    assert slug not in [t.slug for t in list_tenants(engine)]
    if engine.dialect.name == "postgresql":
        with pytest.raises(NotFound):
            get_tenant_by_id(engine, a.tenant_id)
    else:  # SQLite keeps an empty tombstone so the id is never handed out again
        tomb = get_tenant_by_id(engine, a.tenant_id)
        assert tomb.name == "" and tomb.slug.startswith("deleted~")


def test_purge_applies_the_tenants_policy(engine: sa.Engine) -> None:
    settings = load_settings({})
    ctx = _loaded(engine, settings)
    repo = Repository(engine, ctx)
    assert get_policy(repo).reviews_months == 24
    with pytest.raises(InputError):
        set_policy(repo, ctx, {"reviews_months": -1})
    with pytest.raises(InputError):
        set_policy(repo, ctx, {"'; DROP TABLE reviews;--": 1})
    set_policy(repo, ctx, {"reviews_months": 1, "query_history_months": 1})
    reviews_before = _counts(engine, ctx.tenant_id)["reviews"]
    version = repo.data_version()
    # "now" a year after the data: old reviews and the query history go; sales (0 = keep) stay
    deleted = purge(repo, ctx, now=utcnow() + timedelta(days=400))
    counts = _counts(engine, ctx.tenant_id)
    assert counts["reports"] == 0 and counts["sales"] > 0
    if reviews_before:
        assert deleted.get("reviews", 0) > 0 and repo.data_version() > version
    assert "retention_purge" in [e["action"] for e in audit.entries(engine, ctx)]
    # a purge at today's date keeps the recent audit entries
    assert purge(repo, ctx) == {}


def test_deleting_a_tenant_removes_its_model_artifacts_only(engine: sa.Engine, tmp_path: Path) -> None:
    from ecomintel.models.registry import ModelRegistry

    settings = load_settings({"ECOMINTEL_DATA_DIR": str(tmp_path)})
    a, b = (RequestContext(tenant_id=new_tenant_ctx(engine, "art").tenant_id, role="admin") for _ in range(2))
    registry = ModelRegistry(engine, tmp_path)
    mine = registry.register("forecast", "backtest", artifact={"w": 1}, tenant_id=a.tenant_id)
    theirs = registry.register("forecast", "backtest", artifact={"w": 2}, tenant_id=b.tenant_id)
    assert mine.artifact and theirs.artifact
    assert (tmp_path / mine.artifact).is_dir() and (tmp_path / theirs.artifact).is_dir()
    delete_tenant_data(engine, a, get_tenant_by_id(engine, a.tenant_id).slug, settings)
    assert not (tmp_path / mine.artifact).exists()
    assert (tmp_path / theirs.artifact).is_dir()
    assert registry.load_artifact(theirs.version, tenant_id=b.tenant_id) == {"w": 2}


def test_the_purge_job_applies_every_tenants_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ecomintel.db.engine import make_engine, migrate
    from ecomintel.retention import run_purge_job

    url = f"sqlite:///{tmp_path / 'purge.db'}"
    monkeypatch.setenv("ECOMINTEL_DATABASE_URL", url)
    engine = make_engine(url)
    migrate(engine)
    ctx = new_tenant_ctx(engine, "job", role="admin")
    repo = Repository(engine, ctx)
    repo.save_report(question="q", mode="quick", intent=None, plan={}, report={}, confidence=None,
                     data_version=0, elapsed_ms=1)
    set_policy(repo, ctx, {"query_history_months": 1})
    with engine.begin() as conn:  # an old question: 90 days ago
        conn.execute(sa.update(m.reports).where(m.reports.c.tenant_id == ctx.tenant_id)
                     .values(created_at=utcnow() - timedelta(days=90)))
    slug = get_tenant_by_id(engine, ctx.tenant_id).slug
    assert run_purge_job()[slug] == {"reports": 1}
    assert repo.list_reports() == []
    engine.dispose()
