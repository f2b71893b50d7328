"""`ecomintel users …`, `ecomintel tenants …`, `ecomintel audit`, `ecomintel retention …`, `ecomintel db app-role`:
the accounts commands, registered into the main parser by `register(sub)`.

Why the CLI acts as an admin of the tenant it names: whoever runs it holds the database URL (an operator);
the first admin of a tenant can only be made this way. Every command still goes through the same core
functions as the Settings page (permission checks, audit), with a context whose tenant is the one named;
a user name of another tenant is "not found". Passwords come from a prompt or stdin, never from argv.
Heavy imports stay inside the commands (the CLI starts in tens of milliseconds).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

from ecomintel.config import Settings
from ecomintel.ops_cli import print_json

ROLES = ["admin", "analyst", "viewer"]


@contextlib.contextmanager
def _opened(settings: Settings) -> Iterator[Any]:
    """A migrated engine on settings.database_url, disposed when the command ends."""
    from ecomintel.db.engine import make_engine, migrate

    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()


def _admin(engine: Any, slug: str) -> Any:
    from ecomintel.context import RequestContext
    from ecomintel.db.tenants import get_tenant

    tenant = get_tenant(engine, slug)
    return RequestContext(tenant_id=tenant.id, role="admin")


def _password(args: argparse.Namespace, prompt: str) -> str:
    import getpass

    from ecomintel.errors import InputError

    if getattr(args, "password_stdin", False):
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass(prompt)
    if getpass.getpass("Again: ") != password:
        raise InputError("The two passwords differ.")
    return password


def _pairs(pairs: list[str]) -> dict[str, str]:
    from ecomintel.errors import InputError

    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"Bad {pair[:60]!r}.", "Write it as field=months, e.g. reviews_months=24.")
        out[key.strip()] = value.strip()
    return out


# -- users ---------------------------------------------------------------------------------------------
def cmd_users_add(args: argparse.Namespace, settings: Settings) -> int:
    from ecomintel.accounts.users import add_user, check_username

    with _opened(settings) as engine:
        ctx = _admin(engine, args.tenant)
        username = check_username(args.username)
        user = add_user(engine, ctx, username, _password(args, f"Password for {username}: "), role=args.role,
                        name=args.name or "", email=args.email)
        print(f"User {user.username!r} added to tenant {args.tenant!r} as {user.role}.")
        return 0


def cmd_users_list(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import asdict

    from ecomintel.accounts.users import list_users

    with _opened(settings) as engine:
        users = list_users(engine, _admin(engine, args.tenant))
        if args.json:
            print_json([asdict(u) for u in users])
            return 0
        print(f"{'user':<24} {'role':<8} {'state':<9} last sign-in")
        for u in users:
            state = "disabled" if u.disabled else "locked" if u.locked_until else "active"
            print(f"{u.username:<24} {u.role:<8} {state:<9} {u.last_login_at or 'never'}")
        return 0


def cmd_users_disable(args: argparse.Namespace, settings: Settings) -> int:
    from ecomintel.accounts.users import set_disabled

    with _opened(settings) as engine:
        user = set_disabled(engine, _admin(engine, args.tenant), args.username, disabled=not args.enable)
        print(f"User {user.username!r} is {'disabled (signed out everywhere)' if user.disabled else 'enabled'}.")
        return 0


def cmd_users_set_role(args: argparse.Namespace, settings: Settings) -> int:
    from ecomintel.accounts.users import set_role

    with _opened(settings) as engine:
        user = set_role(engine, _admin(engine, args.tenant), args.username, args.role)
        print(f"User {user.username!r} is now {user.role}.")
        return 0


def cmd_users_password(args: argparse.Namespace, settings: Settings) -> int:
    from ecomintel.accounts.users import reset_password

    with _opened(settings) as engine:
        reset_password(engine, _admin(engine, args.tenant), args.username, _password(args, "New password: "))
        print(f"Password of {args.username!r} changed; their sessions ended.")
        return 0


def cmd_users_invite(args: argparse.Namespace, settings: Settings) -> int:
    from ecomintel.accounts.invites import create_invite
    from ecomintel.accounts.policy import AuthPolicy

    with _opened(settings) as engine:
        invite = create_invite(engine, _admin(engine, args.tenant), args.role, AuthPolicy.from_settings(settings),
                               note=args.note or "")
        link = f"{args.base_url.rstrip('/')}/?invite={invite.code}" if args.base_url else ""
        if args.json:
            print_json({"code": invite.code, "role": invite.role, "expires_at": invite.expires_at, "link": link})
            return 0
        print(f"Invitation for a new {invite.role} of {args.tenant!r}, valid until {invite.expires_at:%Y-%m-%d %H:%M} UTC "
              "(one use):")
        print(f"  code: {invite.code}")
        if link:
            print(f"  link: {link}")
        return 0


# -- tenants -------------------------------------------------------------------------------------------
def cmd_tenants_add(args: argparse.Namespace, settings: Settings) -> int:
    from ecomintel.db.tenants import check_slug, ensure_tenant, get_tenant
    from ecomintel.errors import InputError, NotFound

    with _opened(settings) as engine:
        slug = check_slug(args.slug)
        try:
            get_tenant(engine, slug)
            raise InputError(f"Tenant {slug!r} exists already.")
        except NotFound:
            pass
        name = "".join(ch for ch in (args.name or slug) if ch.isprintable()).strip() or slug
        if len(name) > 200:
            raise InputError("Tenant name too long.", "Use at most 200 characters.")
        tenant = ensure_tenant(engine, slug, name)
        print(f"Tenant {tenant.slug!r} (id {tenant.id}) created. Next: `ecomintel users add NAME --tenant "
              f"{tenant.slug} --role admin`.")
        return 0


def cmd_tenants_delete(args: argparse.Namespace, settings: Settings) -> int:
    from ecomintel.retention import delete_tenant_data

    with _opened(settings) as engine:
        deleted = delete_tenant_data(engine, _admin(engine, args.tenant), args.confirm or "", settings)
        print(f"Tenant {args.tenant!r} deleted: {sum(deleted.values()):,} rows in {len(deleted)} tables, its cached "
              "answers and files.")
        return 0


# -- audit and retention ---------------------------------------------------------------------------------
def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    from ecomintel import audit

    with _opened(settings) as engine:
        ctx = _admin(engine, args.tenant)
        if args.csv:
            sys.stdout.buffer.write(audit.export_csv(engine, ctx, action=args.action, limit=args.limit))
            return 0
        rows = audit.entries(engine, ctx, action=args.action, limit=args.limit)
        if args.json:
            print_json(rows)
            return 0
        for r in rows:
            print(f"{r['created_at']:%Y-%m-%d %H:%M:%S}  {r['action']:<16} {r['username'] or '-':<16} {r['detail'] or ''}")
        return 0


def cmd_retention_show(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import asdict

    from ecomintel.db.scoped import RepositoryCore
    from ecomintel.retention import get_policy

    with _opened(settings) as engine:
        print_json(asdict(get_policy(RepositoryCore(engine, _admin(engine, args.tenant)))))
        return 0


def cmd_retention_set(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import asdict

    from ecomintel.db.scoped import RepositoryCore
    from ecomintel.retention import set_policy

    with _opened(settings) as engine:
        ctx = _admin(engine, args.tenant)
        print_json(asdict(set_policy(RepositoryCore(engine, ctx), ctx, _pairs(args.months))))
        return 0


def cmd_retention_purge(args: argparse.Namespace, settings: Settings) -> int:
    from ecomintel.db.scoped import RepositoryCore
    from ecomintel.retention import purge, purge_all

    with _opened(settings) as engine:
        if args.tenant:
            ctx = _admin(engine, args.tenant)
            result = {args.tenant: purge(RepositoryCore(engine, ctx), ctx)}
        else:
            result = purge_all(engine)
        print_json(result)
        return 0


def cmd_db_app_role(args: argparse.Namespace, settings: Settings) -> int:
    from ecomintel.db import rls
    from ecomintel.errors import InputError

    with _opened(settings) as engine:
        if engine.dialect.name != "postgresql":
            raise InputError("Row-level security needs PostgreSQL.", "Set ECOMINTEL_DATABASE_URL to a PostgreSQL URL.")
        password = _password(args, f"Password for role {args.name}: ") if args.password_stdin or args.password else None
        with engine.begin() as conn:
            rls.create_app_role(conn, args.name, password)
        print(f"Role {args.name!r} can sign in and cannot bypass row-level security. Point ECOMINTEL_DATABASE_URL at it.")
        return 0


def register(sub: Any, list_tenants: Callable[[argparse.Namespace, Settings], int]) -> None:
    """Add the accounts commands to the main parser's subcommands (`list_tenants`: the CLI's tenants table)."""
    p = sub.add_parser("users", help="manage the users who can sign in when ECOMINTEL_DEMO_MODE=0")
    users = p.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    p = users.add_parser("add", help="add a user to a tenant (password from a prompt or --password-stdin)")
    p.add_argument("username")
    p.add_argument("--tenant", required=True, help="tenant name")
    p.add_argument("--role", choices=ROLES, default="analyst")
    p.add_argument("--name", help="display name")
    p.add_argument("--email")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.set_defaults(func=cmd_users_add)
    p = users.add_parser("list", help="the users of a tenant")
    p.add_argument("--tenant", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_users_list)
    p = users.add_parser("disable", help="disable a user (ends their sessions); --enable undoes it")
    p.add_argument("username")
    p.add_argument("--tenant", required=True)
    p.add_argument("--enable", action="store_true")
    p.set_defaults(func=cmd_users_disable)
    p = users.add_parser("set-role", help="change a user's role")
    p.add_argument("username")
    p.add_argument("role", choices=ROLES)
    p.add_argument("--tenant", required=True)
    p.set_defaults(func=cmd_users_set_role)
    p = users.add_parser("password", help="set a user's password (unlocks them; ends their sessions)")
    p.add_argument("username")
    p.add_argument("--tenant", required=True)
    p.add_argument("--password-stdin", action="store_true")
    p.set_defaults(func=cmd_users_password)
    p = users.add_parser("invite", help="a one-time invitation code (and link) for a new user of a tenant")
    p.add_argument("--tenant", required=True)
    p.add_argument("--role", choices=ROLES, default="analyst")
    p.add_argument("--note", help="who it is for (kept with the invitation)")
    p.add_argument("--base-url", default="http://localhost:8501", help="the app's address, for the link")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_users_invite)

    p = sub.add_parser("tenants", help="list tenants (default), add one, or delete one with all its data")
    tenants = p.add_subparsers(dest="tenants_command", required=False, metavar="ACTION")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=list_tenants)
    q = tenants.add_parser("list", help="tenants with their data version and sales range")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=list_tenants)
    q = tenants.add_parser("add", help="create a tenant")
    q.add_argument("slug", help="lowercase letters, digits, '-' or '_'")
    q.add_argument("--name", help="display name")
    q.set_defaults(func=cmd_tenants_add)
    q = tenants.add_parser("delete", help="delete a tenant and ALL its data, caches and files")
    q.add_argument("tenant")
    q.add_argument("--confirm", required=True, help="the tenant name again")
    q.set_defaults(func=cmd_tenants_delete)

    p = sub.add_parser("audit", help="a tenant's audit log (admins' view)")
    p.add_argument("--tenant", required=True)
    p.add_argument("--action", help="only this action (login, lockout, role_changed, …)")
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("--json", action="store_true")
    p.add_argument("--csv", action="store_true", help="CSV on stdout (the export is audited)")
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("retention", help="a tenant's retention policy and the purge job")
    ret = p.add_subparsers(dest="retention_command", required=True, metavar="ACTION")
    q = ret.add_parser("show")
    q.add_argument("--tenant", required=True)
    q.set_defaults(func=cmd_retention_show)
    q = ret.add_parser("set", help="e.g. --months reviews_months=24 --months query_history_months=12")
    q.add_argument("--tenant", required=True)
    q.add_argument("--months", action="append", metavar="FIELD=N", required=True)
    q.set_defaults(func=cmd_retention_set)
    q = ret.add_parser("purge", help="delete what the policy no longer keeps (every tenant without --tenant)")
    q.add_argument("--tenant")
    q.set_defaults(func=cmd_retention_purge)

    p = sub.add_parser("db", help="database administration")
    db = p.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    q = db.add_parser("app-role", help="PostgreSQL: create/update a login role that cannot bypass row-level security")
    q.add_argument("name")
    q.add_argument("--password", action="store_true", help="prompt for a password")
    q.add_argument("--password-stdin", action="store_true")
    q.set_defaults(func=cmd_db_app_role)
