"""Invitations: an admin creates a one-time code (or the link carrying it); whoever redeems it first, before
it expires, becomes a user of that tenant with the role the admin chose.

Why only the code's SHA-256 is stored: the code is a password for creating an account; a copy of the
database must not let anyone redeem the open invitations. Redeeming is one UPDATE … WHERE used_at IS NULL
AND expires_at > now in the same transaction as the new user, so a code works exactly once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ecomintel import audit
from ecomintel.accounts.login import SignedIn, signed_in
from ecomintel.accounts.policy import AuthPolicy
from ecomintel.accounts.users import check_new_password, check_role, check_username, insert_user
from ecomintel.context import RequestContext
from ecomintel.db import models as m
from ecomintel.db import rls
from ecomintel.db.scoped import utcnow
from ecomintel.errors import InputError
from ecomintel.permissions import require

MAX_CODE = 100


def code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Invitation:
    code: str  # shown once, to the admin who created it
    role: str
    expires_at: datetime


def create_invite(engine: sa.Engine, ctx: RequestContext, role: str, policy: AuthPolicy, note: str = "",
                  now: datetime | None = None) -> Invitation:
    """A new one-time code for ctx's tenant (admins only)."""
    require(ctx, "manage_users")
    role = check_role(role)
    now = now or utcnow()
    code = secrets.token_urlsafe(18)
    expires = now + timedelta(hours=policy.invite_hours)
    with rls.tenant_engine(engine, ctx.tenant_id).begin() as conn:
        conn.execute(sa.insert(m.invitations).values(
            tenant_id=ctx.tenant_id, code_hash=code_hash(code), role=role, note=(note or "")[:200] or None,
            created_by=ctx.user_id, created_at=now, expires_at=expires))
    audit.record(engine, ctx, "invite_created", role=role, note=(note or "")[:200], expires_at=str(expires))
    return Invitation(code, role, expires)


def list_invites(engine: sa.Engine, ctx: RequestContext) -> list[dict[str, Any]]:
    require(ctx, "manage_users")
    t = m.invitations
    stmt = (sa.select(t.c.id, t.c.role, t.c.note, t.c.created_at, t.c.expires_at, t.c.used_at, t.c.used_by)
            .where(t.c.tenant_id == ctx.tenant_id).order_by(t.c.id.desc()))
    with rls.tenant_engine(engine, ctx.tenant_id).connect() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]


def revoke_invite(engine: sa.Engine, ctx: RequestContext, invite_id: int) -> bool:
    require(ctx, "manage_users")
    t = m.invitations
    with rls.tenant_engine(engine, ctx.tenant_id).begin() as conn:
        row = conn.execute(sa.select(t.c.role, t.c.note, t.c.created_at).where(
            t.c.id == invite_id, t.c.tenant_id == ctx.tenant_id, t.c.used_at.is_(None))).first()
        done = conn.execute(sa.update(t).where(t.c.id == invite_id, t.c.tenant_id == ctx.tenant_id,
                                               t.c.used_at.is_(None))
                            .values(expires_at=utcnow())).rowcount
    if done and row is not None:  # the audit log names the invitation by role, note and date, not its global id
        audit.record(engine, ctx, "invite_revoked", role=row.role, note=row.note or "",
                     created_at=str(row.created_at))
    return bool(done)


def invite_summary(engine: sa.Engine, code: str, now: datetime | None = None) -> dict[str, Any] | None:
    """What an unused, unexpired invitation is for — {"tenant": name, "role": …, "expires_at": …} — or None.
    Shown on the invitation page so the newcomer sees whose account they are creating; only the holder of the
    code learns the tenant's name."""
    if not code or len(code) > MAX_CODE:
        return None
    t = m.invitations
    with rls.system_engine(engine).connect() as conn:  # the code names the tenant; nothing else does yet
        row = conn.execute(sa.select(t.c.role, t.c.expires_at, m.tenants.c.name)
                           .join(m.tenants, m.tenants.c.id == t.c.tenant_id)
                           .where(t.c.code_hash == code_hash(code), t.c.used_at.is_(None),
                                  t.c.expires_at > (now or utcnow()))).first()
    return None if row is None else {"tenant": str(row.name), "role": str(row.role), "expires_at": row.expires_at}


def accept_invite(engine: sa.Engine, code: str, username: str, password: str, name: str = "",
                  now: datetime | None = None) -> SignedIn:
    """Redeem `code`: a new user of the inviting tenant with the invited role (then sign in as usual)."""
    now = now or utcnow()
    refused = InputError("This invitation code is unknown, used or expired.", "Ask your admin for a new one.")
    if not code or len(code) > MAX_CODE:
        raise refused
    username = check_username(username)
    check_new_password(password)
    t = m.invitations
    with rls.system_engine(engine).begin() as conn:  # the code names the tenant; nothing else does yet
        row = conn.execute(sa.select(t).where(t.c.code_hash == code_hash(code))).first()
        if row is None:
            raise refused
        claimed = conn.execute(sa.update(t).where(t.c.id == row.id, t.c.used_at.is_(None), t.c.expires_at > now)
                               .values(used_at=now)).rowcount
        if not claimed:
            raise refused
        user_id = insert_user(conn, int(row.tenant_id), username, password, check_role(str(row.role)), name, None)
        conn.execute(sa.update(t).where(t.c.id == row.id).values(used_by=user_id))
        user = conn.execute(sa.select(m.users).where(m.users.c.id == user_id)).one()
    result = signed_in(user)
    audit.record(engine, result.context(), "invite_used", username=username, role=result.role,
                 note=row.note or "", invited_at=str(row.created_at))
    return result
