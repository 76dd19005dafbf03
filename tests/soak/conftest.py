"""Soak suite: long sessions, memory at their start and end (marked slow)."""

from __future__ import annotations

from tests.faults.reliability import (  # noqa: F401 (fixture and hooks)
    outcome,
    pytest_runtest_makereport,
    pytest_sessionfinish,
)
