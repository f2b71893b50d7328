"""Sign-in: password check, lockout after repeated failures, and the audit of every attempt.

Why the lockout lives here: a limit enforced by the login widget alone is reset by opening a new browser
tab. Here the count and the lock are columns of the user, so they hold across sessions and replicas; a
locked user is refused *before* the password is checked (no oracle while locked), and every failure, block
and lockout is in the tenant's audit log. An unknown user name costs a bcrypt check as well (no timing
difference) and is logged without a tenant (there is none to attribute it to).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ecomintel import audit
from ecomintel.accounts.policy import AuthPolicy
from ecomintel.context import RequestContext
from ecomintel.db import models as m
from ecomintel.db import rls
from ecomintel.db.scoped import utcnow
from ecomintel.db.tenants import check_password, hash_password

log = logging.getLogger("ecomintel.accounts")
_DUMMY_HASH = hash_password("not-a-real-password")
MAX_INPUT = 500  # longer user names or passwords are refused before any work (no bcrypt on megabytes)


@dataclass(frozen=True)
class SignedIn:
    """Who a session belongs to."""

    user_id: int
    tenant_id: int
    username: str
    name: str
    role: str

    def context(self) -> RequestContext:
        return RequestContext(tenant_id=self.tenant_id, user_id=self.user_id, role=self.role)


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    reason: str  # ok | bad_credentials | locked | disabled
    message: str
    user: SignedIn | None = None
    locked_until: datetime | None = None


BAD = LoginResult(False, "bad_credentials", "Unknown user or wrong password.")


def _row(engine: sa.Engine, username: str) -> Any:
    with rls.system_engine(engine).connect() as conn:
        return conn.execute(sa.select(m.users).where(m.users.c.username == username)).first()


def _ctx(row: Any) -> RequestContext:
    return RequestContext(tenant_id=int(row.tenant_id), user_id=int(row.id), role=str(row.role))


def signed_in(row: Any) -> SignedIn:
    return SignedIn(int(row.id), int(row.tenant_id), str(row.username), str(row.name or row.username), str(row.role))


def is_locked(row: Any, now: datetime) -> bool:
    return row.locked_until is not None and row.locked_until > now


def _blocked(engine: sa.Engine, row: Any, now: datetime) -> LoginResult | None:
    """The refusal for a disabled or locked user (audited), or None when the user may sign in."""
    if row.disabled:
        audit.record(engine, _ctx(row), "login_blocked", username=row.username, reason="disabled")
        return LoginResult(False, "disabled", "This user is disabled. Ask an admin of your tenant.")
    if is_locked(row, now):
        audit.record(engine, _ctx(row), "login_blocked", username=row.username, reason="locked",
                     locked_until=str(row.locked_until))
        minutes = max(1, int((row.locked_until - now).total_seconds() // 60) + 1)
        return LoginResult(False, "locked", f"Too many failed sign-ins: this user is locked for {minutes} more "
                           "minute(s).", locked_until=row.locked_until)
    return None


def record_failure(engine: sa.Engine, username: str, policy: AuthPolicy, now: datetime | None = None) -> LoginResult:
    """A wrong password for `username`: count it; at policy.max_attempts lock the user (audited)."""
    now = now or utcnow()
    row = _row(engine, (username or "")[:MAX_INPUT])
    if row is None:
        log.info("failed sign-in for an unknown user name")
        return BAD
    u = m.users
    with rls.tenant_engine(engine, int(row.tenant_id)).begin() as conn:
        conn.execute(sa.update(u).where(u.c.id == row.id).values(failed_logins=u.c.failed_logins + 1))
        failures = int(conn.execute(sa.select(u.c.failed_logins).where(u.c.id == row.id)).scalar() or 0)
        locked_until = None
        if failures >= policy.max_attempts:
            locked_until = now + timedelta(minutes=policy.lockout_minutes)
            conn.execute(sa.update(u).where(u.c.id == row.id).values(failed_logins=0, locked_until=locked_until))
    audit.record(engine, _ctx(row), "login_failed", username=row.username, failures=failures)
    if locked_until is not None:
        audit.record(engine, _ctx(row), "lockout", username=row.username, failures=failures,
                     minutes=policy.lockout_minutes, locked_until=str(locked_until))
        return LoginResult(False, "locked", f"Too many failed sign-ins: this user is locked for "
                           f"{policy.lockout_minutes:g} minutes.", locked_until=locked_until)
    return BAD


def complete_login(engine: sa.Engine, username: str, now: datetime | None = None) -> LoginResult:
    """After a password matched: refuse a disabled/locked user, else reset the count and audit the sign-in."""
    now = now or utcnow()
    row = _row(engine, (username or "")[:MAX_INPUT])
    if row is None:
        return BAD
    refused = _blocked(engine, row, now)
    if refused is not None:
        return refused
    with rls.tenant_engine(engine, int(row.tenant_id)).begin() as conn:
        conn.execute(sa.update(m.users).where(m.users.c.id == row.id)
                     .values(failed_logins=0, locked_until=None, last_login_at=now))
    audit.record(engine, _ctx(row), "login", username=row.username)
    return LoginResult(True, "ok", "Signed in.", user=signed_in(row))


def attempt_login(engine: sa.Engine, username: str, password: str, policy: AuthPolicy,
                  now: datetime | None = None) -> LoginResult:
    """The whole sign-in: lockout first, then bcrypt, then the count or the success (all audited)."""
    now = now or utcnow()
    username = (username or "").strip().lower()
    if len(username) > MAX_INPUT or len(password or "") > MAX_INPUT:
        return BAD
    row = _row(engine, username)
    if row is None:
        check_password(password or "", _DUMMY_HASH)
        log.info("failed sign-in for an unknown user name")
        return BAD
    refused = _blocked(engine, row, now)
    if refused is not None:
        return refused
    if not check_password(password or "", row.password_hash):
        return record_failure(engine, username, policy, now)
    return complete_login(engine, username, now)


def credentials(engine: sa.Engine, now: datetime | None = None) -> dict[str, Any]:
    """streamlit-authenticator's credentials, built at run time from the users table: only users who may
    sign in now (not disabled, not locked). Counts start at 0: the lockout is ours (`record_failure`)."""
    now = now or utcnow()
    u = m.users
    stmt = sa.select(u.c.username, u.c.name, u.c.email, u.c.password_hash, u.c.role).where(
        u.c.disabled.is_(sa.false()), sa.or_(u.c.locked_until.is_(None), u.c.locked_until <= now))
    with rls.system_engine(engine).connect() as conn:
        rows = conn.execute(stmt).all()
    return {"usernames": {r.username: {"name": r.name or r.username, "email": r.email or "",
                                       "password": r.password_hash, "roles": [r.role],
                                       "failed_login_attempts": 0, "logged_in": False} for r in rows}}
