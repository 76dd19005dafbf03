"""Output formats: each checked the way its reader would read it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from reviewbot.publish.formats import (
    escape_data,
    escape_property,
    render_github,
    render_json,
    render_markdown,
)
from reviewbot.publish.sarif import render_sarif, to_sarif
from reviewbot.publish.terminal import render_text
from reviewbot.review.findings import Finding
from reviewbot.review.result import ReviewResult, RunStats

SCHEMAS = Path(__file__).resolve().parents[1] / "fixtures" / "schemas"

RESULT = ReviewResult(
    summary="Adds a cache; one real bug.",
    findings=(
        Finding("app/cache.py", 3, 4, "RIGHT", "major", "Stale entry returned",
                "The TTL check uses `>` where `>=` is meant.",
                "    if age >= ttl:\n        return None\n", "fp1"),
        Finding("app/util.py", 7, None, "LEFT", "nit", "Removed docstring", "Keep the docstring.",
                None, "fp2"),
    ),
    stats=RunStats(model="kimi-k2-thinking", steps=4, tool_calls=6, input_tokens=40_000,
                   cached_tokens=30_000, output_tokens=1_200, cost_usd=0.0123, seconds=12.5),
)  # fmt: skip

SOURCE = {
    "app/cache.py": ["def get(k):", "    age = now() - t[k]", "    if age > ttl:",
                     "        return None", "    return v[k]", ""],
}  # fmt: skip


def source(path: str, first: int, last: int) -> list[tuple[int, str]]:
    lines = SOURCE.get(path, [])
    return [(n, lines[n - 1]) for n in range(first, min(last, len(lines)) + 1)]


def test_text_report_in_a_fixed_width_console() -> None:
    console = Console(width=80, record=True, color_system=None, force_terminal=False)
    render_text(RESULT, console, source=source)
    assert console.export_text() == (
        "app/cache.py\n"
        "   major  L3-4  Stale entry returned\n"
        "    The TTL check uses `>` where `>=` is meant.\n"
        "      1 │ def get(k):\n"
        "      2 │     age = now() - t[k]\n"
        "    > 3 │     if age > ttl:\n"
        "    > 4 │         return None\n"
        "      5 │     return v[k]\n"
        "      6 │\n"
        "    suggested change:\n"
        "    -     if age > ttl:\n"
        "    -         return None\n"
        "    +     if age >= ttl:\n"
        "    +         return None\n"
        "\n"
        "app/util.py\n"
        "   nit  L7 (old)  Removed docstring\n"
        "    Keep the docstring.\n"
        "\n"
        "Adds a cache; one real bug.\n"
        "\n"
        "2 findings (1 major, 1 nit) · 4 steps · 40,000 tokens in (75% cached) · 1,200\n"
        "out · $0.0123 · 12.5s\n"  # wrapped at a word to the width, no trailing blank
    )


def test_json_is_the_contract() -> None:
    data = json.loads(render_json(RESULT))
    assert data["findings"][0] == {
        "path": "app/cache.py", "line": 3, "end_line": 4, "side": "RIGHT", "severity": "major",
        "title": "Stale entry returned", "body": "The TTL check uses `>` where `>=` is meant.",
        "suggestion": "    if age >= ttl:\n        return None\n", "fingerprint": "fp1",
        "evidence": [], "verification": None,
    }  # fmt: skip
    assert data["stats"]["cached_tokens"] == 30_000
    assert data["summary"] == RESULT.summary


def test_markdown_report_links_and_counts() -> None:
    text = render_markdown(RESULT, link=lambda f: f"https://h/o/r/blob/abc/{f.path}#L{f.line}")
    assert "| major | 1 |" in text
    assert "[`app/cache.py:3-4`](https://h/o/r/blob/abc/app/cache.py#L3)" in text
    assert "```suggestion\n    if age >= ttl:\n        return None\n```" in text


def test_sarif_validates_against_the_official_schema() -> None:
    schema = json.loads((SCHEMAS / "sarif-2.1.0.json").read_text())
    sarif = to_sarif(RESULT, automation_id="reviewbot/audit/2026-12-01")
    jsonschema.validate(sarif, schema)
    run = sarif["runs"][0]
    assert run["automationDetails"]["id"] == "reviewbot/audit/2026-12-01"
    first = run["results"][0]
    assert first["level"] == "error"
    assert first["partialFingerprints"]["primaryLocationLineHash"] == "fp1:1"
    assert first["locations"][0]["physicalLocation"]["region"] == {"startLine": 3, "endLine": 4}
    assert run["tool"]["driver"]["rules"][first["ruleIndex"]]["id"] == first["ruleId"]


def test_github_annotations() -> None:
    out = render_github(RESULT).splitlines()
    assert out[0] == (
        "::error file=app/cache.py,line=3,endLine=4,title=[major] Stale entry returned"
        "::The TTL check uses `>` where `>=` is meant."
    )
    assert out[1].startswith("::notice file=app/util.py,line=7,title=")


def unescape(text: str) -> str:
    for code, char in (("%2C", ","), ("%3A", ":"), ("%0A", "\n"), ("%0D", "\r"), ("%25", "%")):
        text = text.replace(code, char)
    return text


@given(st.text())
def test_escaping_round_trips_and_cannot_start_a_command(text: str) -> None:
    data = escape_data(text)
    prop = escape_property(text)
    assert "\n" not in data and "\r" not in data
    assert ":" not in prop and "," not in prop and "\n" not in prop
    assert unescape(prop) == text
    assert unescape(data) == text


def test_json_has_exactly_the_contracts_fields() -> None:
    data = json.loads(render_json(RESULT))
    assert set(data) == {"summary", "findings", "stats", "notes", "verification"}
    fields = {"path", "line", "end_line", "side", "severity", "title", "body", "suggestion",
              "fingerprint", "evidence", "verification"}  # fmt: skip
    assert all(set(f) == fields for f in data["findings"])
    assert set(data["stats"]) == {
        "model", "steps", "tool_calls", "input_tokens", "cached_tokens", "output_tokens",
        "reasoning_tokens", "cost_usd", "seconds",
    }  # fmt: skip
    assert data["findings"][1]["end_line"] is None and data["findings"][1]["side"] == "LEFT"


texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
findings = st.builds(
    Finding,
    path=texts.filter(bool),
    line=st.integers(1, 10_000),
    end_line=st.none(),
    side=st.sampled_from(["RIGHT", "LEFT"]),
    severity=st.sampled_from(["critical", "major", "minor", "nit"]),
    title=texts,
    body=texts,
    suggestion=st.none() | texts,
    fingerprint=st.text("0123456789abcdef", min_size=1, max_size=20),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(findings, max_size=4), texts)
def test_sarif_validates_for_any_findings(items: list[Finding], summary: str) -> None:
    schema = json.loads((SCHEMAS / "sarif-2.1.0.json").read_text())
    sarif = json.loads(render_sarif(ReviewResult(summary, tuple(items), RESULT.stats)))
    jsonschema.validate(sarif, schema)
    assert len(sarif["runs"][0]["results"]) == len(items)


def parse_annotation(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command read back the way the runner reads it."""
    assert line.startswith("::")
    head, separator, message = line[2:].partition("::")
    assert separator
    command, _, props = head.partition(" ")
    values = dict(p.split("=", 1) for p in props.split(","))
    return command, {k: unescape(v) for k, v in values.items()}, unescape(message)


@given(findings)
def test_github_annotations_read_back_exactly(finding: Finding) -> None:
    out = render_github(ReviewResult("", (finding,), RESULT.stats))
    assert out.endswith("\n") and out.count("\n") == 1  # one line, whatever the text holds
    command, props, message = parse_annotation(out[:-1])
    assert command == {"critical": "error", "major": "error", "minor": "warning"}.get(
        finding.severity, "notice"
    )
    assert props["file"] == finding.path
    assert props["line"] == str(finding.line)
    assert props["title"] == f"[{finding.severity}] {finding.title}"
    assert message == (finding.body.strip() or finding.title)
