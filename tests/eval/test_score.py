"""Scoring of the review-quality benchmark: hits within 3 lines, and the run's totals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewbot.eval.instances import GoldLine, Instance
from reviewbot.eval.score import (
    TOLERANCE,
    InstanceScore,
    Reported,
    ReviewOutcome,
    f1_score,
    hits,
    score_instance,
    summarize,
)

GOLD = GoldLine("pkg/mod.py", 40, "RIGHT")


@pytest.mark.parametrize(
    ("line", "end_line", "expected"),
    [
        (40, None, True),
        (37, None, True),  # 3 above
        (43, None, True),  # 3 below
        (36, None, False),  # 4 above
        (44, None, False),
        (20, 36, False),  # a range ending 4 lines before
        (20, 37, True),  # a range ending 3 lines before
        (30, 50, True),  # a range covering the gold line
        (44, 60, False),
    ],
)
def test_hits_within_three_lines(line: int, end_line: int | None, expected: bool) -> None:
    assert hits(Reported("pkg/mod.py", line, end_line), GOLD) is expected


def test_hits_needs_the_same_file_and_side() -> None:
    assert not hits(Reported("pkg/other.py", 40), GOLD)
    assert not hits(Reported("pkg/mod.py", 40, side="LEFT"), GOLD)
    assert hits(Reported("pkg/mod.py", 40, side="LEFT"), GoldLine("pkg/mod.py", 41, "LEFT"))


@given(st.integers(1, 500), st.integers(1, 500), st.integers(0, 30))
def test_hits_is_distance_to_the_covered_lines(gold: int, first: int, length: int) -> None:
    finding = Reported("f.py", first, first + length if length else None)
    last = first + length
    distance = 0 if first <= gold <= last else min(abs(gold - first), abs(gold - last))
    assert hits(finding, GoldLine("f.py", gold)) is (distance <= TOLERANCE)


def _instance(ident: str, kind: str, gold: tuple[GoldLine, ...] = ()) -> Instance:
    return Instance(ident, kind, "o/r", "0" * 40, "why", gold)  # type: ignore[arg-type]


def test_score_instance_counts_true_findings_and_found() -> None:
    instance = _instance("a", "mutation", (GOLD,))
    outcome = ReviewOutcome("a", (Reported("pkg/mod.py", 41), Reported("pkg/mod.py", 90)))
    score = score_instance(instance, outcome)
    assert (score.findings, score.true_findings, score.found) == (2, 1, True)
    clean = score_instance(_instance("c", "clean"), ReviewOutcome("c", (Reported("x.py", 1),)))
    assert (clean.findings, clean.true_findings, clean.found) == (1, 0, None)


def _score(kind: str, findings: int, true: int, found: bool | None, error: str | None = None):
    stats = {"input_tokens": 1000.0, "cost_usd": 0.01, "seconds": 2.0}
    return InstanceScore("i", kind, findings, true, found, error, stats, 3.0)


def test_summary_recall_precision_f1_and_clean_noise() -> None:
    scores = [
        _score("revert", 2, 1, True),
        _score("mutation", 1, 0, False),
        _score("mutation", 1, 1, True),
        _score("clean", 2, 0, None),
        _score("clean", 0, 0, None),
    ]
    s = summarize(scores)
    assert s.recall == pytest.approx(2 / 3)
    assert s.precision == pytest.approx(2 / 6)  # findings on clean changes are false
    assert s.f1 == pytest.approx(2 * (2 / 6) * (2 / 3) / ((2 / 6) + (2 / 3)))
    assert s.findings_per_clean == pytest.approx(1.0)
    assert s.recall_by_kind == {"mutation": 0.5, "revert": 1.0}
    assert s.per_review["input_tokens"] == pytest.approx(1000.0)
    assert s.per_review["wall_seconds"] == pytest.approx(3.0)


def test_a_silent_run_has_no_precision_and_f1_zero() -> None:
    s = summarize([_score("revert", 0, 0, False), _score("clean", 0, 0, None)])
    assert (s.recall, s.precision, s.f1, s.findings_per_clean) == (0.0, None, 0.0, 0.0)


def test_a_failed_review_counts_as_missed_and_is_listed() -> None:
    failed = _score("revert", 0, 0, False, error="model: 401")
    s = summarize([failed, _score("revert", 1, 1, True), _score("clean", 0, 0, None)])
    assert (s.errors, s.recall) == (1, 0.5)


@given(st.floats(0, 1), st.floats(0, 1))
def test_f1_lies_between_zero_and_the_smaller_of_twice_each(p: float, r: float) -> None:
    f1 = f1_score(p, r)
    assert 0.0 <= f1 <= 1.0
    assert f1 <= 2 * min(p, r) + 1e-9
    if p and r:
        assert min(p, r) - 1e-9 <= f1 <= max(p, r) + 1e-9


def test_reported_from_review_json() -> None:
    raw = {"path": "a.py", "line": 3, "end_line": 5, "side": "LEFT", "severity": "major",
           "title": "t", "body": "b", "suggestion": None, "fingerprint": "x"}  # fmt: skip
    assert Reported.from_json(raw) == Reported("a.py", 3, 5, "LEFT", "major", "t")
    assert Reported.from_json({"path": "a.py", "line": 3}).side == "RIGHT"
