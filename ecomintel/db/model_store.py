"""ModelStore: the SQL of the model registry (table `model_versions`, migration 0012).

Why its own module and not a Repository mixin: most registry rows are install-wide (tenant_id NULL — the
sentiment model trained on the shipped reviews serves every tenant), and a tenant-scoped Repository cannot see
them. So this store takes a plain engine and picks the scope per call, by name:
- install-wide rows (`tenant_id=None`) go through `rls.system_engine` and every statement says
  `tenant_id IS NULL`;
- a tenant's rows (`tenant_id=T`, e.g. forecast backtests) go through `rls.tenant_engine(engine, T)` and every
  statement says `tenant_id = T`, so row-level security (PostgreSQL) and the WHERE both hold it to that tenant.
Nothing here ever reads two tenants' rows at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from ecomintel.db import models as m
from ecomintel.db import rls


class ModelStore:
    """Reads and writes of `model_versions` rows, one scope (install-wide or one tenant) per call."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def _scoped(self, tenant_id: int | None) -> tuple[sa.Engine, Any]:
        t = m.model_versions
        if tenant_id is None:
            return rls.system_engine(self.engine), t.c.tenant_id.is_(None)
        return rls.tenant_engine(self.engine, int(tenant_id)), t.c.tenant_id == int(tenant_id)

    def insert(self, row: Mapping[str, Any], *, activate: bool = False) -> None:
        """Insert one version row (its tenant_id decides the scope); `activate` makes it the only active one of
        its kind in that scope, in the same transaction."""
        t = m.model_versions
        tenant_id = row.get("tenant_id")
        engine, where = self._scoped(tenant_id)
        with engine.begin() as conn:
            if activate:
                conn.execute(sa.update(t).where(where, t.c.kind == row["kind"], t.c.active.is_(True))
                             .values(active=False))
            conn.execute(sa.insert(t).values(**{**row, "active": bool(activate)}))

    def rows(self, kind: str, tenant_id: int | None) -> list[dict[str, Any]]:
        """Every version of `kind` in the scope, newest first."""
        t = m.model_versions
        engine, where = self._scoped(tenant_id)
        stmt = sa.select(t).where(where, t.c.kind == kind).order_by(t.c.created_at.desc(), t.c.id.desc())
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]

    def row(self, version: str, tenant_id: int | None) -> dict[str, Any] | None:
        t = m.model_versions
        engine, where = self._scoped(tenant_id)
        with engine.connect() as conn:
            found = conn.execute(sa.select(t).where(where, t.c.version == version)).first()
        return None if found is None else dict(found._mapping)

    def active_row(self, kind: str, tenant_id: int | None) -> dict[str, Any] | None:
        t = m.model_versions
        engine, where = self._scoped(tenant_id)
        with engine.connect() as conn:
            found = conn.execute(sa.select(t).where(where, t.c.kind == kind, t.c.active.is_(True))).first()
        return None if found is None else dict(found._mapping)

    def set_active(self, kind: str, version: str, tenant_id: int | None) -> bool:
        """Make `version` the only active one of its kind in the scope; False when it is not there."""
        t = m.model_versions
        engine, where = self._scoped(tenant_id)
        with engine.begin() as conn:
            exists = conn.execute(sa.select(t.c.id).where(where, t.c.kind == kind, t.c.version == version)).first()
            if exists is None:
                return False
            conn.execute(sa.update(t).where(where, t.c.kind == kind, t.c.active.is_(True)).values(active=False))
            conn.execute(sa.update(t).where(where, t.c.kind == kind, t.c.version == version).values(active=True))
        return True
