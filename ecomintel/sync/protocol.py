"""The connector protocol: what every sync connector receives and returns.

Why a protocol and plain dataclasses: a connector is one small class (`name`, `run(job) -> outcome`)
registered by name (registry.py), so a new source of data is one file and one line — the same shape as
agents and LLM providers. Everything a connector needs arrives in `SyncJob` (repository, settings, the
configured source, an HTTP client, the resolved secret): no globals, and tests pass real local ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from ecomintel.config import Settings

if TYPE_CHECKING:
    import httpx

    from ecomintel.db.repository import Repository

Progress = Callable[[float, str], None]
MAX_ERRORS_KEPT = 500  # per run; the count is exact, the list is capped so one broken host cannot bloat a row


@dataclass(frozen=True)
class SyncSource:
    """One configured sync of a tenant (a row of sync_sources)."""

    name: str
    connector: str
    options: dict[str, Any] = field(default_factory=dict)
    secret_ref: str | None = None
    schedule: str | None = None
    enabled: bool = True
    id: int | None = None


@dataclass
class SyncError:
    """One thing that failed in a run: which item (URL, page, file) and why, in words."""

    item: str
    reason: str


@dataclass
class SyncOutcome:
    """What one run did. `pages_*` count HTTP fetches (a feed is one page, a REST sync one per page)."""

    rows: int = 0
    pages_ok: int = 0
    pages_failed: int = 0
    pages_unchanged: int = 0
    errors: list[SyncError] = field(default_factory=list)
    batch_ids: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def fail(self, item: str, reason: str) -> None:
        self.pages_failed += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(SyncError(item, reason))

    @property
    def status(self) -> str:
        """ok: nothing failed; partial: some items failed, some worked; failed: nothing worked."""
        if not self.pages_failed:
            return "ok"
        return "partial" if self.pages_ok or self.pages_unchanged or self.rows else "failed"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status}


@dataclass
class SyncJob:
    """Everything a connector's `run` may use."""

    repo: Repository
    settings: Settings
    source: SyncSource
    client: httpx.Client
    secret: str | None = None
    progress: Progress = field(default=lambda _f, _m: None)


class Connector(Protocol):
    """A sync connector: `run` pulls data for `job.source` and stores it through the repository.

    Contract: one item's failure (a URL, a page) is recorded in the outcome (`fail`) and the run goes on;
    raising is for a configuration the connector cannot work with at all (an InputError with a hint)."""

    name: ClassVar[str]

    def run(self, job: SyncJob) -> SyncOutcome: ...
