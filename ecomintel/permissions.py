"""Who may do what: the one permission table, checked by the core on every operation.

Why one table: a role is a promise ("viewers can read but never change anything"), and a promise kept in
twenty `if role == …` lines drifts. Core operations call `require(ctx, ACTION)`, which raises Forbidden with
a message a person can act on; pages ask `allowed(role, ACTION)` to hide what a role cannot do (ui/access.py
maps pages to actions), but hiding is a courtesy — the core check is the defence.
"""

from __future__ import annotations

from ecomintel.context import ROLES, RequestContext
from ecomintel.errors import Forbidden

EVERYONE = frozenset(ROLES)
ANALYSTS = frozenset({"admin", "analyst"})
ADMINS = frozenset({"admin"})

# action → roles allowed. Reading (pages, reports, the dashboard) is everyone's; changing data is analysts';
# accounts, settings, retention and deleting data are admins'.
PERMISSIONS: dict[str, frozenset[str]] = {
    "read": EVERYONE,
    "edit_own_preferences": EVERYONE,
    "change_own_password": EVERYONE,
    "upload": ANALYSTS,
    "ask": ANALYSTS,
    "run_jobs": ANALYSTS,
    "accept_recommendations": ANALYSTS,
    "export": ANALYSTS,
    "manage_users": ADMINS,
    "manage_settings": ADMINS,
    "manage_retention": ADMINS,
    "delete_data": ADMINS,
    "view_audit": ADMINS,
}

# What each action is called in a refusal ("Your role (viewer) cannot upload data.").
ACTION_WORDS: dict[str, str] = {
    "read": "read this tenant's data", "edit_own_preferences": "change preferences",
    "change_own_password": "change the password", "upload": "upload or sync data",
    "ask": "ask questions", "run_jobs": "run analyses and jobs",
    "accept_recommendations": "accept or reject recommendations", "export": "export data",
    "manage_users": "manage users and invitations", "manage_settings": "change tenant settings",
    "manage_retention": "change the retention policy or purge data", "delete_data": "delete the tenant's data",
    "view_audit": "read the audit log",
}


def allowed(role: str, action: str) -> bool:
    """True when `role` may do `action`; an unknown action is allowed to nobody (fail closed)."""
    return role in PERMISSIONS.get(action, frozenset())


def require(ctx: RequestContext, action: str) -> None:
    """Raise Forbidden unless ctx.role may do `action`."""
    if not allowed(ctx.role, action):
        who = ", ".join(sorted(PERMISSIONS.get(action, ()))) or "nobody"
        raise Forbidden(f"Your role ({ctx.role}) cannot {ACTION_WORDS.get(action, action)}.",
                        f"Allowed for: {who}. Ask an admin of your tenant if you need it.")


def actions_for(role: str) -> list[str]:
    """Every action `role` may do (the Settings page lists them)."""
    return [a for a, roles in PERMISSIONS.items() if role in roles]
