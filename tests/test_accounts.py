"""Accounts in the core: sign-in, lockout, sessions, invitations, roles — on SQLite and PostgreSQL.

Security tests of issue 12: brute force (lockout, audited), session/cookie reuse after logout and after
expiry, a viewer calling write operations through the core, cross-tenant access with a forged tenant id,
injection-shaped and oversized input.
"""

from __future__ import annotations

import time
from datetime import timedelta

import jwt
import pytest
import sqlalchemy as sa

from ecomintel import audit
from ecomintel.accounts import invites, login, sessions, users
from ecomintel.accounts.policy import AuthPolicy
from ecomintel.config import load_settings
from ecomintel.context import RequestContext
from ecomintel.db import models as m
from ecomintel.db import rls
from ecomintel.db.repository import Repository
from ecomintel.db.scoped import utcnow
from ecomintel.db.tenants import check_slug
from ecomintel.errors import Forbidden, InputError, NotFound
from ecomintel.ingest.pipeline import ingest_file
from ecomintel.permissions import PERMISSIONS, allowed, require
from tests.conftest import SAMPLES, new_tenant_ctx

POLICY = AuthPolicy(max_attempts=3, lockout_minutes=10, session_hours=2, invite_hours=1)
PASSWORD = "correct horse battery"
_n = iter(range(10**6))


def _name(prefix: str) -> str:
    return f"{prefix}{time.time_ns() % 10**9}{next(_n)}"


def _tenant_admin(engine: sa.Engine) -> RequestContext:
    ctx = new_tenant_ctx(engine, "acc", role="admin")
    return ctx


def _actions(engine: sa.Engine, ctx: RequestContext) -> list[str]:
    return [e["action"] for e in audit.entries(engine, ctx, limit=100)]


def test_login_lockout_is_enforced_and_audited(engine: sa.Engine) -> None:
    admin = _tenant_admin(engine)
    name = _name("ann")
    users.add_user(engine, admin, name, PASSWORD, role="analyst")
    assert login.attempt_login(engine, name, PASSWORD, POLICY).ok
    now = utcnow()
    results = [login.attempt_login(engine, name, f"wrong {i}", POLICY, now) for i in range(3)]
    assert [r.reason for r in results] == ["bad_credentials", "bad_credentials", "locked"]
    # locked: even the right password is refused, before it is checked
    blocked = login.attempt_login(engine, name, PASSWORD, POLICY, now + timedelta(minutes=5))
    assert not blocked.ok and blocked.reason == "locked" and "locked" in blocked.message
    assert name not in login.credentials(engine, now + timedelta(minutes=5))["usernames"]
    # after the lockout the right password works again
    assert login.attempt_login(engine, name, PASSWORD, POLICY, now + timedelta(minutes=11)).ok
    actions = _actions(engine, admin)
    assert actions.count("login_failed") == 3 and actions.count("lockout") == 1
    assert "login_blocked" in actions and actions.count("login") == 2


def test_unknown_user_and_oversized_input_are_plain_refusals(engine: sa.Engine) -> None:
    assert login.attempt_login(engine, "nobody-here", "whatever", POLICY).reason == "bad_credentials"
    started = time.perf_counter()
    assert login.attempt_login(engine, "x" * 100_000, "y" * 1_000_000, POLICY).reason == "bad_credentials"
    assert time.perf_counter() - started < 5  # refused before any hashing (loose bound, not a timing test)
    assert login.attempt_login(engine, "' OR '1'='1", "' OR '1'='1", POLICY).reason == "bad_credentials"


def test_sessions_end_at_logout_expiry_disable_and_password_change(engine: sa.Engine) -> None:
    admin = _tenant_admin(engine)
    name = _name("bob")
    users.add_user(engine, admin, name, PASSWORD, role="viewer")
    issued = utcnow() - timedelta(seconds=1)
    user = sessions.check_session(engine, name, issued, POLICY)
    assert user is not None and user.role == "viewer" and user.tenant_id == admin.tenant_id
    # expiry: a session older than session_hours is refused
    assert sessions.check_session(engine, name, issued, POLICY, now=issued + timedelta(hours=2, seconds=1)) is None
    # logout ends every session issued before it (a copied cookie is useless afterwards)
    sessions.end_sessions(engine, user)
    assert sessions.check_session(engine, name, issued, POLICY) is None
    assert sessions.check_session(engine, name, utcnow() + timedelta(seconds=1), POLICY) is not None
    # disable: refused at once
    later = utcnow() + timedelta(seconds=2)
    users.set_disabled(engine, admin, name, True)
    assert sessions.check_session(engine, name, later, POLICY) is None
    assert login.attempt_login(engine, name, PASSWORD, POLICY).reason == "disabled"
    users.set_disabled(engine, admin, name, False)
    # password change ends the sessions issued before it
    own = RequestContext(tenant_id=admin.tenant_id, user_id=user.user_id, role="viewer")
    before = utcnow()
    users.change_password(engine, own, PASSWORD, "a brand new secret")
    assert sessions.check_session(engine, name, before, POLICY) is None
    with pytest.raises(InputError):
        users.change_password(engine, own, "not the password", "another new secret")
    assert login.attempt_login(engine, name, "a brand new secret", POLICY).ok
    assert "logout" in _actions(engine, admin) and "password_changed" in _actions(engine, admin)


def test_cookie_claim_rejects_forged_and_expired_tokens() -> None:
    key = "k" * 40
    exp = time.time() + 86400 / 2
    token = jwt.encode({"username": "ann", "exp_date": exp}, key, algorithm="HS256")
    claim = sessions.cookie_claim(token, key, cookie_days=1)
    assert claim is not None and claim[0] == "ann"
    assert abs((utcnow() - claim[1]).total_seconds() - 43200) < 60  # issued half a day ago
    assert sessions.cookie_claim(token, "another key" * 4, cookie_days=1) is None
    old = jwt.encode({"username": "ann", "exp_date": time.time() - 5}, key, algorithm="HS256")
    assert sessions.cookie_claim(old, key, cookie_days=1) is None
    assert sessions.cookie_claim("garbage", key, cookie_days=1) is None
    assert sessions.cookie_claim(jwt.encode({"exp_date": exp}, key, algorithm="HS256"), key, 1) is None


def test_invitations_work_once_and_expire(engine: sa.Engine) -> None:
    admin = _tenant_admin(engine)
    invite = invites.create_invite(engine, admin, "viewer", POLICY, note="for carol")
    name = _name("carol")
    new = invites.accept_invite(engine, invite.code, name, PASSWORD)
    assert new.role == "viewer" and new.tenant_id == admin.tenant_id
    with pytest.raises(InputError, match="unknown, used or expired"):
        invites.accept_invite(engine, invite.code, _name("dave"), PASSWORD)
    late = invites.create_invite(engine, admin, "analyst", POLICY)
    with pytest.raises(InputError, match="unknown, used or expired"):
        invites.accept_invite(engine, late.code, _name("erin"), PASSWORD, now=utcnow() + timedelta(hours=2))
    with pytest.raises(InputError):
        invites.accept_invite(engine, "x" * 10_000, _name("fay"), PASSWORD)
    rows = invites.list_invites(engine, admin)
    assert len(rows) == 2 and rows[1]["used_by"] == new.user_id
    with rls_engine(engine, admin.tenant_id).connect() as conn:  # only the hash is stored
        stored = conn.execute(sa.select(m.invitations.c.code_hash)).scalars().all()
    assert invite.code not in stored and invites.code_hash(invite.code) in stored


def rls_engine(engine: sa.Engine, tenant_id: int) -> sa.Engine:
    from ecomintel.db import rls

    return rls.tenant_engine(engine, tenant_id)


def test_every_core_write_refuses_a_viewer(engine: sa.Engine, tmp_path) -> None:
    from ecomintel.preferences import save_preferences, save_tenant_defaults
    from ecomintel.retention import delete_tenant_data, purge, set_policy

    admin = _tenant_admin(engine)
    viewer = RequestContext(tenant_id=admin.tenant_id, user_id=None, role="viewer")
    repo = Repository(engine, viewer)
    settings = load_settings({})
    calls = {
        "add_user": lambda: users.add_user(engine, viewer, _name("v"), PASSWORD),
        "list_users": lambda: users.list_users(engine, viewer),
        "set_role": lambda: users.set_role(engine, viewer, "x", "admin"),
        "invite": lambda: invites.create_invite(engine, viewer, "admin", POLICY),
        "audit": lambda: audit.entries(engine, viewer),
        "export_audit": lambda: audit.export_csv(engine, viewer),
        "retention": lambda: set_policy(repo, viewer, {"reviews_months": 1}),
        "purge": lambda: purge(repo, viewer),
        "delete": lambda: delete_tenant_data(engine, viewer, "whatever", settings),
        "tenant_defaults": lambda: save_tenant_defaults(repo, viewer, {"min_margin": 0.1}),
        "ingest": lambda: ingest_file(repo, "sales", SAMPLES / "online_retail_small.csv", settings=settings),
        "batch": lambda: repo.create_batch(file_name="x.csv", sha256="0" * 64, kind="sales"),
    }
    for name, call in calls.items():
        with pytest.raises(Forbidden):
            call()
        assert name  # (named for the failure message)
    # what a viewer may do: read and keep own preferences
    assert save_preferences(repo, viewer, {"home_kpis": ["revenue"]}).home_kpis == ("revenue",)
    # the analyst may ingest but not manage users
    analyst = RequestContext(tenant_id=admin.tenant_id, role="analyst")
    with pytest.raises(Forbidden):
        users.list_users(engine, analyst)


def test_permission_table_fails_closed() -> None:
    assert not allowed("viewer", "no-such-action") and not allowed("admin", "no-such-action")
    assert all(allowed("admin", a) for a in PERMISSIONS)
    assert not any(allowed("viewer", a) for a in ("upload", "ask", "run_jobs", "accept_recommendations",
                                                  "manage_users", "delete_data", "view_audit"))
    with pytest.raises(Forbidden, match=r"Your role \(viewer\) cannot upload"):
        require(RequestContext(tenant_id=1, role="viewer"), "upload")


def test_forged_tenant_ids_reach_nothing_of_another_tenant(engine: sa.Engine) -> None:
    a, b = _tenant_admin(engine), _tenant_admin(engine)
    bob = _name("bob")
    users.add_user(engine, b, bob, PASSWORD, role="analyst")
    invites.create_invite(engine, b, "analyst", POLICY)
    # an admin of A naming B's user: not found (the same answer as for a name that does not exist)
    for call in (lambda: users.set_role(engine, a, bob, "admin"), lambda: users.set_disabled(engine, a, bob),
                 lambda: users.reset_password(engine, a, bob, "taken over!!"), lambda: users.get_user(engine, a, bob)):
        with pytest.raises(NotFound):
            call()
    assert bob not in [u.username for u in users.list_users(engine, a)]
    assert invites.list_invites(engine, a) == []
    assert all(e["action"] != "user_added" or e["detail"]["username"] != bob for e in audit.entries(engine, a))
    assert login.attempt_login(engine, bob, PASSWORD, POLICY).user.tenant_id == b.tenant_id  # type: ignore[union-attr]
    # a context for a tenant id that does not exist
    with pytest.raises(NotFound):
        users.add_user(engine, RequestContext(tenant_id=10**8, role="admin"), _name("z"), PASSWORD)


def test_injection_shaped_and_oversized_names_are_refused(engine: sa.Engine) -> None:
    admin = _tenant_admin(engine)
    for bad in ("x'; DROP TABLE users;--", "Robert'); DROP TABLE tenants;--", "a" * 500, "UPPER", "two words"):
        with pytest.raises(InputError):
            users.add_user(engine, admin, bad, PASSWORD)
    for bad in ("x'; DROP TABLE users;--", "Robert'); DROP TABLE tenants;--", "a" * 500, "tenant name"):
        with pytest.raises(InputError):
            check_slug(bad)
    with pytest.raises(InputError):
        users.add_user(engine, admin, _name("p"), " padded password ")
    with pytest.raises(InputError):
        users.add_user(engine, admin, _name("p"), "p" * 10_000)
    with engine.connect() as conn:  # the tables are all still there
        assert conn.execute(sa.select(sa.func.count()).select_from(m.users)).scalar() is not None


def test_last_admin_keeps_the_role(engine: sa.Engine) -> None:
    admin = _tenant_admin(engine)
    boss = users.add_user(engine, admin, _name("boss"), PASSWORD, role="admin")
    with pytest.raises(Forbidden, match="last admin"):
        users.set_role(engine, admin, boss.username, "viewer")
    other = users.add_user(engine, admin, _name("boss2"), PASSWORD, role="admin")
    assert users.set_role(engine, admin, boss.username, "viewer").role == "viewer"
    assert "role_changed" in _actions(engine, admin) and other.role == "admin"


def test_audit_log_is_append_only(engine: sa.Engine) -> None:
    admin = _tenant_admin(engine)
    audit.record(engine, admin, "settings_changed", what="test")
    own = rls.tenant_engine(engine, admin.tenant_id)  # as the tenant: under RLS other rows are not even seen
    with pytest.raises(sa.exc.DBAPIError), own.begin() as conn:
        conn.execute(sa.update(m.audit_log).where(m.audit_log.c.tenant_id == admin.tenant_id)
                     .values(action="forged"))
    if engine.dialect.name == "postgresql":
        with pytest.raises(sa.exc.DBAPIError), own.begin() as conn:
            conn.execute(sa.delete(m.audit_log).where(m.audit_log.c.tenant_id == admin.tenant_id))
    csv = audit.export_csv(engine, admin).decode()
    assert "settings_changed" in csv and "export" in _actions(engine, admin)
