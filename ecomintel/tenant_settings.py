"""A tenant's own settings, set by its admins: LLM provider, model and monthly budget, cache lifetime.

Why on top of the environment: one install serves several shops; one may cap its LLM spend lower, keep
answers shorter, or keep its data away from a cloud LLM. The environment (config.py) gives the defaults;
`effective(repo, settings)` returns the Settings with the tenant's values applied, and the app, the CLI and
the background jobs pass those on. Retention, the other tenant setting, lives in ecomintel/retention.py.

The provider is a *name* the install offers (config.provider_choices: none, openai/gemini when their keys
are set, the operator's ECOMINTEL_LLM_ENDPOINTS): a tenant's admin never enters a URL or a key, so the
install's keys cannot be pointed at a server of the admin's choosing, and nothing secret is stored here.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import sqlalchemy as sa

from ecomintel import audit
from ecomintel.config import Settings, load_settings, provider_choices
from ecomintel.context import RequestContext
from ecomintel.db import models as m
from ecomintel.db.scoped import RepositoryCore, utcnow
from ecomintel.errors import InputError
from ecomintel.permissions import require

log = logging.getLogger(__name__)

KEY = "tenant_settings"
# name → (type, lowest, highest); the Settings field of the same name is what it overrides
FIELDS: dict[str, tuple[type, float, float]] = {
    "llm_monthly_budget_usd": (float, 0.0, 100_000.0),
    "cache_ttl_s": (int, 0, 30 * 86_400),
    "llm_model": (str, 0, 100),
    "llm_provider": (str, 0, 20),  # one of provider_choices(settings), checked in clean()
}
# what model names look like across OpenAI, Gemini, Ollama and Hugging Face ids ("llama3.1:8b",
# "meta-llama/Llama-3.1-8B-Instruct"); Gemini puts the name in its URL path, so no spaces, "?", "#" or ".."
MODEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/+-]*")


def get(repo: RepositoryCore) -> dict[str, Any]:
    t = m.preferences
    with repo.engine.connect() as conn:
        value = conn.execute(repo.scoped(t, t.c.value).where(t.c.key == KEY, t.c.user_id.is_(None))).scalar()
    return {k: v for k, v in (value or {}).items() if k in FIELDS} if isinstance(value, dict) else {}


def clean(values: dict[str, Any], settings: Settings | None = None) -> dict[str, Any]:
    """The values checked and normalised; InputError for the first bad one. `settings` (default: the
    environment's) says which LLM providers this install offers."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name not in FIELDS:
            raise InputError(f"Unknown tenant setting {str(name)[:40]!r}.", f"Known: {', '.join(FIELDS)}.")
        kind, lo, hi = FIELDS[name]
        if value is None or value == "":
            continue  # unset: the environment's value applies
        if kind is str:
            text = "".join(ch for ch in str(value) if ch.isprintable()).strip()
            if name == "llm_provider":
                choices = provider_choices(settings or load_settings())
                text = text.lower()
                if text not in choices:
                    raise InputError(f"LLM provider {text[:20]!r} is not offered by this install.",
                                     f"Choose one of: {', '.join(choices)} (the operator adds others with "
                                     "ECOMINTEL_LLM_ENDPOINTS).")
            if len(text) > hi:
                raise InputError(f"{name} is too long.", f"At most {hi:g} characters.")
            if name == "llm_model" and (not MODEL_NAME.fullmatch(text) or ".." in text):
                raise InputError(f"{text[:40]!r} is not a model name.",
                                 "Letters, digits and . _ : / + - only, e.g. gpt-4o-mini or llama3.1:8b.")
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


def save(repo: RepositoryCore, ctx: RequestContext, values: dict[str, Any],
         settings: Settings | None = None) -> dict[str, Any]:
    """An admin replaces the tenant's settings (an empty value returns a field to the environment's)."""
    require(ctx, "manage_settings")
    checked = clean(values, settings)
    t = m.preferences
    with repo.engine.begin() as conn:
        done = conn.execute(sa.update(t).where(t.c.tenant_id == repo.tenant_id, t.c.key == KEY, t.c.user_id.is_(None))
                            .values(value=checked, updated_at=utcnow())).rowcount
        if not done:
            conn.execute(sa.insert(t).values(tenant_id=repo.tenant_id, user_id=None, key=KEY, value=checked))
    audit.record(repo.engine, ctx, "settings_changed", what="tenant settings", **checked)
    return checked


def effective(repo: RepositoryCore, settings: Settings) -> Settings:
    """`settings` with the tenant's own values applied.

    A stored value that is no longer valid (an older version accepted it) falls back to the environment's —
    except the provider: if the one the tenant chose is no longer offered (its key or endpoint was removed),
    the tenant is planned offline (`none`) rather than sent to another provider it did not choose. A provider
    other than the install's drops the install's model name (it belongs to the install's provider) unless
    the tenant set its own.
    """
    applied: dict[str, Any] = {}
    for name, value in get(repo).items():
        try:
            applied.update(clean({name: value}, settings))
        except InputError as exc:
            log.warning("tenant %s: stored setting %s ignored: %s", repo.tenant_id, name, exc.message)
            if name == "llm_provider":
                applied["llm_provider"] = "none"
    provider = applied.get("llm_provider")
    if provider is not None and provider != settings.llm_provider and "llm_model" not in applied:
        applied["llm_model"] = ""
    return settings.replace(**applied) if applied else settings
