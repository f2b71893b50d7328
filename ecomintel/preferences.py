"""Preferences: what a user wants to see and the business thresholds the analyses use.

Three layers, the first that has a value wins: the user's own preference, the tenant's default (set by an
admin; for the minimum margin the pricing engineer's `pricing_min_margin` key), the setting in config.py.
Pages, the pricing and the forecast analyses read them with one call, `preferences(repo, ctx)`, so a
threshold means the same thing everywhere. Values are checked on the way in: a preference is user input.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

import sqlalchemy as sa

from ecomintel import audit
from ecomintel.config import Settings, load_settings
from ecomintel.context import RequestContext
from ecomintel.db import models as m
from ecomintel.db.scoped import RepositoryCore, utcnow
from ecomintel.errors import InputError
from ecomintel.permissions import require

USER_KEY = "user_preferences"      # row with user_id = the user (demo mode: NULL)
TENANT_KEY = "tenant_preferences"  # row with user_id NULL: an admin's defaults for the tenant
KPIS = ("revenue", "orders", "units", "customers", "aov", "returned_value", "return_rate", "new_customers")
DEFAULT_KPIS = ("revenue", "orders", "customers", "aov")
MAX_ITEMS = 20
MAX_TEXT = 100


@dataclass(frozen=True)
class Preferences:
    home_kpis: tuple[str, ...] = DEFAULT_KPIS
    goals: dict[str, float] = field(default_factory=dict)  # metric → monthly target
    marketplaces: tuple[str, ...] = ()  # focus; empty = all
    currency: str = ""  # display currency code; "" = the data's own
    min_margin: float = 0.2  # (price − cost) / price a recommended price keeps
    price_change_pct: float = 5.0  # competitor price moves beyond it are alerts
    forecast_horizon_days: int = 28
    service_level: float = 0.95

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["home_kpis"], out["marketplaces"] = list(self.home_kpis), list(self.marketplaces)
        return out


def defaults(settings: Settings | None = None) -> Preferences:
    s = settings or load_settings()
    return Preferences(min_margin=float(getattr(s, "price_min_margin", 0.2)),
                       price_change_pct=s.default_price_change_pct,
                       forecast_horizon_days=s.default_forecast_horizon_days,
                       service_level=s.default_service_level)


def printable(value: Any) -> str:
    """Text without control characters (PostgreSQL refuses NUL in text and JSON; none belongs in a name)."""
    return "".join(ch for ch in str(value) if ch.isprintable()).strip()


def _number(values: dict[str, Any], key: str, lo: float, hi: float, what: str) -> float:
    try:
        value = float(values[key])
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a number.") from None
    if not lo <= value <= hi:
        raise InputError(f"{what} must be between {lo:g} and {hi:g}.", f"Got {value:g}.")
    return value


def clean(values: dict[str, Any]) -> dict[str, Any]:
    """The known keys of `values`, checked and normalised (InputError for a bad value; unknown keys refused)."""
    known = {f.name for f in fields(Preferences)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise InputError(f"Unknown preference(s): {', '.join(k[:40] for k in unknown[:5])}.")
    out: dict[str, Any] = {}
    if "home_kpis" in values:
        kpis = [str(k) for k in values["home_kpis"] or []][:MAX_ITEMS]
        bad = [k for k in kpis if k not in KPIS]
        if bad:
            raise InputError(f"Unknown KPI {bad[0][:40]!r}.", f"Choose from {', '.join(KPIS)}.")
        out["home_kpis"] = list(dict.fromkeys(kpis)) or list(DEFAULT_KPIS)
    if "goals" in values:
        goals = values["goals"] or {}
        if not isinstance(goals, dict) or any(k not in KPIS for k in goals):
            raise InputError("Goals are KPI → number.", f"KPIs: {', '.join(KPIS)}.")
        out["goals"] = {k: _number(goals, k, 0, 1e12, f"The {k} goal") for k in goals}
    if "marketplaces" in values:
        names = (printable(v)[:MAX_TEXT] for v in values["marketplaces"] or [])
        out["marketplaces"] = [v for v in names if v][:MAX_ITEMS]
    if "currency" in values:
        code = printable(values["currency"] or "").upper()
        if code and not (len(code) == 3 and code.isalpha()):
            raise InputError(f"Currency {code[:10]!r} is not a three-letter code.", "E.g. GBP, EUR, USD.")
        out["currency"] = code
    if "min_margin" in values:
        out["min_margin"] = _number(values, "min_margin", 0, 0.95, "The minimum margin")
    if "price_change_pct" in values:
        out["price_change_pct"] = _number(values, "price_change_pct", 0.1, 100, "The price-change threshold %")
    if "forecast_horizon_days" in values:
        out["forecast_horizon_days"] = int(_number(values, "forecast_horizon_days", 1, 365, "The forecast horizon"))
    if "service_level" in values:
        out["service_level"] = _number(values, "service_level", 0.5, 0.999, "The service level")
    return out


def _read(repo: RepositoryCore, key: str, user_id: int | None) -> dict[str, Any]:
    t = m.preferences
    stmt = repo.scoped(t, t.c.value).where(t.c.key == key,
                                           t.c.user_id.is_(None) if user_id is None else t.c.user_id == user_id)
    with repo.engine.connect() as conn:
        value = conn.execute(stmt).scalar()
    return dict(value) if isinstance(value, dict) else {}


def _write(repo: RepositoryCore, key: str, user_id: int | None, value: dict[str, Any]) -> None:
    t = m.preferences
    who = t.c.user_id.is_(None) if user_id is None else t.c.user_id == user_id
    with repo.engine.begin() as conn:
        done = conn.execute(sa.update(t).where(t.c.tenant_id == repo.tenant_id, t.c.key == key, who)
                            .values(value=value, updated_at=utcnow())).rowcount
        if not done:
            conn.execute(sa.insert(t).values(tenant_id=repo.tenant_id, user_id=user_id, key=key, value=value))


def _merge(base: Preferences, values: dict[str, Any]) -> Preferences:
    try:
        checked = clean({k: v for k, v in values.items() if k in {f.name for f in fields(Preferences)}})
    except InputError:
        return base  # a stored value that no longer validates (an older version's) falls back, never crashes
    checked = {k: tuple(v) if isinstance(v, list) else v for k, v in checked.items()}
    return replace(base, **checked)


def preferences(repo: RepositoryCore, ctx: RequestContext | None = None,
                settings: Settings | None = None) -> Preferences:
    """The preferences in effect for ctx's user (default: the repository's context)."""
    ctx = ctx or repo.ctx
    prefs = defaults(settings)
    t = m.preferences
    with repo.engine.connect() as conn:
        pricing = conn.execute(repo.scoped(t, t.c.value).where(t.c.key == "pricing_min_margin",
                                                               t.c.user_id.is_(None))).scalar()
    if pricing is not None:
        prefs = _merge(prefs, {"min_margin": pricing})
    prefs = _merge(prefs, _read(repo, TENANT_KEY, None))
    return _merge(prefs, _read(repo, USER_KEY, ctx.user_id))


def save_preferences(repo: RepositoryCore, ctx: RequestContext, values: dict[str, Any]) -> Preferences:
    """Store the user's own preferences (every role may); returns what is now in effect."""
    require(ctx, "edit_own_preferences")
    checked = clean(values)
    stored = {**_read(repo, USER_KEY, ctx.user_id), **checked}
    _write(repo, USER_KEY, ctx.user_id, stored)
    audit.record(repo.engine, ctx, "preferences_changed", keys=sorted(checked))
    return preferences(repo, ctx)


def save_tenant_defaults(repo: RepositoryCore, ctx: RequestContext, values: dict[str, Any]) -> Preferences:
    """An admin's defaults for every user of the tenant; the minimum margin also feeds the pricing key."""
    require(ctx, "manage_settings")
    checked = clean(values)
    _write(repo, TENANT_KEY, None, {**_read(repo, TENANT_KEY, None), **checked})
    if "min_margin" in checked:
        t = m.preferences
        with repo.engine.begin() as conn:
            done = conn.execute(sa.update(t).where(t.c.tenant_id == repo.tenant_id, t.c.key == "pricing_min_margin",
                                                   t.c.user_id.is_(None))
                                .values(value=checked["min_margin"], updated_at=utcnow())).rowcount
            if not done:
                conn.execute(sa.insert(t).values(tenant_id=repo.tenant_id, user_id=None, key="pricing_min_margin",
                                                 value=checked["min_margin"]))
    audit.record(repo.engine, ctx, "settings_changed", what="tenant preferences", keys=sorted(checked))
    return preferences(repo, ctx)
