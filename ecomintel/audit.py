"""The audit log: who did what, when, in which tenant — append-only from the app, readable by admins.

Why its own module: every part that changes something (sign-in, roles, uploads, deletions, settings, exports)
records it the same way, and the admin's view and CSV export read it the same way. The table refuses
UPDATE (a trigger, migration 0011) and DELETE except inside a tenant deletion or a retention purge; the app
has no function that edits an entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ecomintel.context import RequestContext
from ecomintel.db import models as m
from ecomintel.db.scoped import RepositoryCore
from ecomintel.permissions import require

# Actions recorded (what the admin's filter offers); the detail carries the specifics.
ACTIONS = ("login", "login_failed", "login_blocked", "lockout", "logout", "password_changed", "password_reset",
           "user_added", "user_disabled", "user_enabled", "role_changed", "invite_created", "invite_used",
           "invite_revoked", "upload", "delete_data", "retention_purge", "retention_changed",
           "settings_changed", "preferences_changed", "export")
MAX_DETAIL_TEXT = 500


def _clip(detail: Mapping[str, Any]) -> dict[str, Any]:
    """Detail values kept short (an oversized tenant name or question cannot bloat the log)."""
    def text(v: str) -> str:  # no control characters (PostgreSQL refuses NUL in JSON text)
        return "".join(ch for ch in v[:MAX_DETAIL_TEXT] if ch.isprintable())

    return {text(str(k))[:60]: (text(v) if isinstance(v, str) else v) for k, v in detail.items()}


def record(engine: sa.Engine, ctx: RequestContext, action: str, **detail: Any) -> None:
    """Append one entry for ctx's tenant and user."""
    RepositoryCore(engine, ctx).audit(action, _clip(detail))


def entries(engine: sa.Engine, ctx: RequestContext, *, since: datetime | None = None, action: str | None = None,
            limit: int = 500) -> list[dict[str, Any]]:
    """The tenant's entries, newest first, with the user name (admins only). No global row or user ids: they
    would show how busy the other tenants are (issue 12); details name users, batches, runs and reports by
    name or per-tenant number."""
    require(ctx, "view_audit")
    a, u = m.audit_log, m.users
    stmt = (sa.select(a.c.created_at, a.c.action, u.c.username, a.c.detail, a.c.request_id)
            .select_from(a.outerjoin(u, sa.and_(u.c.id == a.c.user_id, u.c.tenant_id == a.c.tenant_id)))
            .where(a.c.tenant_id == ctx.tenant_id).order_by(a.c.id.desc()).limit(max(1, min(limit, 10_000))))
    if since is not None:
        stmt = stmt.where(a.c.created_at >= since)
    if action:
        stmt = stmt.where(a.c.action == action)
    with RepositoryCore(engine, ctx).engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]


def export_csv(engine: sa.Engine, ctx: RequestContext, **filters: Any) -> bytes:
    """The entries as CSV (formula-neutralised, like every export); the export itself is audited."""
    import json

    import pandas as pd

    from ecomintel.ingest.export import to_safe_csv

    rows = entries(engine, ctx, **filters)
    frame = pd.DataFrame([{**r, "detail": json.dumps(r["detail"] or {}, default=str, ensure_ascii=False)}
                          for r in rows],
                         columns=["created_at", "action", "username", "detail", "request_id"])
    record(engine, ctx, "export", what="audit_log", rows=len(frame))
    return to_safe_csv(frame)
