"""Long sessions: a 300-step scripted `reviewbot review`, memory at its start and end."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.reliability import Outcome, mib
from tests.soak.scenario import WINDOW, run_soak

pytestmark = pytest.mark.slow

STEPS = 300


def test_review_300_steps(tmp_path: Path, outcome: Outcome) -> None:
    figures = run_soak(tmp_path, STEPS)
    guard = [n for n in figures.notes if "context guard" in n]
    outcome.record(
        suite="soak",
        case="review-300-steps",
        command="reviewbot review",
        fault=f"a {STEPS}-step scripted session (one different tool call a step, "
        f"{WINDOW // 1024}K window)",
        expected="exit 0 after all steps; memory flat once the context guard hides old "
        "outputs (end within 100 MiB of start)",
        observed=f"exit {figures.exit_code}; {figures.steps} steps; RSS at the first request "
        f"{mib(figures.rss_start_kib)}, at the last {mib(figures.rss_end_kib)}, peak "
        f"{mib(figures.peak_rss_kib)}; {guard[0] if guard else 'context guard never fired'}",
    )
    assert figures.exit_code == 0, figures.stderr
    assert figures.steps == STEPS and figures.requests == STEPS
    assert guard, figures.notes
    assert 0 < figures.rss_start_kib <= figures.rss_end_kib + 1024
    assert figures.rss_end_kib - figures.rss_start_kib < 100 * 1024
    assert figures.peak_rss_kib < 400 * 1024
