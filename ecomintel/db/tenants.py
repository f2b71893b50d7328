"""Tenants and users: the only data that lives above a single tenant (the registry of tenants itself).

Why separate from Repository: creating a tenant or looking one up by slug happens *before* there is a
RequestContext, so it cannot be tenant-scoped; everything else goes through `Repository(engine, ctx)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import bcrypt
import sqlalchemy as sa

from ecomintel.context import ROLES
from ecomintel.db import rls
from ecomintel.db.models import tenants, users
from ecomintel.errors import InputError, NotFound

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class Tenant:
    id: int
    slug: str
    name: str
    data_version: int
    created_at: datetime


def _tenant(row: sa.Row) -> Tenant:
    return Tenant(row.id, row.slug, row.name, row.data_version, row.created_at)


def check_slug(slug: str) -> str:
    slug = slug.strip().lower()
    if not SLUG.match(slug):
        raise InputError(f"Invalid tenant name {slug!r}.", "Use lowercase letters, digits, '-' or '_' (max 64).")
    return slug


def get_tenant(engine: sa.Engine, slug: str) -> Tenant:
    with engine.connect() as conn:
        row = conn.execute(sa.select(tenants).where(tenants.c.slug == check_slug(slug))).first()
    if row is None:
        raise NotFound(f"No tenant named {slug!r}.", "Run `ecomintel tenants` to list them.")
    return _tenant(row)


def get_tenant_by_id(engine: sa.Engine, tenant_id: int) -> Tenant:
    with engine.connect() as conn:
        row = conn.execute(sa.select(tenants).where(tenants.c.id == tenant_id)).first()
    if row is None:
        raise NotFound(f"No tenant with id {tenant_id}.")
    return _tenant(row)


def ensure_tenant(engine: sa.Engine, slug: str, name: str | None = None) -> Tenant:
    """The tenant called `slug`, created if missing (demo mode / first ingest)."""
    slug = check_slug(slug)
    try:
        return get_tenant(engine, slug)
    except NotFound:
        pass
    try:
        with engine.begin() as conn:
            conn.execute(sa.insert(tenants).values(slug=slug, name=name or slug))
    except sa.exc.IntegrityError:
        pass  # created concurrently by another process: fine, read it back
    return get_tenant(engine, slug)


def list_tenants(engine: sa.Engine) -> list[Tenant]:
    """Every tenant, without the tombstones of deleted ones (ecomintel/retention.py; '~' is never in a slug)."""
    stmt = sa.select(tenants).where(~tenants.c.slug.startswith("deleted~")).order_by(tenants.c.slug)
    with engine.connect() as conn:
        return [_tenant(r) for r in conn.execute(stmt)]


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def check_password(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode("utf-8"), password_hash.encode("ascii"))
    except ValueError:
        return False


def create_user(engine: sa.Engine, tenant_id: int, username: str, password: str, role: str = "analyst",
                name: str = "", email: str | None = None) -> int:
    """A user of one tenant; the password is stored only as a bcrypt hash."""
    if role not in ROLES:
        raise InputError(f"Unknown role {role!r}.", f"Use one of {', '.join(ROLES)}.")
    if len(password) < 8:
        raise InputError("Password too short.", "Use at least 8 characters.")
    with rls.system_engine(engine).begin() as conn:  # user names are unique across tenants
        exists = conn.execute(sa.select(users.c.id).where(users.c.username == username)).first()
        if exists:
            raise InputError(f"User {username!r} already exists.")
        result = conn.execute(sa.insert(users).values(
            tenant_id=tenant_id, username=username, name=name or username, email=email,
            password_hash=hash_password(password), role=role))
        return int(result.inserted_primary_key[0])  # type: ignore[index]


def authenticate(engine: sa.Engine, username: str, password: str) -> sa.Row | None:
    """The user row when `password` matches its bcrypt hash, else None (same answer for unknown users)."""
    with rls.system_engine(engine).connect() as conn:  # sign-in by user name: before a tenant is known
        row = conn.execute(sa.select(users).where(users.c.username == username)).first()
    if row is None or not check_password(password, row.password_hash):
        return None
    return row
