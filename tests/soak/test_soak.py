"""Long sessions: a 300-step scripted `reviewbot review`, memory at its start and end."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.reliability import Outcome, about
from tests.soak.scenario import WINDOW, run_audit_soak, run_soak

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
        f"{about(figures.rss_start_kib)}, at the last {about(figures.rss_end_kib)}; "
        # Whether the guard fired, not how often: the count moves with the prompt and pack size.
        f"{'context guard hid old tool outputs' if guard else 'context guard never fired'}",
    )
    assert figures.exit_code == 0, figures.stderr
    assert figures.steps == STEPS and figures.requests == STEPS
    assert guard, figures.notes
    assert 0 < figures.rss_start_kib <= figures.rss_end_kib + 1024
    assert figures.rss_end_kib - figures.rss_start_kib < 100 * 1024
    assert figures.peak_rss_kib < 400 * 1024


def test_audit_of_thousands_of_files(tmp_path: Path, outcome: Outcome) -> None:
    figures = run_audit_soak(tmp_path)
    start, end = figures.samples[0][1], figures.samples[-1][1]
    expected_findings = len([i for i in range(figures.files) if i % 500 == 7])
    outcome.record(
        suite="soak",
        case="audit-5000-files",
        command="reviewbot audit",
        # The unit and request counts move with the prompt's size: only their bound is shown.
        fault=f"an audit of {figures.files} files (budget 16,000 tokens a unit: "
        "over 100 units, one agent session each)",
        expected="exit 1 with every planted finding; memory flat from the first unit to the "
        "last (within 50 MiB)",
        observed=f"exit {figures.exit_code}; {'over' if figures.units >= 100 else 'under'} 100 "
        f"units, {figures.findings} findings; RSS at the first request {about(start)}, at "
        f"the last {about(end)}",
    )
    assert figures.exit_code == 1, figures.stderr  # critical findings, --fail-on critical
    assert figures.findings == expected_findings
    assert figures.units >= 100
    assert end - start < 50 * 1024
    assert figures.peak_rss_kib < 400 * 1024
