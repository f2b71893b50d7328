"""Users of a tenant: add, list, role, disable, passwords — each checked against the caller's role.

Why every function takes the caller's RequestContext: "admin" means admin *of this tenant*; a user of
another tenant is not found (the same answer as a user that does not exist, so a forged tenant id cannot
even learn which names exist elsewhere). The CLI acts as an operator with an admin context of the tenant it
names (it has the database anyway); the Settings page passes the signed-in user's context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ecomintel import audit
from ecomintel.accounts.policy import MAX_PASSWORD, MIN_PASSWORD
from ecomintel.context import ROLES, RequestContext
from ecomintel.db import models as m
from ecomintel.db import rls
from ecomintel.db.scoped import utcnow
from ecomintel.db.tenants import check_password, get_tenant_by_id, hash_password
from ecomintel.errors import Forbidden, InputError, NotFound
from ecomintel.permissions import require

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")


@dataclass(frozen=True)
class User:
    """A user as the app sees it (never the hash)."""

    id: int
    tenant_id: int
    username: str
    name: str
    email: str | None
    role: str
    disabled: bool
    locked_until: datetime | None
    last_login_at: datetime | None
    created_at: datetime


def as_user(row: Any) -> User:
    return User(int(row.id), int(row.tenant_id), str(row.username), str(row.name or row.username), row.email,
                str(row.role), bool(row.disabled), row.locked_until, row.last_login_at, row.created_at)


def check_username(username: str) -> str:
    """User names are lowercase (the sign-in form lowercases what is typed): 2-100 of a-z 0-9 . _ @ -."""
    name = (username or "").strip()
    if name != name.lower() or not USERNAME.match(name):
        raise InputError(f"Invalid user name {name[:40]!r}.",
                         "Use 2-100 lowercase letters, digits, '.', '_', '@' or '-', starting with a letter or digit.")
    return name


def check_new_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise InputError("Password too short.", f"Use at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise InputError("Password too long.", f"Use at most {MAX_PASSWORD} characters.")
    if password != password.strip():
        raise InputError("The password starts or ends with a space.",
                         "The sign-in form trims spaces at both ends, so such a password could never be typed.")
    return password


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError(f"Unknown role {role[:20]!r}.", f"Use one of {', '.join(ROLES)}.")
    return role


def _tenant_users(ctx: RequestContext) -> sa.Select[Any]:
    return sa.select(m.users).where(m.users.c.tenant_id == ctx.tenant_id)


def _scoped(engine: sa.Engine, ctx: RequestContext) -> sa.Engine:
    return rls.tenant_engine(engine, ctx.tenant_id)


def get_user(engine: sa.Engine, ctx: RequestContext, username: str) -> User:
    """The user called `username` in ctx's tenant (NotFound otherwise, also for other tenants' users)."""
    with _scoped(engine, ctx).connect() as conn:
        row = conn.execute(_tenant_users(ctx).where(m.users.c.username == (username or "").strip())).first()
    if row is None:
        raise NotFound(f"No user {str(username)[:60]!r} in this tenant.", "`ecomintel users list --tenant T`.")
    return as_user(row)


def list_users(engine: sa.Engine, ctx: RequestContext) -> list[User]:
    require(ctx, "manage_users")
    with _scoped(engine, ctx).connect() as conn:
        return [as_user(r) for r in conn.execute(_tenant_users(ctx).order_by(m.users.c.username))]


def insert_user(conn: sa.Connection, tenant_id: int, username: str, password: str, role: str, name: str,
                 email: str | None) -> int:
    exists = conn.execute(sa.select(m.users.c.id).where(m.users.c.username == username)).first()
    if exists:
        raise InputError(f"User name {username!r} is taken.", "Choose another user name.")
    result = conn.execute(sa.insert(m.users).values(
        tenant_id=tenant_id, username=username, name=(name or username)[:200], email=(email or None),
        password_hash=hash_password(password), role=role, password_changed_at=utcnow()))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def add_user(engine: sa.Engine, ctx: RequestContext, username: str, password: str, role: str = "analyst",
             name: str = "", email: str | None = None) -> User:
    """A new user of ctx's tenant (admins only); the password is stored as a bcrypt hash only."""
    require(ctx, "manage_users")
    username, role = check_username(username), check_role(role)
    check_new_password(password)
    get_tenant_by_id(engine, ctx.tenant_id)  # NotFound for a tenant id that does not exist
    # user names are unique across tenants (sign-in has no tenant field), so the check reads all tenants
    with rls.system_engine(engine).begin() as conn:
        insert_user(conn, ctx.tenant_id, username, password, role, name, email)
    audit.record(engine, ctx, "user_added", username=username, role=role)  # the name, not the global user id
    return get_user(engine, ctx, username)


def _admins_left(conn: sa.Connection, ctx: RequestContext, without: int) -> int:
    u = m.users
    return int(conn.execute(sa.select(sa.func.count()).where(
        u.c.tenant_id == ctx.tenant_id, u.c.role == "admin", u.c.disabled.is_(sa.false()), u.c.id != without)
    ).scalar() or 0)


def set_role(engine: sa.Engine, ctx: RequestContext, username: str, role: str) -> User:
    """Change a user's role (admins only). The last active admin of a tenant keeps the role."""
    require(ctx, "manage_users")
    role = check_role(role)
    user = get_user(engine, ctx, username)
    if user.role == role:
        return user
    with _scoped(engine, ctx).begin() as conn:
        if user.role == "admin" and not _admins_left(conn, ctx, user.id):
            raise Forbidden("This is the tenant's last admin.", "Make another user admin first.")
        conn.execute(sa.update(m.users).where(m.users.c.id == user.id, m.users.c.tenant_id == ctx.tenant_id)
                     .values(role=role))
    audit.record(engine, ctx, "role_changed", username=user.username, old=user.role, new=role)
    return get_user(engine, ctx, username)


def set_disabled(engine: sa.Engine, ctx: RequestContext, username: str, disabled: bool = True) -> User:
    """Disable (or enable) a user (admins only); disabling ends the user's sessions at once."""
    require(ctx, "manage_users")
    user = get_user(engine, ctx, username)
    if disabled and user.id == ctx.user_id:
        raise Forbidden("You cannot disable yourself.", "Ask another admin.")
    with _scoped(engine, ctx).begin() as conn:
        if disabled and user.role == "admin" and not _admins_left(conn, ctx, user.id):
            raise Forbidden("This is the tenant's last admin.", "Make another user admin first.")
        values: dict[str, Any] = {"disabled": disabled}
        if disabled:
            values["sessions_valid_after"] = utcnow()
        else:
            values.update(failed_logins=0, locked_until=None)
        conn.execute(sa.update(m.users).where(m.users.c.id == user.id, m.users.c.tenant_id == ctx.tenant_id)
                     .values(**values))
    audit.record(engine, ctx, "user_disabled" if disabled else "user_enabled", username=user.username)
    return get_user(engine, ctx, username)


def _store_password(engine: sa.Engine, ctx: RequestContext, user_id: int, password: str) -> None:
    now = utcnow()
    with _scoped(engine, ctx).begin() as conn:
        conn.execute(sa.update(m.users).where(m.users.c.id == user_id, m.users.c.tenant_id == ctx.tenant_id)
                     .values(password_hash=hash_password(password), password_changed_at=now,
                             sessions_valid_after=now, failed_logins=0, locked_until=None))


def change_password(engine: sa.Engine, ctx: RequestContext, old: str, new: str) -> None:
    """The signed-in user changes their own password; every session (this one too) then ends."""
    require(ctx, "change_own_password")
    if ctx.user_id is None:
        raise Forbidden("Only a signed-in user can change a password.", "Demo mode has no users.")
    check_new_password(new)
    with _scoped(engine, ctx).connect() as conn:
        row = conn.execute(_tenant_users(ctx).where(m.users.c.id == ctx.user_id)).first()
    if row is None:
        raise NotFound("Your user no longer exists.")
    if not check_password(old, row.password_hash):
        audit.record(engine, ctx, "login_failed", username=row.username, during="password change")
        raise InputError("The current password is wrong.")
    _store_password(engine, ctx, int(row.id), new)
    audit.record(engine, ctx, "password_changed", username=row.username)


def reset_password(engine: sa.Engine, ctx: RequestContext, username: str, new: str) -> None:
    """An admin sets another user's password (and unlocks them); their sessions end."""
    require(ctx, "manage_users")
    check_new_password(new)
    user = get_user(engine, ctx, username)
    _store_password(engine, ctx, user.id, new)
    audit.record(engine, ctx, "password_reset", username=user.username)
