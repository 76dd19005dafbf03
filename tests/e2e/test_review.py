"""`reviewbot review` end to end: a real repository, the real CLI process, and a scripted
K2-compatible model on 127.0.0.1 that lists, searches and reads files, comments (once on a
wrong line, then corrected), finishes, and confirms its finding in the verification pass."""

from __future__ import annotations

import json
from typing import Any

from reviewbot.repo import changeset_from_git, resolve_range
from tests.e2e.conftest import API_KEY, run_reviewbot, tool_results
from tests.fakes.k2_doubles import verdict
from tests.fakes.k2_server import FakeCall, K2Server, Turn
from tests.helpers.gitrepo import GitRepo

TITLE = "Expired entries are never evicted"


def corrected(request: dict[str, Any]) -> Turn:
    (answer,) = tool_results(request)
    assert "not recorded" in answer
    assert "is not a line of the diff" in answer and "line is 8" not in answer
    return Turn(
        reasoning="Line 1 is outside the diff; the problem is on lines 11-12.",
        tool_calls=[
            FakeCall(
                "add_comment",
                {
                    "path": "app/cache.py",
                    "line": 11,
                    "end_line": 12,
                    "severity": "major",
                    "title": TITLE,
                    "body": "`get` returns None for an expired entry but leaves it in `items`.",
                    "evidence": "app/cache.py:10-12",
                    "suggestion": (
                        "        if time.time() - stamp > self.ttl:\n"
                        "            del self.items[key]\n            return None\n"
                    ),
                },
            )
        ],
    )


SCRIPT: list[Any] = [
    Turn(
        reasoning="Let me look around first.",
        tool_calls=[
            FakeCall("list_files", {"pattern": "*.py"}),
            FakeCall("search_code", {"pattern": "class Cache|import Cache", "path_glob": "*.py"}),
        ],
    ),
    Turn(reasoning="Read it.", tool_calls=[FakeCall("read_file", {"path": "app/cache.py"})]),
    Turn(
        reasoning="The expired entry stays in the dict.",
        tool_calls=[
            FakeCall(
                "add_comment",
                {"path": "app/cache.py", "line": 1, "severity": "major", "title": TITLE,
                 "body": "wrong line on purpose", "evidence": "app/cache.py:1"},
            )
        ],
    ),
    corrected,
    Turn(reasoning="Done.", tool_calls=[FakeCall("finish_review", {"summary": "Adds expiry."})]),
    Turn(
        reasoning="Re-checking F1.",
        tool_calls=[verdict("F1", "app/cache.py:11-12", reason="items is never pruned")],
    ),
    Turn(reasoning="Final.",
         tool_calls=[FakeCall("finish_review", {"summary": "Adds expiry; one leak."})]),
]  # fmt: skip


def test_review_end_to_end_json(feature_repo: GitRepo, k2_server: K2Server) -> None:
    k2_server.script(SCRIPT)
    out = feature_repo.path / "review.json"
    run = run_reviewbot(
        feature_repo, k2_server, "review", "--base", "main", "--format", "json", "-o", str(out),
        "--fail-on", "major",
    )  # fmt: skip
    assert run.code == 1, run.stderr  # a major finding at --fail-on major
    data = json.loads(out.read_text())
    assert set(data) == {"summary", "findings", "stats", "notes", "verification"}
    assert data["summary"] == "Adds expiry; one leak."
    assert data["verification"] == {"complete": True, "refuted": []}
    (finding,) = data["findings"]
    assert finding["path"] == "app/cache.py"
    assert (finding["line"], finding["end_line"], finding["side"]) == (11, 12, "RIGHT")
    assert finding["severity"] == "major"
    assert finding["title"] == TITLE
    assert len(finding["fingerprint"]) == 20
    assert finding["verification"]["verdict"] == "confirm"
    assert finding["verification"]["evidence"] == ["app/cache.py:11-12"]
    assert "del self.items[key]" in finding["suggestion"]
    stats = data["stats"]
    assert stats["steps"] == 7
    assert stats["tool_calls"] == 8
    assert stats["input_tokens"] > stats["cached_tokens"] > 0
    assert stats["cost_usd"] > 0

    # The comment's lines are commentable in the real diff.
    changes = changeset_from_git(feature_repo.path, resolve_range(feature_repo.path, "main"))
    assert changes.range_in_one_hunk("app/cache.py", 11, 12, "RIGHT")

    # What the tools answered: real listings, search hits and numbered file text.
    first_answers = tool_results(k2_server.requests[1])
    assert "app/cache.py" in first_answers[0]
    assert "app/cache.py:4: class Cache:" in first_answers[1]
    assert "tests/test_cache.py:1: from app.cache import Cache" in first_answers[1]
    assert (
        "    11          if time.time() - stamp > self.ttl:"
        in tool_results(k2_server.requests[2])[0]
    )

    # The prompt: system first, packed context, then the task with the numbered diff.
    messages = k2_server.requests[0]["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "user"]
    assert "AGENTS.md" in messages[1]["content"]
    assert "+         if time.time() - stamp > self.ttl:" in messages[2]["content"] or (
        "if time.time() - stamp > self.ttl:" in messages[2]["content"]
    )

    # Saved before output: the run directory holds the findings and the transcript.
    (run_dir,) = (feature_repo.path / ".git" / "reviewbot" / "runs").iterdir()
    saved = json.loads((run_dir / "findings.json").read_text())
    assert saved["findings"] == data["findings"]
    transcript = (run_dir / "transcript.jsonl").read_text()
    assert transcript.count('"kind": "request"') == 7
    assert API_KEY not in transcript


def test_dry_run_stops_before_the_model(feature_repo: GitRepo, k2_server: K2Server) -> None:
    run = run_reviewbot(feature_repo, k2_server, "review", "--base", "main", "--dry-run")
    assert run.code == 0, run.stderr
    assert k2_server.requests == []
    assert "1 changed file(s)" in run.stdout
    assert "estimated cost $" in run.stdout


def test_text_report_and_exit_zero_below_fail_on(
    feature_repo: GitRepo, k2_server: K2Server
) -> None:
    k2_server.script(SCRIPT)
    run = run_reviewbot(feature_repo, k2_server, "review", "--base", "main")
    assert run.code == 0, run.stderr  # default --fail-on critical
    assert "app/cache.py" in run.stdout
    assert "major" in run.stdout
    assert "1 finding (1 major)" in run.stdout


def test_no_verify_keeps_findings_without_a_second_pass(
    feature_repo: GitRepo, k2_server: K2Server
) -> None:
    k2_server.script(SCRIPT[:5])
    run = run_reviewbot(
        feature_repo, k2_server, "review", "--base", "main", "--no-verify", "--format", "json"
    )
    assert run.code == 0, run.stderr
    assert len(json.loads(run.stdout)["findings"]) == 1
    assert len(k2_server.requests) == 5


def test_dry_run_says_what_the_model_will_not_see(
    feature_repo: GitRepo, k2_server: K2Server
) -> None:
    feature_repo.write("assets/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    feature_repo.write(".env", "API_TOKEN=canary-0123456789\n")
    feature_repo.commit("assets")
    run = run_reviewbot(feature_repo, k2_server, "review", "--base", "main", "--dry-run")
    assert run.code == 0, run.stderr
    notes = [line for line in run.stdout.splitlines() if line.startswith("note: ")]
    assert any("withheld from the model (secrets deny list): .env" in n for n in notes)
    assert any("no diff shown for 1 changed file(s)" in n and "assets/logo.png" in n for n in notes)
    assert "canary-0123456789" not in run.stdout
