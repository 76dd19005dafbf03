"""docs/reliability.md's rows come only from tests that pass (the generator's own tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.faults.reliability import UNRECORDED, CaseRecord, _parse, _parse_index, merged, stale

NODE = "tests/faults/test_x.py::test_case[a]"


def _record(passed: bool | None, observed: str = "exit 3") -> CaseRecord:
    return CaseRecord("faults", "case-a", "reviewbot review", "a 502", "exit 3", observed, passed)


def _doc() -> str:
    return merged({NODE: _record(True)}, "")


def test_a_passing_test_writes_its_row_and_who_wrote_it() -> None:
    text = _doc()
    assert _parse(text)[("faults", "case-a")].passed is True
    assert _parse_index(text) == {NODE: ("faults", "case-a")}
    assert merged({}, text, {}) == text  # nothing ran: nothing changes


def test_a_test_that_fails_before_recording_turns_its_row_to_no() -> None:
    text = merged({}, _doc(), {NODE: False})
    row = _parse(text)[("faults", "case-a")]
    assert row.passed is False and row.observed == UNRECORDED
    assert "| **no** |" in text and "| yes |" not in text


def test_a_failing_test_that_recorded_is_no_and_a_passing_one_is_yes_again() -> None:
    failed = merged({NODE: _record(False, "exit 1")}, _doc(), {NODE: False})
    assert _parse(failed)[("faults", "case-a")].passed is False
    again = merged({NODE: _record(True)}, failed, {NODE: True})
    assert again == _doc()


def test_a_renamed_test_takes_the_row_over() -> None:
    renamed = "tests/faults/test_y.py::test_case"
    text = merged({renamed: _record(True)}, _doc(), {renamed: True})
    assert _parse_index(text) == {renamed: ("faults", "case-a")}
    assert merged({}, text, {NODE: False}) == text  # the old id owns no row any more


CASE = """
import pytest

def test_case(outcome):
    if {fail_early}:
        raise RuntimeError("the run could not start")
    outcome.record(suite="faults", case="case-a", command="reviewbot review", fault="a 502",
                   expected="exit 3", observed="exit 3")
"""


def _session(folder: Path, doc: Path, *, fail_early: bool) -> int:
    """One pytest session in a subprocess with the suites' hooks, writing ``doc``."""
    (folder / "conftest.py").write_text(
        "from tests.faults.reliability import outcome, pytest_runtest_makereport, "
        "pytest_sessionfinish  # noqa: F401\n",
        encoding="utf-8",
    )
    (folder / "test_case.py").write_text(CASE.format(fail_early=fail_early), encoding="utf-8")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "REVIEWBOT_RELIABILITY_DOC": str(doc), "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(folder),
         "-c", os.devnull, str(folder)],
        env=env, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    return done.returncode


def test_the_hooks_turn_a_row_to_no_when_its_test_fails_before_recording(tmp_path: Path) -> None:
    doc = tmp_path / "reliability.md"
    assert _session(tmp_path, doc, fail_early=False) == 0
    assert _parse(doc.read_text())[("faults", "case-a")].passed is True
    assert _session(tmp_path, doc, fail_early=True) == 1
    row = _parse(doc.read_text())[("faults", "case-a")]
    assert row.passed is False and row.observed == UNRECORDED


def test_the_check_ignores_memory_bins_but_not_verdicts_or_observations() -> None:
    text = merged({NODE: _record(True, "exit 0, ≈ 300 MiB")}, "")
    assert stale(text, text.replace("≈ 300 MiB", "≈ 350 MiB")) == []
    assert stale(text, text.replace("≈ 300 MiB", "< 150 MiB")) == []
    assert stale(text, text.replace("| yes |", "| **no** |"))
    assert stale(text, text.replace("exit 0", "exit 3"))
    assert stale(text, merged({"tests/other.py::t": _record(True, "exit 0, ≈ 300 MiB")}, text))
