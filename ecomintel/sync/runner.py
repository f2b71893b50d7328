"""Run one sync source: the run record, the connector, metrics, logs and a span — whatever happens.

Every run leaves a sync_runs row (started, finished, status, rows, pages, errors) even when the connector
raises: a configuration error (an InputError, e.g. a secret reference that points nowhere) becomes the
run's message; a bug becomes "failed unexpectedly (TypeError)" with the traceback in the log. So the Data
Quality page, `ecomintel health` and the sync-failure alert all see every run. Data stored by a run bumps
the tenant's data_version (the ingestion pipeline and the price store do it in their transactions).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ecomintel.config import Settings
from ecomintel.errors import EcomintelError
from ecomintel.observability import SYNC_RETRIES, log_context, observe_sync
from ecomintel.sync.protocol import Connector, Progress, SyncJob, SyncOutcome, SyncSource
from ecomintel.sync.registry import connector_class
from ecomintel.sync.secrets import resolve_secret
from ecomintel.tracing import span

if TYPE_CHECKING:
    import httpx

    from ecomintel.db.repository import Repository

log = logging.getLogger(__name__)


def source_of(row: Mapping[str, Any]) -> SyncSource:
    return SyncSource(name=row["name"], connector=row["connector"], options=dict(row.get("options") or {}),
                      secret_ref=row.get("secret_ref"), schedule=row.get("schedule"),
                      enabled=bool(row.get("enabled", True)), id=row.get("id"))


def run_source(repo: Repository, settings: Settings, name: str, *, trigger: str = "manual",
               client: httpx.Client | None = None, progress: Progress | None = None,
               connector: Connector | None = None, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Run the tenant's source `name` now; returns the finished sync_runs row. Never raises for what the
    run meets (failures are in the row); raises NotFound for an unknown source, Forbidden for a viewer."""
    repo.require_write()
    source = source_of(repo.get_sync_source(name))
    run_id = repo.start_sync_run(source_id=source.id, source_name=source.name, connector=source.connector,
                                 trigger=trigger)
    started = time.perf_counter()
    outcome = SyncOutcome()
    message = ""
    with log_context(repo.ctx, sync_run_id=run_id, sync_source=source.name), \
            span("sync.run", connector=source.connector, source=source.name, trigger=trigger):
        log.info("sync started", extra={"connector": source.connector, "trigger": trigger})
        own_client = client is None
        try:
            impl = connector or connector_class(source.connector)()
            secret = resolve_secret(source.secret_ref, secrets_dir=settings.secrets_dir, env=env)
            if client is None:
                from ecomintel.sync.http import make_client

                client = make_client(user_agent=str(source.options.get("user_agent") or settings.sync_user_agent),
                                     timeout_s=settings.sync_timeout_s)
                client.event_hooks["response"] = [_retry_counter(source.connector)]
            outcome = impl.run(SyncJob(repo=repo, settings=settings, source=source, client=client, secret=secret,
                                       progress=progress or (lambda _f, _m: None)))
        except EcomintelError as exc:
            outcome.fail(source.name, exc.user_message())
            message = exc.user_message()
        except Exception as exc:  # a connector bug: the run is recorded as failed, the scheduler goes on
            log.exception("sync connector failed")
            outcome.fail(source.name, f"failed unexpectedly ({exc.__class__.__name__}); details in the log")
            message = f"failed unexpectedly ({exc.__class__.__name__})"
        finally:
            if own_client and client is not None:
                client.close()
        status = outcome.status if outcome.pages_ok or outcome.pages_failed or outcome.rows else (
            "failed" if outcome.errors else "ok")
        if not message:
            message = _message(outcome)
        repo.finish_sync_run(run_id, status=status, rows=outcome.rows, pages_ok=outcome.pages_ok + outcome.pages_unchanged,
                             pages_failed=outcome.pages_failed,
                             errors=[{"item": e.item, "reason": e.reason} for e in outcome.errors],
                             batch_ids=outcome.batch_ids, message=message[:2000])
        observe_sync(connector=source.connector, status=status, tenant_id=repo.tenant_id, source=source.name,
                     pages_ok=outcome.pages_ok, pages_unchanged=outcome.pages_unchanged,
                     pages_failed=outcome.pages_failed, finished_at=time.time())
        log.info("sync finished", extra={"connector": source.connector, "status": status, "rows": outcome.rows,
                                         "pages_ok": outcome.pages_ok, "pages_unchanged": outcome.pages_unchanged,
                                         "pages_failed": outcome.pages_failed,
                                         "elapsed_ms": int((time.perf_counter() - started) * 1000)})
    run = repo.get_sync_run(run_id)
    repo.audit("sync", {"run": run.get("number"), "source": source.name, "status": status, "rows": outcome.rows})
    return run


def _message(outcome: SyncOutcome) -> str:
    parts = [f"{outcome.rows:,} rows stored"]
    if outcome.pages_ok or outcome.pages_unchanged or outcome.pages_failed:
        parts.append(f"{outcome.pages_ok:,} pages fetched, {outcome.pages_unchanged:,} unchanged, "
                     f"{outcome.pages_failed:,} failed")
    return "; ".join(parts + outcome.notes)


def _retry_counter(connector: str) -> Callable[[Any], None]:
    """httpx response hook: count responses that fetch() will retry (5xx/429) — the retry rate metric."""
    from ecomintel.sync.http import RETRY_STATUSES

    def hook(response: Any) -> None:
        if response.status_code in RETRY_STATUSES:
            SYNC_RETRIES.labels(connector=connector).inc()

    return hook
