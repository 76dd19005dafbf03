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
    if {fail!r} == "early":
        raise RuntimeError("the run could not start")
    outcome.record(suite="faults", case="case-a", command="reviewbot review", fault="a 502",
                   expected="exit 3", observed="exit 3")
    assert {fail!r} != "late", "the run exited 0"
"""


def _session(folder: Path, doc: Path, *, fail: str = "") -> int:
    """One pytest session in a subprocess with the suites' hooks, writing ``doc``."""
    (folder / "conftest.py").write_text(
        "from tests.faults.reliability import outcome, pytest_runtest_makereport, "
        "pytest_sessionfinish  # noqa: F401\n",
        encoding="utf-8",
    )
    (folder / "test_case.py").write_text(CASE.format(fail=fail), encoding="utf-8")
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
    assert _session(tmp_path, doc) == 0
    assert _parse(doc.read_text())[("faults", "case-a")].passed is True
    assert _session(tmp_path, doc, fail="early") == 1
    row = _parse(doc.read_text())[("faults", "case-a")]
    assert row.passed is False and row.observed == UNRECORDED


def test_the_hooks_write_no_for_a_test_that_fails_after_recording(tmp_path: Path) -> None:
    doc = tmp_path / "reliability.md"
    assert _session(tmp_path, doc) == 0
    assert _session(tmp_path, doc, fail="late") == 1
    row = _parse(doc.read_text())[("faults", "case-a")]
    assert row.passed is False and row.observed == "exit 3"


def test_the_ci_check_fails_on_a_file_other_than_the_committed_one(tmp_path: Path) -> None:
    """``python -m tests.faults.reliability`` (CI's last step) against a repository whose
    committed docs/reliability.md says yes where the suites just wrote no."""
    doc = tmp_path / "docs" / "reliability.md"
    doc.parent.mkdir()
    doc.write_text(_doc(), encoding="utf-8")
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "rows"], check=True)
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "REVIEWBOT_RELIABILITY_DOC": str(doc), "PYTHONPATH": str(root)}
    check = [sys.executable, "-m", "tests.faults.reliability"]

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(check, env=env, capture_output=True, text=True, timeout=60)

    assert run().returncode == 0
    doc.write_text(_doc().replace("| yes |", "| **no** |"), encoding="utf-8")
    done = run()
    assert done.returncode == 1
    assert "docs/reliability.md is not current" in done.stderr


def test_the_check_ignores_memory_bins_but_not_verdicts_or_observations() -> None:
    text = merged({NODE: _record(True, "exit 0, ≈ 300 MiB")}, "")
    assert stale(text, text.replace("≈ 300 MiB", "≈ 350 MiB")) == []
    assert stale(text, text.replace("≈ 300 MiB", "< 150 MiB")) == []
    assert stale(text, text.replace("| yes |", "| **no** |"))
    assert stale(text, text.replace("exit 0", "exit 3"))
    assert stale(text, merged({"tests/other.py::t": _record(True, "exit 0, ≈ 300 MiB")}, text))
