"""Job functions for syncs (what RQ workers, rq's CronScheduler and the in-process scheduler run).

Why ids and not objects: a job crosses processes as JSON-ish kwargs; the worker re-reads settings from its
environment, opens the database and builds the tenant's repository itself.
"""

from __future__ import annotations

from typing import Any

from ecomintel.config import load_settings


def run_sync_job(tenant_id: int, source_id: int, trigger: str = "schedule") -> dict[str, Any]:
    """Run source `source_id` of tenant `tenant_id`; returns a JSON-safe summary of the run."""
    from ecomintel.context import RequestContext
    from ecomintel.db.engine import make_engine
    from ecomintel.db.repository import Repository
    from ecomintel.jobs import progress_reporter
    from ecomintel.sync.runner import run_source

    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        repo = Repository(engine, RequestContext(tenant_id=int(tenant_id), role="analyst"))
        name = repo.get_sync_source_by_id(int(source_id))["name"]
        progress = progress_reporter()
        run = run_source(repo, settings, name, trigger=trigger, progress=progress)
        refit = refit_forecasts_after(repo, settings, run, progress)
    finally:
        engine.dispose()
    out = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in run.items()}
    if refit is not None:
        out["forecast_refit"] = {"status": refit.get("status"), "series": refit.get("series")}
    return out


def refit_forecasts_after(repo: Any, settings: Any, run: dict[str, Any],
                          progress: Any = None) -> dict[str, Any] | None:
    """After a scheduled sync stored sales lines, refit the catalogue forecast in the same job, so the Forecast
    page and forecast answers read forecasts of the new data (issue 10 item 4) instead of stale ones; None when
    the run stored no sales (prices, reviews, products leave the demand forecast as it is)."""
    kinds = {repo.get_batch(int(b))["kind"] for b in (run.get("batch_ids") or [])}
    if "sales" not in kinds:
        return None
    from ecomintel.forecasting.service import fit_catalogue

    return fit_catalogue(repo, settings, progress=progress)
