"""A tenant's own settings, set by its admins: LLM model and monthly budget, cache lifetime.

Why on top of the environment: one install serves several shops; one may cap its LLM spend lower, or keep
answers shorter. The environment (config.py) gives the defaults; `effective(repo, settings)` returns the
Settings with the tenant's values applied, and the app and the background jobs pass those on. Retention,
the other tenant setting, lives in ecomintel/retention.py.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ecomintel import audit
from ecomintel.config import Settings
from ecomintel.context import RequestContext
from ecomintel.db import models as m
from ecomintel.db.scoped import RepositoryCore, utcnow
from ecomintel.errors import InputError
from ecomintel.permissions import require

KEY = "tenant_settings"
# name → (type, lowest, highest); the Settings field of the same name is what it overrides
FIELDS: dict[str, tuple[type, float, float]] = {
    "llm_monthly_budget_usd": (float, 0.0, 100_000.0),
    "cache_ttl_s": (int, 0, 30 * 86_400),
    "llm_model": (str, 0, 100),
}


def get(repo: RepositoryCore) -> dict[str, Any]:
    t = m.preferences
    with repo.engine.connect() as conn:
        value = conn.execute(repo.scoped(t, t.c.value).where(t.c.key == KEY, t.c.user_id.is_(None))).scalar()
    return {k: v for k, v in (value or {}).items() if k in FIELDS} if isinstance(value, dict) else {}


def clean(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name not in FIELDS:
            raise InputError(f"Unknown tenant setting {str(name)[:40]!r}.", f"Known: {', '.join(FIELDS)}.")
        kind, lo, hi = FIELDS[name]
        if value is None or value == "":
            continue  # unset: the environment's value applies
        if kind is str:
            text = "".join(ch for ch in str(value) if ch.isprintable()).strip()
            if len(text) > hi:
                raise InputError(f"{name} is too long.", f"At most {hi:g} characters.")
            out[name] = text
            continue
        try:
            number = kind(value)
        except (TypeError, ValueError):
            raise InputError(f"{name} must be a number.") from None
        if not lo <= number <= hi:
            raise InputError(f"{name} must be between {lo:g} and {hi:g}.")
        out[name] = number
    return out


def save(repo: RepositoryCore, ctx: RequestContext, values: dict[str, Any]) -> dict[str, Any]:
    """An admin replaces the tenant's settings (an empty value returns a field to the environment's)."""
    require(ctx, "manage_settings")
    checked = clean(values)
    t = m.preferences
    with repo.engine.begin() as conn:
        done = conn.execute(sa.update(t).where(t.c.tenant_id == repo.tenant_id, t.c.key == KEY, t.c.user_id.is_(None))
                            .values(value=checked, updated_at=utcnow())).rowcount
        if not done:
            conn.execute(sa.insert(t).values(tenant_id=repo.tenant_id, user_id=None, key=KEY, value=checked))
    audit.record(repo.engine, ctx, "settings_changed", what="tenant settings", **checked)
    return checked


def effective(repo: RepositoryCore, settings: Settings) -> Settings:
    """`settings` with the tenant's own values applied."""
    own = get(repo)
    try:
        return settings.replace(**clean(own)) if own else settings
    except InputError:
        return settings  # a stored value an older version accepted: the environment's values apply
