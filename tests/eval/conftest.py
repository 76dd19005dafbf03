"""The synthetic instance set (offline) and its repository cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewbot.eval.instances import InstanceSet, load_instances
from tests.helpers.quality_synthetic import build_synthetic

INSTANCES = Path(__file__).resolve().parents[1] / "fixtures" / "quality" / "instances.json"
PUBLIC = Path(__file__).resolve().parents[2] / "bench" / "quality" / "instances.json"


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    """A cache folder whose repos/ holds the synthetic history (as `reviewbot eval` wants)."""
    folder = tmp_path / "eval-cache"
    build_synthetic(folder / "repos")
    return folder


@pytest.fixture
def synthetic() -> InstanceSet:
    return load_instances(INSTANCES)
