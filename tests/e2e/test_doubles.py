"""`reviewbot review` end to end against model doubles that slip the way real models do
(tests/fakes/k2_doubles.py): each run ends with nothing lost and a note that says what
happened. The real CLI process, a real repository, the loopback K2 server over HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import run_reviewbot, tool_results
from tests.fakes import k2_doubles as doubles
from tests.fakes.k2_doubles import verdict
from tests.fakes.k2_server import FakeCall, K2Server, ScriptEntry, Turn
from tests.helpers.gitrepo import GitRepo

LEAK = FakeCall("add_comment", {
    "path": "app/cache.py", "line": 11, "end_line": 12, "severity": "major",
    "title": "Expired entries are never evicted", "evidence": "app/cache.py:11-12",
    "body": "`get` returns None for an expired entry but leaves it in `items`."})  # fmt: skip
PUT = FakeCall("add_comment", {
    "path": "app/cache.py", "line": 16, "severity": "minor", "title": "put never expires",
    "evidence": "app/cache.py:16", "body": "Nothing bounds the dict."})  # fmt: skip
READ = FakeCall("read_file", {"path": "app/cache.py"})


def call(*calls: FakeCall) -> Turn:
    return Turn(reasoning="Working.", tool_calls=list(calls))


def finish(summary: str = "Adds expiry; one leak.") -> Turn:
    return call(FakeCall("finish_review", {"summary": summary}))


FILE = call(LEAK)
CONFIRM = [call(verdict("F1", "app/cache.py:11-12")), finish()]


def review(repo: GitRepo, server: K2Server, script: list[ScriptEntry]) -> dict[str, Any]:
    server.script(script)
    out = Path(repo.path) / "review.json"
    run = run_reviewbot(repo, server, "review", "--base", "main", "--format", "json", "-o",
                        str(out))  # fmt: skip
    assert run.code == 0, run.stderr
    assert server.remaining == 0, "the run ended before the script did"
    data: dict[str, Any] = json.loads(out.read_text())
    return data


def note(data: dict[str, Any], words: str) -> str:
    found = [n for n in data["notes"] if words in n]
    assert found, (words, data["notes"])
    return found[0]


CASES: dict[str, tuple[list[ScriptEntry], str]] = {
    "prose": ([doubles.prose(), FILE, finish(), *CONFIRM], "1 reply(s) without a tool call"),
    "cut-off-in-a-call": ([doubles.cut_off(LEAK), FILE, finish(), *CONFIRM],
                          "1 reply(s) cut off at the output limit"),
    "malformed-arguments": ([doubles.malformed(LEAK), FILE, finish(), *CONFIRM],
                            "1 call(s) with malformed arguments"),
    "tool-not-offered": ([doubles.not_offered(), FILE, finish(), *CONFIRM],
                         "1 call(s) to a tool not offered"),
    "path-that-does-not-exist": ([doubles.missing_path(), FILE, finish(), *CONFIRM],
                                 "1 call(s) a tool refused"),
    "same-call-repeated": ([*doubles.repeated(READ), FILE, finish(), *CONFIRM],
                           "1 repeated identical call(s)"),
}  # fmt: skip


@pytest.mark.parametrize("name", list(CASES))
def test_a_slip_is_answered_and_nothing_is_lost(
    name: str, feature_repo: GitRepo, k2_server: K2Server
) -> None:
    script, words = CASES[name]
    data = review(feature_repo, k2_server, script)
    (finding,) = data["findings"]
    assert (finding["line"], finding["end_line"]) == (11, 12)
    assert finding["verification"]["verdict"] == "confirm"
    note(data, words)
    # The slip was answered in the conversation, not ignored.
    answers = [a for r in k2_server.requests for a in tool_results(r)]
    nudges = [m["content"] for r in k2_server.requests for m in r["messages"][3:]
              if m["role"] == "user"]  # fmt: skip
    assert any(a.startswith(("error:", "You already")) for a in answers) or any(
        "without calling a tool" in n for n in nudges
    )


def test_double_encoded_arguments_are_read(feature_repo: GitRepo, k2_server: K2Server) -> None:
    data = review(feature_repo, k2_server, [doubles.double_encoded(LEAK), finish(), *CONFIRM])
    assert [f["line"] for f in data["findings"]] == [11]
    assert not any("slips" in n for n in data["notes"])


def test_prose_in_the_verification_pass_keeps_the_finding_unverified(
    feature_repo: GitRepo, k2_server: K2Server
) -> None:
    script: list[ScriptEntry] = [
        FILE,
        finish(),
        doubles.prose("F1 is real."),
        doubles.prose("Confirmed."),
    ]
    data = review(feature_repo, k2_server, script)
    (finding,) = data["findings"]
    assert finding["verification"]["verdict"] == "unverified"
    assert data["verification"]["complete"] is False
    assert "answered in prose" in note(data, "without a verdict for F1")


def test_parallel_calls_file_and_verify_in_one_turn_each(
    feature_repo: GitRepo, k2_server: K2Server
) -> None:
    script: list[ScriptEntry] = [
        doubles.parallel(READ, FakeCall("search_code", {"pattern": "ttl"}), LEAK, PUT),
        finish("Two problems."),
        doubles.parallel(
            verdict("F1", "app/cache.py:11-12"),
            FakeCall("finish_review", {"summary": "One problem."}),  # sent before the verdict
            verdict("F2", "app/cache.py:16", verdict="refute", reason="bounded elsewhere"),
        ),
    ]
    data = review(feature_repo, k2_server, script)
    assert [f["title"] for f in data["findings"]] == ["Expired entries are never evicted"]
    assert data["verification"]["complete"] is True
    assert [f["title"] for f in data["verification"]["refuted"]] == ["put never expires"]
    assert data["summary"] == "One problem."


def test_a_literal_reader_comments_on_the_line_it_means(
    feature_repo: GitRepo, k2_server: K2Server
) -> None:
    """The double picks the new-file number of a context line the way the prompt's
    statement of the column order says; old and new numbers differ on that row."""

    def stale(line: int) -> FakeCall:
        return FakeCall("add_comment", {
            "path": "app/cache.py", "line": line, "severity": "minor",
            "title": "Returns the value without checking it", "body": "b",
            "evidence": f"app/cache.py:{line}"})  # fmt: skip

    script: list[ScriptEntry] = [
        doubles.literal_reader("        return value", stale), finish(),
        call(verdict("F1", "app/cache.py:13")), finish(),
    ]  # fmt: skip
    data = review(feature_repo, k2_server, script)
    (finding,) = data["findings"]
    assert finding["line"] == 13  # new-file line of `return value` (old line 11)
    lines = (Path(feature_repo.path) / "app/cache.py").read_text().splitlines()
    assert lines[finding["line"] - 1] == "        return value"
