"""Drift check: PSI of score distributions and vocabulary coverage against a version's training reference."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from ecomintel.models.drift import (
    MIN_TEXTS,
    REFERENCE_FILE,
    Reference,
    build_reference,
    compare,
    drift_check,
    histogram,
    psi,
)
from ecomintel.models.registry import ModelRegistry

RNG = random.Random(3)
CLOTHING = ["the dress fits well and the fabric is soft", "this top runs small, the color is lovely",
            "love the pattern but the sleeves are long", "returned it, poor quality seams"]
GADGETS = ["battery drains fast, charger overheats quickly", "bluetooth pairing fails, firmware update bricked",
           "hdmi cable flickers; remote unresponsive", "warranty claim rejected, motherboard defective"]


def _scores(n: int, mean: float, spread: float, seed: int) -> list[float]:
    rng = random.Random(seed)
    return [max(-1.0, min(1.0, rng.gauss(mean, spread))) for _ in range(n)]


@pytest.fixture
def reference() -> Reference:
    train = [RNG.choice(CLOTHING) for _ in range(400)]
    heldout = [RNG.choice(CLOTHING) for _ in range(200)]
    return build_reference(train, heldout, _scores(2000, 0.5, 0.3, seed=1))


def test_psi_is_near_zero_for_the_same_distribution_and_large_for_a_shifted_one() -> None:
    same = psi(histogram(_scores(5000, 0.5, 0.3, 1)), histogram(_scores(5000, 0.5, 0.3, 2)))
    shifted = psi(histogram(_scores(5000, 0.5, 0.3, 1)), histogram(_scores(5000, -0.3, 0.3, 2)))
    assert same < 0.02
    assert shifted > 1.0
    assert psi([0.5, 0.5], [0.5, 0.5]) == 0.0


def test_same_reviews_do_not_drift(reference: Reference) -> None:
    texts = [RNG.choice(CLOTHING) for _ in range(300)]
    result = compare(reference, texts, _scores(300, 0.5, 0.3, seed=9), "v1")
    assert not result.drifted and result.severity == "info"
    assert result.psi is not None and result.psi < 0.1
    assert result.coverage == pytest.approx(1.0)
    assert "look like" in result.message


def test_shifted_scores_drift(reference: Reference) -> None:
    texts = [RNG.choice(CLOTHING) for _ in range(300)]
    result = compare(reference, texts, _scores(300, -0.4, 0.3, seed=9), "v1")
    assert result.drifted and result.severity == "warning"
    assert result.psi is not None and result.psi >= 0.25
    assert "PSI" in result.message and "v1" in result.message


def test_unfamiliar_vocabulary_drifts_even_with_normal_scores(reference: Reference) -> None:
    texts = [RNG.choice(GADGETS) for _ in range(300)]
    result = compare(reference, texts, _scores(300, 0.5, 0.3, seed=9), "v1")
    assert result.drifted
    assert result.coverage is not None and result.coverage < 0.3
    assert "training vocabulary" in result.message


def test_too_few_reviews_are_not_judged(reference: Reference) -> None:
    result = compare(reference, CLOTHING, [-1.0] * len(CLOTHING))
    assert not result.drifted and result.psi is None and str(MIN_TEXTS) in result.message


def test_drift_check_reads_the_reference_stored_with_the_version(sqlite_engine, tmp_path: Path,
                                                                 reference: Reference) -> None:
    registry = ModelRegistry(sqlite_engine, tmp_path)
    mv = registry.register("sentiment", "probe", files={REFERENCE_FILE: reference.to_json()})
    texts = [RNG.choice(GADGETS) for _ in range(100)]
    assert drift_check(registry, mv.version, texts, _scores(100, -0.5, 0.2, 4)).drifted
    bare = registry.register("sentiment", "bare")
    assert "no training reference" in drift_check(registry, bare.version, texts, [0.0] * 100).message
    assert Reference.from_json(reference.to_json()) == reference
