"""Findings: fingerprints survive line shifts, duplicates collapse, filters count drops."""

from __future__ import annotations

import json
from pathlib import Path

from reviewbot.review.anchor import WholeFiles, anchor, check_anchor
from reviewbot.review.findings import (
    Finding,
    apply_filters,
    at_least,
    dedupe,
    fingerprint,
    highest,
    order,
)
from reviewbot.review.result import ReviewResult, RunStats, Verification
from reviewbot.review.verdict import Verdict


def make(**kw: object) -> Finding:
    base = {
        "path": "app.py",
        "line": 10,
        "end_line": None,
        "side": "RIGHT",
        "severity": "major",
        "title": "Unchecked None",
        "body": "x may be None",
    }
    base.update(kw)
    return Finding(**base)  # type: ignore[arg-type]


def test_fingerprint_ignores_whitespace_and_case_but_not_content() -> None:
    base = fingerprint("a.py", "SQL injection", "cursor.execute(q % x)")
    assert fingerprint("a.py", "sql  injection!", "  cursor.execute(q  % x)  ") == base
    assert fingerprint("b.py", "SQL injection", "cursor.execute(q % x)") != base
    assert fingerprint("a.py", "SQL injection", "cursor.execute(q, x)") != base
    assert fingerprint("a.py", "Race condition", "cursor.execute(q % x)") != base


def test_order_is_severity_then_place() -> None:
    found = [
        make(severity="nit", line=1),
        make(severity="critical", path="z.py"),
        make(severity="major", line=5),
        make(severity="critical", path="a.py"),
    ]
    assert [(f.severity, f.path, f.line) for f in order(found)] == [
        ("critical", "a.py", 10),
        ("critical", "z.py", 10),
        ("major", "app.py", 5),
        ("nit", "app.py", 1),
    ]


def test_dedupe_keeps_most_severe_of_near_identical() -> None:
    a = make(severity="minor", title="Possible None dereference of user")
    b = make(severity="major", line=11, title="None dereference of user possible")
    c = make(line=40, title="None dereference of user possible")
    d = make(line=10, title="Off by one in loop bound")
    kept = dedupe([a, b, c, d])
    assert b in kept and c in kept and d in kept
    assert a not in kept


def test_dedupe_by_fingerprint_even_far_apart() -> None:
    a = make(fingerprint="abc", line=1)
    b = make(fingerprint="abc", line=500, title="other words entirely")
    assert dedupe([a, b]) == [a]


def test_filters_count_what_they_drop() -> None:
    found = [make(severity=s, line=i) for i, s in enumerate(["nit", "minor", "major", "critical"])]
    result = apply_filters(found, min_severity="minor", max_comments=2)
    assert [f.severity for f in result.kept] == ["critical", "major"]
    assert result.below_min_severity == 1
    assert result.over_max_comments == 1


def test_thresholds() -> None:
    assert at_least("critical", "major")
    assert not at_least("minor", "major")
    assert not at_least("critical", "none")
    assert highest([make(severity="minor").severity, make(severity="major").severity]) == "major"
    assert highest(["nit", "none", "", "critical", "unknown"]) == "critical"
    assert highest([]) == highest(["none", ""]) == ""


def test_result_json_round_trip_and_fail_on() -> None:
    result = ReviewResult(
        summary="ok",
        findings=(make(severity="major", fingerprint="f1"),),
        stats=RunStats(model="m", steps=3, input_tokens=100, cached_tokens=75, cost_usd=0.01),
    )
    data = result.to_json()
    assert set(data) == {"summary", "findings", "stats", "notes", "verification"}
    assert set(data["findings"][0]) == {
        "path", "line", "end_line", "side", "severity", "title", "body", "suggestion",
        "fingerprint", "evidence", "verification",
    }  # fmt: skip
    assert set(data["stats"]) == {
        "model", "steps", "tool_calls", "input_tokens", "cached_tokens", "output_tokens",
        "reasoning_tokens", "cost_usd", "seconds",
    }  # fmt: skip
    assert ReviewResult.from_json(data).findings == result.findings
    assert result.fails("major") and not result.fails("critical") and not result.fails("none")
    assert result.stats.cached_share == 0.75


def test_verdicts_survive_the_json_round_trip() -> None:
    kept = make(severity="minor", verdict=Verdict("downgrade", "bounded", ("a.py:3",), "major", 2))
    gone = make(title="Gone", verdict=Verdict("refute", "handled", ("a.py:9-12",)))
    result = ReviewResult("ok", (kept,), RunStats(), ("a note",), None, Verification(True, (gone,)))
    back = ReviewResult.from_json(json.loads(json.dumps(result.to_json())))
    assert back.findings == (kept,)
    assert back.verification == result.verification
    assert back.notes == ("a note",)


def test_whole_file_anchor_for_audits() -> None:
    lines = WholeFiles({"app.py": 20})
    assert check_anchor(lines, "app.py", 20, None, "RIGHT").ok
    bad = check_anchor(lines, "app.py", 25, None, "RIGHT")
    assert not bad.ok and bad.nearest == 20
    assert not check_anchor(lines, "other.py", 1, None, "RIGHT").ok
    assert anchor(make(path="other.py"), lines).anchored is False
    assert not check_anchor(lines, "app.py", 5, 3, "RIGHT").ok


def test_saving_leaves_another_runs_half_written_file_alone(tmp_path: Path) -> None:
    from reviewbot.pipeline.finish import save_result

    run_dir = tmp_path / "run"
    run_dir.mkdir()
    other = run_dir / "findings.tmp"  # what another run saving here is still writing
    other.write_text("half")
    result = ReviewResult("ok", (make(),), RunStats())
    saved = save_result(run_dir, result, lambda text: text)
    assert json.loads(saved.read_text())["summary"] == "ok"
    assert other.read_text() == "half"
    assert sorted(p.name for p in run_dir.iterdir()) == ["findings.json", "findings.tmp"]
