"""The verification pass against the loopback K2 server, through the real pipeline: the same
tools in every request (the provider's prefix cache survives the pass), structured verdicts
kept in the output, and a pass that ends without a verdict for every finding keeps the
unverified ones and says so (issue 13, defects 2 and 3; issue 16: refuted and missing
verdicts)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from reviewbot.config import load_settings
from reviewbot.llm.client import ChatClient, ClientConfig
from reviewbot.llm.providers import PROVIDERS
from reviewbot.pipeline.plan import plan_review
from reviewbot.pipeline.run import Execution, execute
from reviewbot.repo import RepoView, changeset_from_git, resolve_range
from reviewbot.review.result import ReviewResult
from tests.fakes.k2_server import FakeCall, K2Server, ScriptEntry, Turn
from tests.helpers.gitrepo import GitRepo
from tests.helpers.samples import CACHE_AFTER, CACHE_BEFORE

LEAK = {"path": "app/cache.py", "line": 11, "end_line": 12, "severity": "major",
        "title": "Expired entries are never evicted",
        "body": "`get` returns None for an expired entry but leaves it in `items`.",
        "evidence": "app/cache.py:11-12"}  # fmt: skip
PUT = {"path": "app/cache.py", "line": 16, "severity": "minor",
       "title": "put ignores the ttl", "body": "Nothing bounds the dict.",
       "evidence": "app/cache.py:16"}  # fmt: skip


@pytest.fixture
def cache_repo(make_repo: Callable[..., GitRepo]) -> GitRepo:
    repo = make_repo("project")
    repo.write("app/__init__.py", "")
    repo.write("app/cache.py", CACHE_BEFORE)
    repo.write("tests/test_cache.py", "from app.cache import Cache\n")
    repo.commit("initial")
    repo.branch("feature")
    repo.write("app/cache.py", CACHE_AFTER)
    repo.commit("cache: expire entries")
    return repo


@pytest.fixture
def client(k2_server: K2Server) -> Iterator[ChatClient]:
    config = ClientConfig(
        base_url=k2_server.base_url,
        api_key="sk-verify-test-0000",
        model="kimi-k2-thinking",
        provider=PROVIDERS["openai-compatible"],
        max_retry_seconds=2,
    )
    with ChatClient(config) as c:
        yield c


def call(name: str, **arguments: Any) -> FakeCall:
    return FakeCall(name, arguments)


def turn(*calls: FakeCall, reasoning: str = "Checking.") -> Turn:
    return Turn(reasoning=reasoning, tool_calls=list(calls))


REVIEW: list[ScriptEntry] = [
    turn(call("read_file", path="app/cache.py")),
    turn(call("add_comment", **LEAK), call("add_comment", **PUT)),
    turn(call("finish_review", summary="Adds expiry; two problems.")),
]


def verdict(id: str, kind: str, evidence: str = "app/cache.py:11", **more: Any) -> FakeCall:
    return call("verify_finding", id=id, verdict=kind, evidence=evidence,
                reason=f"{id}: checked the code", **more)  # fmt: skip


def review(
    repo: GitRepo,
    server: K2Server,
    client: ChatClient,
    tmp: Path,
    script: Sequence[ScriptEntry],
    **flags: Any,
) -> ReviewResult:
    server.script([*REVIEW, *script])
    settings = load_settings(root=repo.path, env={}, flags={"max_cost": 0.0, **flags})
    changes = changeset_from_git(repo.path, resolve_range(repo.path, "main"))
    with RepoView(repo.path, changes.head) as view:
        plan = plan_review(settings, changes=changes, view=view, repository="o/r")
        return execute(plan, settings, Execution(client=client, run_dir=tmp))


def outputs(server: K2Server, request: int) -> list[str]:
    """The tool results a request carries after its last assistant message."""
    messages = server.requests[request]["messages"]
    last = max(i for i, m in enumerate(messages) if m["role"] == "assistant")
    return [m["content"] for m in messages[last + 1 :] if m["role"] == "tool"]


def test_every_request_declares_the_same_tools_and_the_pass_reuses_the_cache(
    cache_repo: GitRepo, k2_server: K2Server, client: ChatClient, tmp_path: Path
) -> None:
    result = review(cache_repo, k2_server, client, tmp_path, [
        turn(verdict("F1", "confirm"), verdict("F2", "confirm", evidence="app/cache.py:16")),
        turn(call("finish_review", summary="Two problems, both confirmed.")),
    ])  # fmt: skip
    assert len(result.findings) == 2
    first = k2_server.requests[0]["tools"]
    assert all(r["tools"] == first for r in k2_server.requests)
    names = [t["function"]["name"] for t in first]
    assert "verify_finding" in names and "add_comment" in names
    # The first request of the pass (index 3) shares all of the request before it: all but
    # the JSON's closing "]}" (the fake counts shared characters // 4 against a count
    # rounded up, so up to 2 tokens apart, depending on the prompt's length).
    usages = k2_server.usages
    assert usages[3]["cached_tokens"] >= usages[2]["prompt_tokens"] - 2


def test_refuted_findings_are_dropped_and_kept_in_the_output(
    cache_repo: GitRepo, k2_server: K2Server, client: ChatClient, tmp_path: Path
) -> None:
    result = review(cache_repo, k2_server, client, tmp_path, [
        turn(verdict("F1", "confirm"), verdict("F2", "refute", evidence="app/cache.py:15-16")),
        turn(call("finish_review", summary="One problem.")),
    ])  # fmt: skip
    assert [f.title for f in result.findings] == [LEAK["title"]]
    kept = result.findings[0]
    assert kept.verdict is not None and kept.verdict.verdict == "confirm"
    assert kept.verdict.evidence == ("app/cache.py:11",)
    assert result.verification is not None and result.verification.complete
    (refuted,) = result.verification.refuted
    assert refuted.title == PUT["title"]
    assert refuted.verdict is not None and refuted.verdict.reason == "F2: checked the code"
    assert any("refuted 1" in n for n in result.notes)
    data = json.loads((tmp_path / "findings.json").read_text())
    assert data["findings"][0]["verification"]["verdict"] == "confirm"
    assert data["verification"]["refuted"][0]["verification"]["evidence"] == ["app/cache.py:15-16"]


def test_downgrade_with_a_corrected_line(
    cache_repo: GitRepo, k2_server: K2Server, client: ChatClient, tmp_path: Path
) -> None:
    result = review(cache_repo, k2_server, client, tmp_path, [
        turn(verdict("F1", "downgrade", severity="minor", line=12),
             verdict("F2", "confirm", evidence="app/cache.py:16")),
        turn(call("finish_review", summary="Smaller than it looked.")),
    ])  # fmt: skip
    leak = next(f for f in result.findings if f.title == LEAK["title"])
    assert (leak.severity, leak.line, leak.end_line) == ("minor", 12, None)
    assert leak.verdict is not None
    assert (leak.verdict.severity_before, leak.verdict.line_before) == ("major", 11)


@pytest.mark.parametrize(
    "slip",
    [
        pytest.param([Turn(content="F1 is confirmed, F2 too."), Turn(content="Both hold.")],
                     id="prose"),
        pytest.param([Turn(reasoning="x" * 50, finish_reason="length"),
                      Turn(reasoning="y" * 50, finish_reason="length")], id="length-cut"),
        pytest.param([turn(call("finish_review", summary="Done early.")),
                      turn(call("finish_review", summary="Done, really."))], id="finish-early"),
    ],
)  # fmt: skip
def test_a_pass_without_every_verdict_keeps_the_unverified_and_says_so(
    cache_repo: GitRepo,
    k2_server: K2Server,
    client: ChatClient,
    tmp_path: Path,
    slip: list[Turn],
) -> None:
    result = review(cache_repo, k2_server, client, tmp_path, [
        turn(verdict("F1", "confirm")), *slip,
    ])  # fmt: skip
    assert [f.title for f in result.findings] == [LEAK["title"], PUT["title"]]
    put = result.findings[1]
    assert put.verdict is not None and put.verdict.verdict == "unverified"
    assert result.verification is not None and not result.verification.complete
    (note,) = [n for n in result.notes if "unverified" in n]
    assert "F2" in note
    assert k2_server.remaining == 0  # the pass ended on the second slip, not later


def test_a_limit_reached_in_the_pass_keeps_the_unverified_and_says_so(
    cache_repo: GitRepo, k2_server: K2Server, client: ChatClient, tmp_path: Path
) -> None:
    # Three steps of review, one of verification: max_steps stops the pass after F1.
    result = review(cache_repo, k2_server, client, tmp_path, [
        turn(verdict("F1", "confirm")),
        turn(verdict("F2", "confirm", evidence="app/cache.py:16")),
    ], max_steps=4)  # fmt: skip
    assert k2_server.remaining == 1  # the second verdict was never asked for
    assert [f.title for f in result.findings] == [LEAK["title"], PUT["title"]]
    assert [f.verdict.verdict for f in result.findings if f.verdict] == ["confirm", "unverified"]
    assert result.verification is not None and not result.verification.complete
    (note,) = [n for n in result.notes if "unverified" in n]
    assert "F2" in note and "max_steps" in note


def test_a_finding_outside_the_diff_is_verified_as_one(
    cache_repo: GitRepo, k2_server: K2Server, client: ChatClient, tmp_path: Path
) -> None:
    caller = {"path": "tests/test_cache.py", "line": 1, "severity": "minor",
              "title": "The test never expires an entry", "body": "Nothing covers the ttl.",
              "evidence": "tests/test_cache.py:1", "outside_diff": True}  # fmt: skip
    k2_server.script([
        turn(call("add_comment", **LEAK), call("add_comment", **caller)),
        turn(call("finish_review", summary="One problem, one outside the diff.")),
        turn(verdict("F1", "confirm"), verdict("F2", "confirm", evidence="tests/test_cache.py:1")),
        turn(call("finish_review", summary="Both hold.")),
    ])  # fmt: skip
    settings = load_settings(root=cache_repo.path, env={}, flags={"max_cost": 0.0})
    changes = changeset_from_git(cache_repo.path, resolve_range(cache_repo.path, "main"))
    with RepoView(cache_repo.path, changes.head) as view:
        plan = plan_review(settings, changes=changes, view=view,
                           repository="o/r")  # fmt: skip
        result = execute(plan, settings, Execution(client=client, run_dir=tmp_path))
    instructions = k2_server.requests[2]["messages"][-1]["content"]
    assert "F2 [minor] tests/test_cache.py:1 (outside the diff):" in instructions
    assert "F1 [major] app/cache.py:11-12: " in instructions
    outside = next(f for f in result.findings if f.path == "tests/test_cache.py")
    assert not outside.anchored and outside.verdict is not None
    assert outside.verdict.verdict == "confirm"


def test_a_call_cut_off_by_the_length_limit_is_answered_and_retried(
    cache_repo: GitRepo, k2_server: K2Server, client: ChatClient, tmp_path: Path
) -> None:
    cut = Turn(
        reasoning="F2 next.",
        tool_calls=[FakeCall("verify_finding", '{"id": "F2", "verdict": "confi')],
        finish_reason="length",
    )
    result = review(cache_repo, k2_server, client, tmp_path, [
        turn(verdict("F1", "confirm")), cut,
        turn(verdict("F2", "confirm", evidence="app/cache.py:16")),
        turn(call("finish_review", summary="Both hold.")),
    ])  # fmt: skip
    (answer,) = outputs(k2_server, 5)
    assert "cut off" in answer and "output limit" in answer
    assert result.verification is not None and result.verification.complete
    assert len(result.findings) == 2


def test_add_comment_is_refused_during_verification(
    cache_repo: GitRepo, k2_server: K2Server, client: ChatClient, tmp_path: Path
) -> None:
    late = dict(PUT, line=17, title="Late finding")
    result = review(cache_repo, k2_server, client, tmp_path, [
        turn(call("add_comment", **late)),
        turn(verdict("F1", "confirm"), verdict("F2", "confirm", evidence="app/cache.py:16")),
        turn(call("finish_review", summary="Both hold; put also lacks a size bound.")),
    ])  # fmt: skip
    (answer,) = outputs(k2_server, 4)
    assert "add_comment" in answer and "verification" in answer and "summary" in answer
    instructions = k2_server.requests[3]["messages"][-1]["content"]
    assert "verify_finding" in instructions and "add_comment is closed" in instructions
    assert [f.title for f in result.findings] == [LEAK["title"], PUT["title"]]
    assert "size bound" in result.summary


def test_verdicts_need_evidence_on_real_lines(
    cache_repo: GitRepo, k2_server: K2Server, client: ChatClient, tmp_path: Path
) -> None:
    result = review(cache_repo, k2_server, client, tmp_path, [
        turn(verdict("F1", "confirm", evidence="app/nope.py:3"),
             verdict("F2", "confirm", evidence="app/cache.py:999"),
             verdict("F3", "confirm")),
        turn(verdict("F1", "confirm"), verdict("F2", "confirm", evidence="app/cache.py:16")),
        turn(call("finish_review", summary="Both hold.")),
    ])  # fmt: skip
    missing, past, unknown = outputs(k2_server, 4)
    assert missing.startswith("error:") and "app/nope.py" in missing
    assert past.startswith("error:") and "999" in past
    assert unknown.startswith("error:") and "F1, F2" in unknown
    assert result.verification is not None and result.verification.complete


def test_verify_finding_is_refused_before_the_pass(
    cache_repo: GitRepo, k2_server: K2Server, client: ChatClient, tmp_path: Path
) -> None:
    k2_server.script([turn(verdict("F1", "confirm"))])
    settings = load_settings(root=cache_repo.path, env={}, flags={"max_cost": 0.0})
    changes = changeset_from_git(cache_repo.path, resolve_range(cache_repo.path, "main"))
    k2_server.script([turn(call("finish_review", summary="Nothing."))])
    with RepoView(cache_repo.path, changes.head) as view:
        plan = plan_review(settings, changes=changes, view=view,
                           repository="o/r")  # fmt: skip
        result = execute(plan, settings, Execution(client=client, run_dir=tmp_path))
    (answer,) = outputs(k2_server, 1)
    assert answer.startswith("error:") and "add_comment" in answer
    assert result.findings == () and result.verification is None
