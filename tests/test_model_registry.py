"""The model registry on SQLite and PostgreSQL: versions, activation, ranking, artifacts, tenant scope, RLS."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from ecomintel.db import rls
from ecomintel.db.engine import make_engine
from ecomintel.errors import InputError, NotFound
from ecomintel.models.registry import ModelRegistry, Ranking
from tests.conftest import new_tenant_ctx


@pytest.fixture
def registry(engine: sa.Engine, tmp_path: Path) -> ModelRegistry:
    return ModelRegistry(engine, tmp_path / "data")


def _kind() -> str:
    """A kind of its own per test (PostgreSQL tests share one database)."""
    return f"probe{os.getpid()}{next(_counter)}"


_counter = iter(range(10**9))


def test_register_list_activate(registry: ModelRegistry) -> None:
    kind = _kind()
    a = registry.register(kind, "alpha", params={"C": 4}, data_fingerprint="f" * 64,
                          metrics={"score": 0.7, "eval_fingerprint": "s1"})
    b = registry.register(kind, "beta", metrics={"score": 0.9, "eval_fingerprint": "s1"}, activate=True)
    assert [v.version for v in registry.versions(kind)] == [b.version, a.version]  # newest first
    assert a.params == {"C": 4} and a.data_fingerprint == "f" * 64 and a.created_at is not None
    assert registry.active(kind) is not None and registry.active(kind).version == b.version  # type: ignore[union-attr]
    registry.activate(kind, a.version)
    assert [v.active for v in registry.versions(kind)] == [False, True]  # exactly one active
    with pytest.raises(NotFound):
        registry.activate(kind, "no-such-version")
    assert registry.active(_kind()) is None


def test_ranking_compares_only_the_same_held_out_split(registry: ModelRegistry) -> None:
    kind = _kind()
    rank = Ranking("score", higher_is_better=True)
    registry.register(kind, "old-best", metrics={"score": 0.99, "eval_fingerprint": "old-split"})
    low = registry.register(kind, "low", metrics={"score": 0.6, "eval_fingerprint": "new-split"})
    high = registry.register(kind, "high", metrics={"score": 0.8, "eval_fingerprint": "new-split"})
    registry.register(kind, "no-metric", metrics={"eval_fingerprint": "new-split"})
    assert [v.version for v in registry.ranked(kind, ranking=rank)] == [high.version, low.version]
    assert registry.activate_best(kind, ranking=rank).version == high.version  # type: ignore[union-attr]
    errors = Ranking("score", higher_is_better=False)
    assert registry.ranked(kind, ranking=errors)[0].version == low.version
    with pytest.raises(InputError):
        registry.ranked(kind)  # no ranking defined for this kind


def test_artifacts_live_under_the_data_dir_and_are_hash_checked(registry: ModelRegistry) -> None:
    kind = _kind()
    mv = registry.register(kind, "obj", artifact={"weights": [1, 2, 3]}, files={"reference.json": "{}"})
    assert mv.artifact == f"models/{kind}/{mv.version}"
    assert registry.load_artifact(mv.version) == {"weights": [1, 2, 3]}
    assert registry.artifact_file(mv.version, "reference.json") is not None
    path = registry.data_dir / mv.artifact / "model.joblib"
    path.write_bytes(path.read_bytes() + b"tampered")
    with pytest.raises(InputError, match="checksum"):
        registry.load_artifact(mv.version)
    path.unlink()
    with pytest.raises(NotFound):
        registry.load_artifact(mv.version)


def test_tenant_versions_are_seen_only_by_their_tenant(registry: ModelRegistry, engine: sa.Engine) -> None:
    kind = _kind()
    t1, t2 = new_tenant_ctx(engine).tenant_id, new_tenant_ctx(engine).tenant_id
    wide = registry.register(kind, "install-wide", metrics={"wape": 0.3}, activate=True)
    mine = registry.register(kind, "backtest", metrics={"wape": 0.2}, tenant_id=t1, activate=True)
    assert [v.version for v in registry.versions(kind, tenant_id=t1)] == [mine.version]
    assert registry.versions(kind, tenant_id=t2) == []
    assert [v.version for v in registry.versions(kind)] == [wide.version]
    assert registry.active(kind).version == wide.version  # type: ignore[union-attr]
    assert registry.active(kind, tenant_id=t1).version == mine.version  # type: ignore[union-attr]
    with pytest.raises(NotFound):
        registry.get(mine.version, tenant_id=t2)
    with pytest.raises(NotFound):
        registry.activate(kind, mine.version, tenant_id=t2)


def test_params_must_be_json(registry: ModelRegistry) -> None:
    with pytest.raises(InputError):
        registry.register(_kind(), "bad", params={"y": object()})
    with pytest.raises(InputError):
        registry.register(_kind(), "nan", metrics={"score": float("nan")})


@pytest.fixture(scope="module")
def app_engine(pg_owner_url: str) -> Iterator[sa.Engine]:
    """An engine as a role that cannot bypass row-level security (what a deployment uses)."""
    role = f"ecomintel_models_{os.getpid()}"
    admin = make_engine(pg_owner_url)
    with admin.begin() as conn:
        rls.create_app_role(conn, role)
    engine = make_engine(sa.make_url(pg_owner_url).set(username=role).render_as_string(hide_password=False))
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.exec_driver_sql(f'DROP OWNED BY "{role}"')
        conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{role}"')
    admin.dispose()


@pytest.mark.postgres
def test_registry_works_under_row_level_security(app_engine: sa.Engine, pg_engine: sa.Engine,
                                                 tmp_path: Path) -> None:
    registry = ModelRegistry(app_engine, tmp_path)
    kind = _kind()
    t1, t2 = new_tenant_ctx(pg_engine).tenant_id, new_tenant_ctx(pg_engine).tenant_id
    wide = registry.register(kind, "wide", metrics={"wape": 0.1}, activate=True)
    mine = registry.register(kind, "mine", metrics={"wape": 0.1}, tenant_id=t1, activate=True)
    assert registry.active(kind).version == wide.version  # type: ignore[union-attr]
    assert [v.version for v in registry.versions(kind, tenant_id=t1)] == [mine.version]
    assert registry.versions(kind, tenant_id=t2) == []
    with rls.tenant_engine(app_engine, t2).connect() as conn:  # raw SQL as tenant 2: RLS hides the rest
        rows = conn.execute(sa.text("SELECT count(*) FROM model_versions WHERE kind = :k"), {"k": kind}).scalar()
    assert rows == 0
