"""Fault-injection suite: whole runs through the loopback fakes with faults injected."""

from __future__ import annotations

from tests.audit.conftest import project  # noqa: F401 (fixture)
from tests.e2e.conftest import feature_repo  # noqa: F401 (fixture)
from tests.faults.reliability import (  # noqa: F401 (fixture and hooks)
    outcome,
    pytest_runtest_makereport,
    pytest_sessionfinish,
)
from tests.github.conftest import bench  # noqa: F401 (fixture)
