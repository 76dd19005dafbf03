"""Audit outputs: SARIF valid against the official schema and readable back, shard outputs
merged by fingerprint with stats summed, the Markdown report's tables and permalinks."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewbot.audit.outputs import AuditResult, merge_results, read_output, render_sarif
from reviewbot.audit.report import permalinks, render_report
from reviewbot.commands.audit import merge
from reviewbot.errors import UsageError
from reviewbot.review.findings import Finding, Severity
from reviewbot.review.result import ReviewResult, RunStats

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "schemas" / "sarif-2.1.0.json").read_text()
)
HEAD = "0123456789abcdef0123456789abcdef01234567"


def finding(
    path: str,
    line: int,
    severity: Severity,
    title: str,
    fp: str,
    *,
    end_line: int | None = None,
    suggestion: str | None = None,
) -> Finding:
    body = f"Why {title.lower()}."
    return Finding(path, line, end_line, "RIGHT", severity, title, body, suggestion, fp)


def shard(n: int, findings: tuple[Finding, ...], cost: float) -> AuditResult:
    return AuditResult(
        result=ReviewResult(
            f"Audit of octo/app (shard {n}/2).",
            findings,
            RunStats(
                model="kimi-k2-thinking",
                steps=3,
                tool_calls=4,
                input_tokens=1000,
                cached_tokens=600,
                output_tokens=50,
                cost_usd=cost,
                seconds=1.5,
            ),
            notes=(f"note from shard {n}",),
        ),
        head=HEAD,
        repository="octo/app",
        date="2026-12-01",
        shard=f"{n}/2",
        units={f.path: f"unit of {f.path.split('/')[0]}" for f in findings},
        covered=frozenset(f.path for f in findings) | {f"other{n}.py"},
        repository_url="https://github.com/octo/app",
        units_run=1,
        units_total=2,
    )


A = finding(
    "app/auth.py",
    8,
    "critical",
    "Unpickles request data",
    "fpa",
    suggestion="    return json.loads(blob)\n",
)
B = finding("db/store.py", 3, "major", "SQL built from input", "fpb", end_line=5)
C = finding("tools/x.py", 1, "minor", "Shell from input", "fpc")


def test_sarif_is_valid_and_carries_the_audit(tmp_path: Path) -> None:
    audit = shard(1, (A, B), 0.5)
    data = json.loads(render_sarif(audit))
    jsonschema.validate(data, SCHEMA)
    run = data["runs"][0]
    assert run["automationDetails"]["id"] == "reviewbot/audit/shard-1-of-2/2026-12-01"
    assert run["versionControlProvenance"] == [
        {"repositoryUri": "https://github.com/octo/app", "revisionId": HEAD}
    ]
    rules = run["tool"]["driver"]["rules"]
    assert all(
        r["id"] and r["shortDescription"]["text"] and r["fullDescription"]["text"] for r in rules
    )
    levels = [(r["ruleId"], r["level"]) for r in run["results"]]
    assert levels == [("reviewbot/critical", "error"), ("reviewbot/major", "error")]
    first = run["results"][0]
    assert first["partialFingerprints"]["primaryLocationLineHash"] == "fpa:1"
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app/auth.py"
    assert first["properties"]["unit"] == "unit of app"
    assert run["properties"]["audit"]["covered"] == ["app/auth.py", "db/store.py", "other1.py"]
    merged_id = AuditResult(audit.result, date="2026-12-01").automation_id
    assert merged_id == "reviewbot/audit/2026-12-01"  # category reviewbot/audit/, run 2026-12-01


def test_sarif_reads_back_to_the_same_audit(tmp_path: Path) -> None:
    audit = shard(2, (A, B, C), 0.25)
    path = tmp_path / "a.sarif"
    path.write_text(render_sarif(audit))
    back = read_output(path)
    assert back.result.findings == audit.result.findings
    assert back.result.stats == audit.result.stats
    assert back.result.summary == audit.result.summary
    assert (back.head, back.shard, back.covered, back.units) == (
        HEAD,
        "2/2",
        audit.covered,
        audit.units,
    )


summaries = st.builds(
    Finding,
    path=st.sampled_from(["a.py", "b/c.py", "d e.py"]),
    line=st.integers(1, 500),
    end_line=st.none(),
    side=st.just("RIGHT"),
    severity=st.sampled_from(["critical", "major", "minor", "nit"]),
    title=st.text(min_size=1, max_size=40).map(lambda t: " ".join(t.split()) or "t"),
    body=st.text(max_size=80).map(str.strip),
    suggestion=st.none() | st.text(min_size=1, max_size=30),
    fingerprint=st.text(alphabet="0123456789abcdef", min_size=20, max_size=20),
)


@given(st.lists(summaries, max_size=6))
@settings(max_examples=60, deadline=None)
def test_any_findings_survive_a_sarif_round_trip(found: list[Finding]) -> None:
    import tempfile

    audit = AuditResult(ReviewResult("s", tuple(found), RunStats()), head=HEAD, date="d")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.sarif"
        path.write_text(render_sarif(audit))
        assert read_output(path).result.findings == tuple(found)


def test_merge_dedupes_by_fingerprint_and_sums_stats() -> None:
    worse_a = finding("app/auth.py", 9, "critical", "Unpickles request data", "fpa")
    minor_a = finding("app/auth.py", 8, "minor", "Unpickles request data", "fpa")
    merged = merge_results(
        [shard(1, (minor_a, B), 0.5), shard(2, (worse_a, C), 0.25)], date="2026-12-02"
    )
    assert [(f.fingerprint, f.severity) for f in merged.result.findings] == [
        ("fpa", "critical"),
        ("fpb", "major"),
        ("fpc", "minor"),
    ]
    stats = merged.result.stats
    assert (stats.steps, stats.input_tokens, stats.cost_usd) == (6, 2000, 0.75)
    assert merged.head == HEAD and merged.shard is None and merged.date == "2026-12-02"
    assert merged.covered is not None and {"other1.py", "other2.py"} <= merged.covered
    assert merged.result.notes == ("note from shard 1", "note from shard 2")
    assert merged.result.summary.startswith("Merged 2 audit output(s) of commit 0123456789ab")


def test_merge_command_reads_json_and_sarif_and_writes_by_suffix(tmp_path: Path) -> None:
    one, two = tmp_path / "1.sarif", tmp_path / "2.json"
    one.write_text(render_sarif(shard(1, (A, B), 0.5)))
    two.write_text(json.dumps(shard(2, (B, C), 0.25).result.to_json()))
    assert merge([one, two], tmp_path / "all.sarif", None) == 0
    data = json.loads((tmp_path / "all.sarif").read_text())
    jsonschema.validate(data, SCHEMA)
    assert len(data["runs"][0]["results"]) == 3
    merge([one, two], tmp_path / "all.md", None)
    assert (tmp_path / "all.md").read_text().startswith("# reviewbot audit of octo/app")
    merge([one, two], tmp_path / "all.out", None)  # unknown suffix: JSON
    assert set(json.loads((tmp_path / "all.out").read_text())) == {
        "summary", "findings", "stats", "notes", "verification",
    }  # fmt: skip
    merge([one], tmp_path / "forced.txt", "markdown")
    assert "## Findings by severity" in (tmp_path / "forced.txt").read_text()


def test_merge_refuses_what_is_not_an_audit_output(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"hello": 1}')
    with pytest.raises(UsageError, match="neither a reviewbot JSON output nor SARIF"):
        merge([bad], tmp_path / "o.json", None)
    bad.write_text("{")
    with pytest.raises(UsageError, match="is not JSON"):
        merge([bad], tmp_path / "o.json", None)


def test_markdown_report_tables_and_permalinks() -> None:
    audit = shard(1, (A, B, C), 0.5)
    text = render_report(audit, link=permalinks(audit))
    assert text.startswith(f"# reviewbot audit of octo/app at `{HEAD[:12]}`")
    assert "| critical | 1 |\n| major | 1 |\n| minor | 1 |\n| nit | 0 |\n| **total** | 3 |" in text
    assert "| unit of app | 1 | 0 | 0 | 0 |" in text
    assert f"[`db/store.py:3-5`](https://github.com/octo/app/blob/{HEAD}/db/store.py#L3-L5)" in text
    assert "```suggestion\n    return json.loads(blob)\n```" in text
    assert "1 of 2 units run" in text
    plain = render_report(AuditResult(audit.result))
    assert "`db/store.py:3-5`" in plain and "](http" not in plain


def test_markdown_report_escapes_hostile_names() -> None:
    evil = finding("a\n::error::b.py", 1, "major", "T", "fpx")
    text = render_report(AuditResult(ReviewResult("s", (evil,), RunStats()), units={}))
    assert "a\\x0a::error::b.py:1" in text
    for line in text.splitlines():
        assert not line.lstrip().startswith("::"), line
