"""Background task for deep questions: what an RQ worker (or the local job pool) runs.

    runner.submit(run_ask_job, tenant_id=ctx.tenant_id, user_id=ctx.user_id, question=q, mode="deep")

Why the job takes ids, not objects: it may run in another process on another machine, so it receives
only plain, serialisable values and rebuilds everything (settings from the worker's environment, engine,
context, repository, cache, LLM) itself. The worker must therefore be started with the same
ECOMINTEL_DATABASE_URL / ECOMINTEL_REDIS_URL / LLM settings as the app.
"""

from __future__ import annotations

import logging
from typing import Any

from ecomintel.cache import make_cache
from ecomintel.config import Settings, load_settings
from ecomintel.context import RequestContext
from ecomintel.db.engine import make_engine
from ecomintel.db.repository import Repository
from ecomintel.db.tenants import get_tenant_by_id
from ecomintel.jobs import progress_reporter

log = logging.getLogger(__name__)


def make_governed_llm(settings: Settings, repo: Repository, purpose: str = "ask") -> Any | None:
    """The configured LLM client wrapped in budget governance, or None (offline planner answers).

    Imported lazily: the LLM modules pull in provider SDKs, and a deployment without them must still
    answer offline.
    """
    try:
        from ecomintel.llm.client import make_llm
    except ImportError:
        return None
    client = make_llm(settings)
    if client is None:
        return None
    try:
        from ecomintel.llm.usage import GovernedLLM
    except ImportError:
        log.warning("llm usage governance unavailable; LLM not used in background jobs")
        return None
    return GovernedLLM(client, repo, settings, purpose)


def run_ask_job(tenant_id: int, user_id: int | None, question: str, mode: str = "deep",
                role: str = "analyst") -> dict[str, Any]:
    """Answer `question` for the tenant and return the Report dict (also saved by ask()).

    Progress goes to the job record through a reporter bound in this thread, so agents running in the
    executor's own threads can report too (see ecomintel.jobs).
    """
    from ecomintel import tenant_settings
    from ecomintel.ask.service import ask  # lazy: ask imports every agent; keep `import tasks` cheap

    settings = load_settings()
    progress = progress_reporter()
    progress(0.0, "starting")
    engine = make_engine(settings.database_url)
    try:
        get_tenant_by_id(engine, tenant_id)  # NotFound (not retried) if the tenant was deleted
        ctx = RequestContext(tenant_id=tenant_id, user_id=user_id, role=role)
        repo = Repository(engine, ctx)
        settings = tenant_settings.effective(repo, settings)  # the tenant's LLM budget/model, cache TTL (issue 12)
        report: dict[str, Any] = ask(question, repo=repo, settings=settings, mode=mode,
                                     cache=make_cache(settings, repo=repo), llm=make_governed_llm(settings, repo),
                                     progress=progress)
        return report
    finally:
        engine.dispose()
