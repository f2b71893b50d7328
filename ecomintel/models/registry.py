"""The model registry: every trained or evaluated model version, its metrics, and which one is active.

Public API (other parts build on it: the sentiment agent, `ecomintel models …`, forecast backtests):

    registry = open_registry(settings)              # or ModelRegistry(engine, data_dir)
    mv = registry.register("sentiment", "tfidf-lr", params={...}, data_fingerprint=fp,
                           metrics={"binary_macro_f1": 0.9, ...}, artifact=trained_object,
                           files={"reference.json": text}, tenant_id=None, activate=False)
    registry.versions("sentiment")                  # [ModelVersion], newest first
    registry.active("sentiment")                    # ModelVersion | None
    registry.activate("sentiment", mv.version)      # the analyst's choice (`ecomintel models activate`)
    registry.ranked("sentiment")                    # best first by the kind's ranking metric (RANKINGS)
    registry.activate_best("sentiment")             # what training does after evaluating the candidates
    registry.load_artifact(mv.version)              # the object saved with it (joblib), hash-checked
    registry.artifact_file(mv.version, "reference.json")

A ModelVersion holds kind, name, version, params, data_fingerprint (sha256 of the training data), metrics
(held-out figures; `eval_fingerprint` names the split they were measured on), created_at, active, artifact
(a folder relative to the data directory), tenant_id (None = install-wide; set for a tenant's own versions
such as forecast backtests, which only that tenant's calls see) and a note.

Why rows in the database and artifacts as files: app replicas and workers share the database, so they agree
on the active version and its metrics; artifacts are files under ECOMINTEL_DATA_DIR/models/<kind>/<version>/
(never in git, never in the database), which several replicas need on a shared volume.
Why hash-checked loading: artifacts are joblib pickles of objects this code trained; the sha256 recorded at
registration is compared before unpickling, so a swapped or damaged file is refused, not executed.
Why ranking by a named metric per kind: "the active model is the one whose held-out metrics rank first" must
compare like with like, so `ranked` only compares versions measured on the same held-out split
(`metrics["eval_fingerprint"]`) as the newest version that has the metric.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ecomintel.errors import InputError, NotFound

if TYPE_CHECKING:
    import sqlalchemy as sa

    from ecomintel.config import Settings

ARTIFACT_FILE = "model.joblib"


@dataclass(frozen=True)
class Ranking:
    """How versions of a kind are compared: a metrics key and whether higher is better."""

    metric: str
    higher_is_better: bool = True


# One row per kind; a new kind adds its line (forecast backtests: a lower error is better).
RANKINGS: dict[str, Ranking] = {
    "sentiment": Ranking("binary_macro_f1", True),
    "forecast": Ranking("wape", False),
}


@dataclass(frozen=True)
class ModelVersion:
    """One registered version (a row of `model_versions`)."""

    kind: str
    name: str
    version: str
    params: dict[str, Any] = field(default_factory=dict)
    data_fingerprint: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    active: bool = False
    artifact: str | None = None
    tenant_id: int | None = None
    note: str | None = None

    def metric(self, name: str) -> float | None:
        value = self.metrics.get(name)
        return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "version": self.version, "params": self.params,
                "data_fingerprint": self.data_fingerprint, "metrics": self.metrics,
                "created_at": self.created_at.isoformat(timespec="seconds") if self.created_at else None,
                "active": self.active, "artifact": self.artifact, "tenant_id": self.tenant_id, "note": self.note}


def _from_row(row: Mapping[str, Any]) -> ModelVersion:
    def as_dict(value: Any) -> dict[str, Any]:
        if isinstance(value, str):
            value = json.loads(value)
        return dict(value or {})

    return ModelVersion(kind=row["kind"], name=row["name"], version=row["version"], params=as_dict(row["params"]),
                        data_fingerprint=row["data_fingerprint"], metrics=as_dict(row["metrics"]),
                        created_at=row["created_at"], active=bool(row["active"]), artifact=row["artifact"],
                        tenant_id=row["tenant_id"], note=row["note"])


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(parts: Any) -> str:
    """sha256 of an iterable of texts/values (training-data fingerprint: same data → same fingerprint)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(str(part).encode("utf-8", "surrogatepass"))
        digest.update(b"\x1f")
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    """numpy scalars → Python numbers; anything else JSON cannot hold is refused."""
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def _jsonable(value: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON round trip: what the database will hand back (and a clear error for what it cannot store:
    objects, NaN/infinity)."""
    try:
        return dict(json.loads(json.dumps(dict(value), default=_plain, allow_nan=False)))
    except (TypeError, ValueError) as exc:
        raise InputError(f"Model params/metrics must be JSON values: {exc}.") from exc


class ModelRegistry:
    """The registry over one database (rows) and one data directory (artifacts)."""

    def __init__(self, engine: sa.Engine, data_dir: str | Path) -> None:
        from ecomintel.db.model_store import ModelStore

        self.store = ModelStore(engine)
        self.data_dir = Path(data_dir)

    # -- writing ------------------------------------------------------------------------------------------
    def new_version(self, kind: str, name: str) -> str:
        """A unique, sortable version id: `<kind>-<name>-<UTC timestamp>-<random>`."""
        from ecomintel.db.scoped import utcnow

        stamp = utcnow().strftime("%Y%m%dT%H%M%S")
        return f"{kind}-{name}-{stamp}-{secrets.token_hex(3)}"[:100]

    def artifact_dir(self, kind: str, version: str) -> Path:
        return self.data_dir / "models" / kind / version

    def register(self, kind: str, name: str, *, params: Mapping[str, Any] | None = None,
                 data_fingerprint: str | None = None, metrics: Mapping[str, Any] | None = None,
                 artifact: Any = None, files: Mapping[str, str | bytes] | None = None,
                 version: str | None = None, tenant_id: int | None = None, activate: bool = False,
                 note: str | None = None) -> ModelVersion:
        """Store a new version: its artifact (joblib of `artifact`) and `files` under the data directory first,
        then its row (so a row never points at a folder that is not complete)."""
        import joblib

        from ecomintel.db.scoped import utcnow

        version = version or self.new_version(kind, name)
        stored_params = _jsonable(params or {})
        relative: str | None = None
        if artifact is not None or files:
            folder = self.artifact_dir(kind, version)
            folder.mkdir(parents=True, exist_ok=True)
            try:
                if artifact is not None:
                    target = folder / ARTIFACT_FILE
                    joblib.dump(artifact, target, compress=3)
                    stored_params["artifact_sha256"] = sha256_file(target)
                for file_name, content in (files or {}).items():
                    path = folder / Path(file_name).name
                    if isinstance(content, bytes):
                        path.write_bytes(content)
                    else:
                        path.write_text(content, encoding="utf-8")
            except OSError as exc:
                shutil.rmtree(folder, ignore_errors=True)
                raise InputError(f"Cannot write the model artifact under {folder}: {exc}.",
                                 "Check ECOMINTEL_DATA_DIR points at a writable folder.") from exc
            relative = str(folder.relative_to(self.data_dir))
        row = {"kind": kind, "name": name[:100], "version": version, "params": stored_params,
               "data_fingerprint": data_fingerprint, "metrics": _jsonable(metrics or {}), "artifact": relative,
               "tenant_id": tenant_id, "note": (note or None) and note[:300], "created_at": utcnow()}
        self.store.insert(row, activate=activate)
        return self.get(version, tenant_id=tenant_id)

    def activate(self, kind: str, version: str, tenant_id: int | None = None) -> ModelVersion:
        """Make `version` the active one of `kind` (the analyst's choice; `ecomintel models activate`)."""
        if not self.store.set_active(kind, version, tenant_id):
            known = ", ".join(v.version for v in self.versions(kind, tenant_id)[:5]) or "none"
            raise NotFound(f"No {kind} model version {version!r}.",
                           f"Known versions (newest first): {known}. See `ecomintel models list`.")
        return self.get(version, tenant_id=tenant_id)

    def activate_best(self, kind: str, tenant_id: int | None = None, ranking: Ranking | None = None
                      ) -> ModelVersion | None:
        """Activate the version whose held-out metric ranks first (None when no version has the metric)."""
        best = self.ranked(kind, tenant_id, ranking)
        if not best:
            return None
        return self.activate(kind, best[0].version, tenant_id)

    # -- reading ------------------------------------------------------------------------------------------
    def versions(self, kind: str, tenant_id: int | None = None) -> list[ModelVersion]:
        """Every version of `kind` in the scope (install-wide, or this tenant's), newest first."""
        return [_from_row(r) for r in self.store.rows(kind, tenant_id)]

    def get(self, version: str, tenant_id: int | None = None) -> ModelVersion:
        row = self.store.row(version, tenant_id)
        if row is None:
            raise NotFound(f"No model version {version!r}.", "See `ecomintel models list`.")
        return _from_row(row)

    def active(self, kind: str, tenant_id: int | None = None) -> ModelVersion | None:
        row = self.store.active_row(kind, tenant_id)
        return None if row is None else _from_row(row)

    def ranked(self, kind: str, tenant_id: int | None = None, ranking: Ranking | None = None
               ) -> list[ModelVersion]:
        """Versions best first by the kind's ranking metric, among those measured on the same held-out split
        as the newest version that has the metric (figures from different splits are not comparable)."""
        rank = ranking or RANKINGS.get(kind)
        if rank is None:
            raise InputError(f"No ranking metric is defined for model kind {kind!r}.",
                             "Pass a Ranking, or add the kind to ecomintel.models.registry.RANKINGS.")
        scored = [v for v in self.versions(kind, tenant_id) if v.metric(rank.metric) is not None]
        if not scored:
            return []
        split = scored[0].metrics.get("eval_fingerprint")
        same = [v for v in scored if v.metrics.get("eval_fingerprint") == split]
        sign = -1.0 if rank.higher_is_better else 1.0
        # ties: the newer version first (versions() is newest first and sorted() is stable)
        return sorted(same, key=lambda v: sign * float(v.metric(rank.metric) or 0.0))

    def artifact_file(self, version: str, file_name: str, tenant_id: int | None = None) -> Path | None:
        """Path of a file stored with `version`, or None when it has none (or this install lacks it)."""
        mv = self.get(version, tenant_id)
        if mv.artifact is None:
            return None
        path = self.data_dir / mv.artifact / Path(file_name).name
        return path if path.is_file() else None

    def load_artifact(self, version: str, tenant_id: int | None = None) -> Any:
        """The object registered with `version`; refuses a file whose sha256 differs from the recorded one."""
        import joblib

        mv = self.get(version, tenant_id)
        path = self.artifact_file(version, ARTIFACT_FILE, tenant_id)
        if path is None:
            raise NotFound(f"The artifact of model version {version} is not in {self.data_dir / 'models'}.",
                           "Train again (`ecomintel models train …`) or point ECOMINTEL_DATA_DIR at the "
                           "shared folder that holds it.")
        expected = mv.params.get("artifact_sha256")
        if expected and sha256_file(path) != expected:
            raise InputError(f"The artifact of model version {version} does not match its recorded checksum; "
                             "it was not loaded.", "Train a new version (`ecomintel models train …`).")
        return joblib.load(path)


def open_registry(settings: Settings, engine: sa.Engine | None = None) -> ModelRegistry:
    """The registry of this install: `engine` (default: settings.database_url, migrated) and its data dir."""
    if engine is None:
        from ecomintel.db.engine import make_engine, migrate

        engine = make_engine(settings.database_url)
        migrate(engine)
    return ModelRegistry(engine, settings.data_dir)
