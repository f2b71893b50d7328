"""Sessions: is a sign-in (from this browser session or from a cookie after a reload) still good?

Why a server-side check on top of the signed cookie: streamlit-authenticator's cookie is a JWT with the user
name and an expiry, valid until then wherever it is replayed. We refuse it when the user signed out after it
was issued (logout ends every session of the user: `sessions_valid_after`), changed the password, was
disabled or locked, or when it is older than ECOMINTEL_SESSION_HOURS — checked on every run of the app, so a
role change or a disable takes effect at the next click.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ecomintel import audit
from ecomintel.accounts.login import SignedIn, is_locked, signed_in
from ecomintel.accounts.policy import AuthPolicy
from ecomintel.db import models as m
from ecomintel.db import rls
from ecomintel.db.scoped import utcnow


def from_epoch(ts: float) -> datetime:
    """Naive UTC (as the schema stores times) from a Unix timestamp."""
    return datetime.fromtimestamp(float(ts), UTC).replace(tzinfo=None)


def cookie_claim(token: str, key: str, cookie_days: float) -> tuple[str, datetime] | None:
    """(user name, issued at) from streamlit-authenticator's cookie, or None when forged/expired/garbled.
    Its JWT holds `username` and `exp_date` = issue time + cookie_days."""
    import jwt

    try:
        data: Any = jwt.decode(token, key, algorithms=["HS256"])
    except jwt.PyJWTError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("username"), str):
        return None
    try:
        expires = float(data["exp_date"])
    except (KeyError, TypeError, ValueError):
        return None
    if expires <= datetime.now(UTC).timestamp():
        return None
    return data["username"], from_epoch(expires - cookie_days * 86400)


def check_session(engine: sa.Engine, username: str, issued_at: datetime, policy: AuthPolicy,
                  now: datetime | None = None) -> SignedIn | None:
    """The session's user when a session issued at `issued_at` is still good, else None."""
    now = now or utcnow()
    if issued_at + timedelta(hours=policy.session_hours) <= now or issued_at > now + timedelta(minutes=5):
        return None
    with rls.system_engine(engine).connect() as conn:
        row = conn.execute(sa.select(m.users).where(m.users.c.username == username)).first()
    if row is None or row.disabled or is_locked(row, now):
        return None
    if row.sessions_valid_after is not None and issued_at < row.sessions_valid_after:
        return None
    return signed_in(row)


def end_sessions(engine: sa.Engine, user: SignedIn, reason: str = "logout") -> None:
    """Sign the user out everywhere: every session and cookie issued until now stops being good."""
    with rls.tenant_engine(engine, user.tenant_id).begin() as conn:
        conn.execute(sa.update(m.users).where(m.users.c.id == user.user_id, m.users.c.tenant_id == user.tenant_id)
                     .values(sessions_valid_after=utcnow()))
    audit.record(engine, user.context(), "logout", username=user.username, reason=reason)
