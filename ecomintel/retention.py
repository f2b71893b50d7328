"""Retention: how long a tenant's data is kept, the purge that enforces it, and deleting a tenant entirely.

Why per tenant: one shop must keep reviews two years, another may keep nothing beyond a year; the policy is
the tenant's (an admin sets it), stored as a tenant preference, and the purge job (`ecomintel retention
purge`, scheduled by ops like any periodic job) applies each tenant's own policy.

Why "delete all our data" scans the database, not a list: tenant tables are added all the time; a list would
miss the newest. Every table with a tenant_id column — in the models' metadata and in the database itself —
loses the tenant's rows, then the tenant row goes, then its cached answers (Redis) and its files
(ECOMINTEL_DATA_DIR/tenants/<id>/, where per-tenant artifacts and exports live). A test scans every table
afterwards.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ecomintel import audit
from ecomintel.config import Settings
from ecomintel.context import RequestContext
from ecomintel.db import models as m
from ecomintel.db import rls
from ecomintel.db.scoped import RepositoryCore, utcnow
from ecomintel.db.tenants import get_tenant_by_id, list_tenants
from ecomintel.errors import Forbidden, InputError
from ecomintel.permissions import require

log = logging.getLogger("ecomintel.retention")
POLICY_KEY = "retention_policy"
DELETED_PREFIX = "deleted~"


@dataclass(frozen=True)
class RetentionPolicy:
    """Months each kind of data is kept; 0 = kept until deleted."""

    reviews_months: int = 24
    query_history_months: int = 12
    audit_months: int = 24
    llm_usage_months: int = 24
    sync_runs_months: int = 12
    sales_months: int = 0
    price_history_months: int = 0


# policy field → (table, timestamp column): what a purge deletes, older than the policy's months
TARGETS: dict[str, tuple[sa.Table, str]] = {
    "reviews_months": (m.reviews, "created_at"),
    "query_history_months": (m.reports, "created_at"),
    "audit_months": (m.audit_log, "created_at"),
    "llm_usage_months": (m.llm_usage, "created_at"),
    "sync_runs_months": (m.sync_runs, "started_at"),
    "sales_months": (m.sales, "sold_at"),
    "price_history_months": (m.price_history, "observed_at"),
}
DATA_FIELDS = ("reviews_months", "sales_months", "price_history_months")  # a purge of these bumps data_version


def _same_tenant(repo: RepositoryCore, ctx: RequestContext) -> None:
    if repo.tenant_id != ctx.tenant_id:
        raise Forbidden("That tenant is not yours.")


def get_policy(repo: RepositoryCore) -> RetentionPolicy:
    t = m.preferences
    with repo.engine.connect() as conn:
        value = conn.execute(repo.scoped(t, t.c.value).where(t.c.key == POLICY_KEY, t.c.user_id.is_(None))).scalar()
    known = {f.name for f in fields(RetentionPolicy)}
    values = {k: int(v) for k, v in (value or {}).items() if k in known} if isinstance(value, dict) else {}
    return RetentionPolicy(**values)


def set_policy(repo: RepositoryCore, ctx: RequestContext, values: dict[str, Any]) -> RetentionPolicy:
    """An admin changes the tenant's policy (months 0..240 each)."""
    require(ctx, "manage_retention")
    _same_tenant(repo, ctx)
    known = {f.name for f in fields(RetentionPolicy)}
    bad = sorted(set(values) - known)
    if bad:
        raise InputError(f"Unknown retention field {bad[0][:40]!r}.", f"Known: {', '.join(sorted(known))}.")
    checked: dict[str, int] = {}
    for key, value in values.items():
        try:
            months = int(value)
        except (TypeError, ValueError):
            raise InputError(f"{key} must be a whole number of months.") from None
        if not 0 <= months <= 240:
            raise InputError(f"{key} must be between 0 (keep) and 240 months.")
        checked[key] = months
    policy = RetentionPolicy(**{**asdict(get_policy(repo)), **checked})
    t = m.preferences
    with repo.engine.begin() as conn:
        done = conn.execute(sa.update(t).where(t.c.tenant_id == repo.tenant_id, t.c.key == POLICY_KEY,
                                               t.c.user_id.is_(None))
                            .values(value=asdict(policy), updated_at=utcnow())).rowcount
        if not done:
            conn.execute(sa.insert(t).values(tenant_id=repo.tenant_id, user_id=None, key=POLICY_KEY,
                                             value=asdict(policy)))
    audit.record(repo.engine, ctx, "retention_changed", **checked)
    return policy


def cutoff(now: datetime, months: int) -> datetime:
    return now - timedelta(days=round(months * 30.44))


def purge(repo: RepositoryCore, ctx: RequestContext, now: datetime | None = None) -> dict[str, int]:
    """Delete what the tenant's policy no longer keeps; {table: rows deleted}. Audited."""
    require(ctx, "manage_retention")
    _same_tenant(repo, ctx)
    now = now or utcnow()
    policy = get_policy(repo)
    deleted: dict[str, int] = {}
    with repo.engine.begin() as conn:
        rls.allow_audit_delete(conn)
        for name, (table, column) in TARGETS.items():
            months = int(getattr(policy, name))
            if months <= 0:
                continue
            limit = cutoff(now, months)
            old = table.c[column] < limit
            if "batch_id" in table.c:  # an undated row (a review without a date) ages with its upload
                b = m.ingestion_batches
                uploaded = sa.select(b.c.id).where(b.c.tenant_id == repo.tenant_id, b.c.created_at < limit)
                old = sa.or_(old, sa.and_(table.c[column].is_(None), table.c.batch_id.in_(uploaded)))
            stmt = sa.delete(table).where(table.c.tenant_id == repo.tenant_id, old)
            count = int(conn.execute(stmt).rowcount or 0)
            if count:
                deleted[table.name] = deleted.get(table.name, 0) + count
        if any(deleted.get(TARGETS[f][0].name) for f in DATA_FIELDS):
            repo.bump_data_version(conn)
    audit.record(repo.engine, ctx, "retention_purge", deleted=deleted, policy=asdict(policy))
    return deleted


def purge_all(engine: sa.Engine, now: datetime | None = None) -> dict[str, dict[str, int]]:
    """The scheduled job: every tenant's own policy, as that tenant's system admin. {tenant slug: deleted}."""
    out: dict[str, dict[str, int]] = {}
    for tenant in list_tenants(engine):
        ctx = RequestContext(tenant_id=tenant.id, role="admin")
        out[tenant.slug] = purge(RepositoryCore(engine, ctx), ctx, now)
    return out


def tenant_dir(settings: Settings, tenant_id: int) -> Path:
    """Where a tenant's files live (model artifacts, exports): deleted with the tenant."""
    return Path(settings.data_dir) / "tenants" / str(int(tenant_id))


def tables_with_tenant(engine: sa.Engine) -> list[str]:
    """Every table with a tenant_id column: the models' and any the database has beyond them."""
    names = {t.name for t in m.metadata.sorted_tables if "tenant_id" in t.c}
    inspector = sa.inspect(engine)
    for table in inspector.get_table_names():
        if any(c["name"] == "tenant_id" for c in inspector.get_columns(table)):
            names.add(table)
    order = [t.name for t in reversed(m.metadata.sorted_tables)]  # children before parents
    return sorted(names, key=lambda n: (order.index(n) if n in order else -1, n))


def tenant_artifacts(engine: sa.Engine, tenant_id: int, settings: Settings) -> list[Path]:
    """Folders under the data directory named by the tenant's rows of any table with an `artifact` column
    (the model registry's versions of this tenant); never a path outside the data directory."""
    root = Path(settings.data_dir).resolve()
    inspector = sa.inspect(engine)
    found: list[Path] = []
    with rls.tenant_engine(engine, tenant_id).connect() as conn:
        for table in tables_with_tenant(engine):
            if not any(c["name"] == "artifact" for c in inspector.get_columns(table)):
                continue
            for (value,) in conn.exec_driver_sql(
                    f'SELECT artifact FROM "{table}" WHERE tenant_id = {int(tenant_id)} AND artifact IS NOT NULL'):
                folder = (root / str(value)).resolve()
                if folder != root and root in folder.parents:
                    found.append(folder)
    return found


def delete_tenant_data(engine: sa.Engine, ctx: RequestContext, confirm: str, settings: Settings) -> dict[str, int]:
    """"Delete all our data": every row of the tenant in every table, the tenant itself, its cached answers
    and files. `confirm` must be the tenant's name (slug), typed by the admin. {table: rows deleted}."""
    require(ctx, "delete_data")
    tenant = get_tenant_by_id(engine, ctx.tenant_id)
    if (confirm or "").strip() != tenant.slug:
        raise InputError("The confirmation does not match.", f"Type the tenant name {tenant.slug!r} exactly.")
    try:  # Redis keys first (the database entries go with the tables below)
        from ecomintel.cache import clear_tenant_cache
        from ecomintel.db.repository import Repository

        if settings.redis_url:
            clear_tenant_cache(settings, Repository(engine, ctx))
    except Exception as exc:  # the data must go even when Redis is down; its keys expire with their TTL
        log.warning("tenant %s: cached answers in Redis not cleared (%s); they expire with their TTL",
                    tenant.id, exc.__class__.__name__)
    deleted: dict[str, int] = {}
    artifacts = tenant_artifacts(engine, tenant.id, settings)
    with rls.tenant_engine(engine, tenant.id).begin() as conn:
        rls.allow_audit_delete(conn)
        for name in tables_with_tenant(engine):
            count = conn.exec_driver_sql(f'DELETE FROM "{name}" WHERE tenant_id = {int(tenant.id)}').rowcount
            if count:
                deleted[name] = int(count)
        if conn.dialect.name == "sqlite":
            # SQLite hands the highest rowid out again: a new tenant must never get this id (in-process caches
            # key answers by tenant id), so an empty tombstone keeps it; check_slug never allows the '~'.
            conn.execute(sa.update(m.tenants).where(m.tenants.c.id == tenant.id)
                         .values(slug=f"{DELETED_PREFIX}{tenant.id}", name=""))
        else:  # PostgreSQL sequences never reuse an id
            conn.execute(sa.delete(m.tenants).where(m.tenants.c.id == tenant.id))
    shutil.rmtree(tenant_dir(settings, tenant.id), ignore_errors=True)
    for folder in artifacts:  # the tenant's own model versions (forecast backtests …), rows gone above
        shutil.rmtree(folder, ignore_errors=True)
    log.info("tenant %s (%s) deleted by user %s: %s", tenant.id, tenant.slug, ctx.user_id, deleted)
    return deleted


def last_purge(engine: sa.Engine) -> datetime | None:
    """When a purge last ran for any tenant (its audit entries), so a scheduler that was down at the purge's
    time runs it when it comes back instead of waiting another day. Cross-tenant: the scheduler's question."""
    t = m.audit_log
    with rls.system_engine(engine).connect() as conn:
        value = conn.execute(sa.select(sa.func.max(t.c.created_at)).where(t.c.action == "retention_purge")).scalar()
    return value if isinstance(value, datetime) else None


def run_purge_job() -> dict[str, dict[str, int]]:
    """The scheduled purge as a job function (RQ / the in-process runner / cron via `ecomintel retention purge`):
    opens the database from the settings and applies every tenant's policy."""
    from ecomintel.config import load_settings
    from ecomintel.db.engine import make_engine

    engine = make_engine(load_settings().database_url)
    try:
        return purge_all(engine)
    finally:
        engine.dispose()
