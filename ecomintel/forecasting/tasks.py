"""Background task for the whole-catalogue forecast fit: what an RQ worker (or the local job pool) runs.

    job_id = runner.submit(run_forecast_job, tenant_id=ctx.tenant_id, user_id=ctx.user_id)
    runner.status(job_id).progress  # 0..1, with messages ("backtest window 1/2: global_lgbm", …)

Like ask/tasks.py: the job takes ids, not objects, because it may run in another process; it rebuilds the
settings, engine, context and repository itself (the worker needs the app's ECOMINTEL_DATABASE_URL).
"""

from __future__ import annotations

from typing import Any

from ecomintel.config import load_settings
from ecomintel.context import RequestContext
from ecomintel.db.engine import make_engine
from ecomintel.db.repository import Repository
from ecomintel.db.tenants import get_tenant_by_id
from ecomintel.jobs import progress_reporter


def run_forecast_job(tenant_id: int, user_id: int | None = None, horizon_days: int | None = None,
                     min_history_days: int = 30, role: str = "analyst") -> dict[str, Any]:
    """Fit, store and register the tenant's catalogue forecast; returns the fit summary."""
    from ecomintel.forecasting.service import fit_catalogue  # lazy: keeps `import tasks` cheap

    settings = load_settings()
    progress = progress_reporter()
    progress(0.0, "starting")
    engine = make_engine(settings.database_url)
    try:
        get_tenant_by_id(engine, tenant_id)
        repo = Repository(engine, RequestContext(tenant_id=tenant_id, user_id=user_id, role=role))
        return fit_catalogue(repo, settings, horizon=horizon_days, min_days=min_history_days, progress=progress)
    finally:
        engine.dispose()
