"""`reviewbot review` end to end while the model API misbehaves.

Every case runs the real CLI as a subprocess against the fake K2 server with one fault
injected at a chosen request of a five-turn scripted review (read, comment, finish, verify,
finish). A case either recovers (the same single finding is printed and saved, exit 1 at
``--fail-on major``) or fails with exit 3 and one line on stderr, with the finding recorded
before the failure still in ``findings.json``.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.k2_doubles import verdict
from tests.fakes.k2_server import FakeCall, Fault, K2Server, Turn
from tests.faults.harness import saved
from tests.faults.reliability import Outcome
from tests.helpers.gitrepo import GitRepo
from tests.helpers.launch import API_KEY, Run, model_env, reviewbot

pytestmark = pytest.mark.faults

TITLE = "Expired entries are never evicted"
COMMENT = {
    "path": "app/cache.py",
    "line": 11,
    "end_line": 12,
    "severity": "major",
    "title": TITLE,
    "body": "`get` returns None for an expired entry but leaves it in `items`.",
    "evidence": "app/cache.py:11-12",
}
SCRIPTED_REQUESTS = 5


def script() -> list[Turn]:
    return [
        Turn(reasoning="Read it.", tool_calls=[FakeCall("read_file", {"path": "app/cache.py"})]),
        Turn(reasoning="A leak.", tool_calls=[FakeCall("add_comment", COMMENT)]),
        Turn(reasoning="Done.", tool_calls=[FakeCall("finish_review", {"summary": "Expiry."})]),
        Turn(
            reasoning="Check F1.",
            tool_calls=[verdict("F1", "app/cache.py:11")],
        ),
        Turn(reasoning="Final.", tool_calls=[FakeCall("finish_review", {"summary": "A leak."})]),
    ]


def inject_at(server: K2Server, request: int, faults: Sequence[Fault]) -> None:
    """Script the review so that ``faults`` hit the ``request``-th model request (1-based)."""
    turns: list[Any] = script()
    if request == 1:
        for fault in faults:
            server.inject(fault)
        server.script(turns)
        return
    plain = turns[request - 2]
    fired: list[bool] = []

    def then_inject(body: dict[str, Any]) -> Turn:
        if not fired:  # a re-served turn (after a stream fault) must not inject again
            fired.append(True)
            for fault in faults:
                server.inject(fault)
        return plain

    turns[request - 2] = then_inject
    server.script(turns)


@dataclass(frozen=True)
class Case:
    id: str
    fault: str  # as the table says it
    faults: tuple[Fault, ...]
    at: int  # the model request the (first) fault hits
    recovers: bool
    requests: int | None = None  # model requests the whole run makes, retries included
    message: str = ""  # for failures: text the one-line error must contain
    findings: int = 1  # findings kept in findings.json
    env: Mapping[str, str] = field(default_factory=dict)
    note: str = ""  # text a result note must contain

    @property
    def expected(self) -> str:
        if self.recovers:
            extra = f"; note: {self.note}" if self.note else ""
            return f"recovers: exit 1, the 1 finding printed and saved once{extra}"
        kept = f"{self.findings} finding kept" if self.findings else "nothing to keep"
        return f"exit 3, one line ({self.message}); {kept} in findings.json"


FAST = {"REVIEWBOT_MAX_RETRY_SECONDS": "1"}
# Leaked calls carry the conversation-wide index K2 would give them (unused so far).
LEAKED_READ = FakeCall("read_file", {"path": "app/util.py"}, id="functions.read_file:7")
LEAKED_SEARCH = FakeCall("search_code", {"pattern": "ttl"}, id="functions.search_code:8")
CASES = [
    Case("429-retry-after-0", "HTTP 429 with Retry-After: 0, at request 3",
         (Fault.rate_limited(retry_after="0"),), 3, True, requests=6),
    Case("429-without-retry-after", "HTTP 429 without Retry-After (backoff), at request 2",
         (Fault.rate_limited(),), 2, True, requests=6),
    Case("429-overloaded-burst", "3 × HTTP 429 engine_overloaded with Retry-After: 0",
         (Fault.status_code(429, retry_after="0", count=3),), 2, True, requests=8),
    Case("429-persistent", "HTTP 429 with Retry-After: 1 on every request from request 3",
         (Fault.rate_limited(retry_after="1", count=30),), 3, False,
         message="kept failing", env=FAST),
    Case("500-burst", "3 × HTTP 500 (Retry-After: 0), at request 2",
         (Fault.status_code(500, retry_after="0", count=3),), 2, True, requests=8),
    Case("502-burst-html", "3 × HTTP 502 with an HTML body, at request 3",
         (Fault.status_code(502, retry_after="0", count=3),), 3, True, requests=8),
    Case("503-once-backoff", "HTTP 503 without Retry-After (backoff), at request 4",
         (Fault.burst(503, 1),), 4, True, requests=6),
    Case("503-persistent", "HTTP 503 on every request from request 3",
         (Fault.burst(503, 60),), 3, False, message="kept failing", env=FAST),
    Case("503-persistent-in-verification", "HTTP 503 on every request of the verification pass",
         (Fault.status_code(503, retry_after="1", count=30),), 4, False,
         message="kept failing", env=FAST),
    Case("drop-mid-stream", "connection dropped after 3 chunks, at request 2 (the comment)",
         (Fault.drop(after_chunks=3),), 2, True, requests=6),
    Case("drop-inside-tool-call", "connection dropped inside the add_comment arguments",
         (Fault.drop(after_chunks=12),), 2, True, requests=6),
    Case("stall", "stream stalls 5 s after 2 chunks (REVIEWBOT_IDLE_TIMEOUT=1), at request 3",
         (Fault.stall(5.0, after_chunks=2),), 3, True, requests=6,
         env={"REVIEWBOT_IDLE_TIMEOUT": "1"}),
    Case("malformed-chunk", "a truncated JSON chunk then [DONE], at request 2",
         (Fault.malformed(after_chunks=2),), 2, True, requests=6),
    Case("stream-error", "an error object mid-stream (engine_overloaded_error), at request 3",
         (Fault.stream_error(after_chunks=2),), 3, True, requests=6),
    Case("truncated-tool-arguments", "add_comment arguments cut off (finish_reason length)",
         (Fault.reply(Turn(tool_calls=[FakeCall("add_comment", '{"path": "app/cache.py", "li')],
                           finish_reason="length")),), 2, True, requests=6),
    Case("invalid-tool-arguments", "wrong types, unknown and missing arguments in 3 calls",
         (Fault.reply(Turn(tool_calls=[
             FakeCall("read_file", {"path": 42, "start_line": "x"}),
             FakeCall("add_comment", {**COMMENT, "severity": "blocker"}),
             FakeCall("list_files", {"folder": "app", "recursive": True}),
         ])),), 2, True, requests=6),
    Case("arguments-not-an-object", "tool arguments that are a JSON array",
         (Fault.reply(Turn(tool_calls=[FakeCall("read_file", '["app/cache.py"]')])),), 2,
         True, requests=6),
    Case("unknown-tool", "calls to tools that do not exist (run_shell, write_file)",
         (Fault.reply(Turn(tool_calls=[
             FakeCall("run_shell", {"cmd": "cat .env"}),
             FakeCall("write_file", {"path": "app/cache.py", "text": ""}),
         ])),), 2, True, requests=6),
    Case("leaked-markup-content", "raw K2 tool-call markup in content instead of tool_calls",
         (Fault.leaked_markup([LEAKED_READ]),), 2, True, requests=6),
    Case("leaked-markup-reasoning", "singular <|tool_call_section_begin|> markup in reasoning",
         (Fault.leaked_markup([LEAKED_SEARCH], into="reasoning", spelling="tool_call"),), 3,
         True, requests=6),
    Case("reasoning-only-reply", "a reply with reasoning and nothing else, at request 2",
         (Fault.reasoning_only(),), 2, True, requests=6),
    Case("empty-reply", "an empty reply (no reasoning, content or call), at request 3",
         (Fault.empty_reply(),), 3, True, requests=6),
    Case("context-length-mid-run", "HTTP 400 context length exceeded, at request 3",
         (Fault.context_length(),), 3, True, requests=6, note="context guard hid"),
    Case("context-length-first-request", "HTTP 400 context length exceeded, at request 1",
         (Fault.context_length(),), 1, False, message="no longer fits", findings=0),
    Case("context-length-twice", "HTTP 400 context length on request 3 and its retry",
         (Fault.context_length(), Fault.context_length()), 3, False, message="no longer fits"),
    Case("401-unauthorized", "HTTP 401 invalid authentication, at request 1",
         (Fault.unauthorized(),), 1, False, message="rejected the API key", findings=0),
    Case("402-out-of-credit", "HTTP 402 (balance exhausted) at request 3",
         (Fault.status_code(402, body={"error": {"message": "insufficient balance",
                                                 "type": "exceeded_current_quota_error"}}),),
         3, False, message="out of quota"),
]  # fmt: skip


def observe(run: Run, out: Path, repo: GitRepo, server: K2Server | None) -> str:
    data = saved(repo.path)
    if data is None:
        return f"exit {run.code}: {run.error_line()}; no findings.json"
    kept = len(data["findings"])
    asked = f"; {len(server.requests)} model requests" if server is not None else ""
    if run.code == 3:  # (how many retries fit the bound varies with the backoff's jitter)
        return f"exit 3: {run.error_line()}; findings.json keeps {kept}"
    printed = len(json.loads(out.read_text())["findings"]) if out.exists() else "no"
    notes = f"; notes: {'; '.join(data['notes'])}" if data["notes"] else ""
    return f"exit {run.code}; {printed} finding printed, {kept} saved{asked}{notes}"


def check_common(run: Run) -> None:
    assert "Traceback" not in run.stderr, run.stderr
    assert API_KEY not in run.stdout + run.stderr


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_model_fault(
    case: Case, feature_repo: GitRepo, k2_server: K2Server, outcome: Outcome
) -> None:
    inject_at(k2_server, case.at, case.faults)
    out = feature_repo.path / "review.json"
    run = reviewbot(
        feature_repo.path,
        "review", "--base", "main", "--format", "json", "-o", str(out), "--fail-on", "major",
        env=model_env(k2_server, **case.env),
    )  # fmt: skip
    observed = observe(run, out, feature_repo, k2_server)
    outcome.record(
        suite="faults",
        case=case.id,
        command="reviewbot review",
        fault=case.fault,
        expected=case.expected,
        observed=observed,
    )
    check_common(run)
    data = saved(feature_repo.path)
    assert data is not None, "findings.json was not saved"
    if case.recovers:
        assert run.code == 1, run.stderr
        printed = json.loads(out.read_text())["findings"]
        assert [f["title"] for f in printed] == [TITLE]
        assert data["findings"] == printed
        if case.requests is not None:
            assert len(k2_server.requests) == case.requests
        if case.note:
            assert any(case.note in n for n in data["notes"]), data["notes"]
    else:
        assert run.code == 3, run.stderr
        line = run.error_line()
        assert line.startswith("reviewbot: ") and case.message in line, run.stderr
        assert not out.exists()
        assert [f["title"] for f in data["findings"]] == [TITLE] * case.findings
        if case.findings:
            assert any("kept" in n for n in data["notes"]), data["notes"]


def test_model_unreachable(feature_repo: GitRepo, outcome: Outcome) -> None:
    """Nothing listens at the base URL: connection errors are retried, then one line."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = model_env(None, REVIEWBOT_BASE_URL=f"http://127.0.0.1:{port}/v1", **FAST)
    run = reviewbot(feature_repo.path, "review", "--base", "main", env=env)
    outcome.record(
        suite="faults",
        case="connection-refused",
        command="reviewbot review",
        fault="nothing listens at the model base URL",
        expected="exit 3, one line (cannot connect); nothing to keep in findings.json",
        observed=observe(run, feature_repo.path / "none", feature_repo, None),
    )
    check_common(run)
    assert run.code == 3
    assert run.error_line().startswith("reviewbot: ") and "cannot connect" in run.error_line()
    data = saved(feature_repo.path)
    assert data is not None and data["findings"] == []
