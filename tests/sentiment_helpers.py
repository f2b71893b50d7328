"""A registry trained once per test module on the shipped sample (training costs seconds; tests share it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from ecomintel.config import Settings, load_settings
from ecomintel.db.engine import make_engine, migrate
from ecomintel.models.registry import ModelRegistry
from ecomintel.models.sentiment.training import TrainResult, train_sentiment


@dataclass
class TrainedInstall:
    settings: Settings
    engine: sa.Engine
    registry: ModelRegistry
    result: TrainResult
    env: dict[str, str]


def trained_install(folder: Path) -> TrainedInstall:
    env = {"ECOMINTEL_DATABASE_URL": f"sqlite:///{folder / 'models.db'}", "ECOMINTEL_DATA_DIR": str(folder / "data")}
    settings = load_settings(env)
    engine = make_engine(settings.database_url)
    migrate(engine)
    registry = ModelRegistry(engine, settings.data_dir)
    return TrainedInstall(settings, engine, registry, train_sentiment(registry, settings), env)
