"""The agent loop against the real client and the loopback K2-compatible server, with the
real tools over a real repository: long sessions stay inside the window, limits stop the
run cleanly with findings kept, and the model's mistakes come back to it as tool errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from reviewbot.agent.guard import HIDDEN, ContextGuard, GuardConfig
from reviewbot.agent.loop import Agent, Limits
from reviewbot.agent.tools import FindingsBook, ReviewTools
from reviewbot.config import load_settings
from reviewbot.llm.client import ChatClient, ClientConfig
from reviewbot.llm.pricing import cost_usd, prices_for
from reviewbot.llm.providers import PROVIDERS
from reviewbot.pack.tokens import TokenCounter
from reviewbot.pipeline.plan import plan_review
from reviewbot.pipeline.run import Execution, code_from_diff, execute
from reviewbot.repo import RepoView, changeset_from_git, resolve_range
from tests.fakes.k2_server import FakeCall, K2Server, Turn
from tests.helpers.gitrepo import GitRepo

CLIENTS: list[ChatClient] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while CLIENTS:
        CLIENTS.pop().close()


def client_for(server: K2Server) -> ChatClient:
    client = ChatClient(
        ClientConfig(
            base_url=server.base_url,
            api_key="sk-loop-test-000000",
            model="kimi-k2-thinking",
            provider=PROVIDERS["openai-compatible"],
            max_retry_seconds=2,
        )
    )
    CLIENTS.append(client)
    return client


@pytest.fixture
def big_repo(make_repo: Callable[..., GitRepo]) -> GitRepo:
    repo = make_repo("big")
    body = "".join(f"def function_{i}(value):\n    return value * {i}\n\n" for i in range(600))
    repo.write("lib/big.py", body)
    repo.write("lib/small.py", "X = 1\n")
    repo.commit("initial")
    repo.branch("feature")
    repo.write("lib/small.py", "X = 2\nY = 3\n")
    repo.commit("change")
    return repo


def agent_for(repo: GitRepo, server: K2Server, *, window: int, limits: Limits) -> Agent:
    changes = changeset_from_git(repo.path, resolve_range(repo.path, "main"))
    view = RepoView(repo.path, changes.head)
    tools = ReviewTools(view, changes, FindingsBook(), code_at=code_from_diff(changes))
    prices = prices_for("kimi-k2-thinking")
    return Agent(
        client_for(server),
        tools.tools(),
        limits=limits,
        guard=ContextGuard(
            GuardConfig(context_window=window, output_reserve=4_000),
            count=TokenCounter().count,  # what a review counts with
        ),
        price=lambda usage: cost_usd(usage, prices),
    )


def reading_model(request: dict[str, Any]) -> Turn:
    """A model that keeps reading different windows of a big file."""
    step = sum(1 for m in request["messages"] if m["role"] == "assistant")
    start = (step * 37) % 1500 + 1
    return Turn(
        reasoning=f"step {step}",
        tool_calls=[FakeCall("read_file", {"path": "lib/big.py", "start_line": start,
                                           "end_line": start + 120})],
    )  # fmt: skip


@pytest.mark.slow
def test_300_step_session_stays_inside_the_window(big_repo: GitRepo, k2_server: K2Server) -> None:
    k2_server.default_turn = None
    k2_server.script([reading_model] * 300)
    window = 40_000
    agent = agent_for(big_repo, k2_server, window=window, limits=Limits(max_steps=300))
    outcome = agent.run(
        [{"role": "system", "content": "review"}, {"role": "user", "content": "go"}]
    )
    assert outcome.stopped_by == "max_steps"
    assert agent.totals.steps == 300
    assert len(k2_server.requests) == 300
    # Every request fit the window minus the output reserve, by the server's own count.
    assert max(u["prompt_tokens"] for u in k2_server.usages) <= window - 4_000
    assert agent.guard.fired >= 2
    assert sum(1 for m in agent.messages if m.get("content") == HIDDEN) > 0
    # Hiding happens in blocks, so most turns still reuse a cached prefix.
    cached = sum(u["cached_tokens"] for u in k2_server.usages)
    total = sum(u["prompt_tokens"] for u in k2_server.usages)
    assert cached / total > 0.8


def test_repeated_identical_call_gets_a_hint(big_repo: GitRepo, k2_server: K2Server) -> None:
    same = FakeCall("read_file", {"path": "lib/small.py"})
    k2_server.script([
        Turn(tool_calls=[same]),
        Turn(tool_calls=[same]),
        Turn(tool_calls=[FakeCall("finish_review", {"summary": "done"})]),
    ])  # fmt: skip
    agent = agent_for(big_repo, k2_server, window=100_000, limits=Limits())
    outcome = agent.run([{"role": "user", "content": "go"}])
    assert outcome.summary == "done"
    tool_outputs = [m["content"] for m in agent.messages if m["role"] == "tool"]
    assert "X = 2" in tool_outputs[0]
    assert tool_outputs[1].startswith("You already made this exact call")


def test_bad_arguments_unknown_tools_and_silence_are_answered(
    big_repo: GitRepo, k2_server: K2Server
) -> None:
    k2_server.script([
        Turn(tool_calls=[FakeCall("read_file", '{"path": "lib/sm')]),
        Turn(tool_calls=[FakeCall("delete_repo", {})]),
        Turn(tool_calls=[FakeCall("read_file", {"path": "../../etc/passwd"})]),
        Turn(content="I think it is fine."),
        Turn(content="Really fine."),
    ])  # fmt: skip
    agent = agent_for(big_repo, k2_server, window=100_000, limits=Limits())
    outcome = agent.run([{"role": "user", "content": "go"}])
    outputs = [m["content"] for m in agent.messages if m["role"] == "tool"]
    assert "not valid JSON (truncated" in outputs[0]
    assert "there is no tool named 'delete_repo'" in outputs[1]
    assert outputs[2].startswith("error:") and "refused '../../etc/passwd'" in outputs[2]
    nudges = [
        m
        for m in agent.messages
        if m["role"] == "user" and "without calling a tool" in m["content"]
    ]
    assert len(nudges) == 1
    assert outcome.summary == "Really fine."


def test_max_cost_stops_with_findings_kept(
    big_repo: GitRepo, k2_server: K2Server, tmp_path: Path
) -> None:
    comment = FakeCall("add_comment", {"path": "lib/small.py", "line": 2, "severity": "minor",
                                       "title": "Y is unused", "body": "Never read.",
                                       "evidence": "lib/small.py:2"})  # fmt: skip
    costly = {"prompt_tokens": 200_000, "completion_tokens": 1_000, "cached_tokens": 0}
    k2_server.script([Turn(tool_calls=[comment], usage=costly)] + [
        Turn(tool_calls=[FakeCall("list_files", {"pattern": f"*{i}*"})], usage=costly)
        for i in range(20)
    ])  # fmt: skip
    settings = load_settings(root=big_repo.path, env={}, flags={"max_cost": 0.3, "verify": False})
    changes = changeset_from_git(big_repo.path, resolve_range(big_repo.path, "main"))
    view = RepoView(big_repo.path, changes.head)
    plan = plan_review(settings, changes=changes, view=view, repository="o/r")
    result = execute(plan, settings, Execution(client=client_for(k2_server), run_dir=tmp_path))
    assert result.stopped_by == "max_cost"
    assert result.stats.cost_usd <= 0.3
    assert [f.title for f in result.findings] == ["Y is unused"]
    assert any("max cost" in note for note in result.notes)
    assert (tmp_path / "findings.json").is_file()
    assert len(k2_server.requests) < 21


def test_first_reported_prompt_calibrates_the_token_counter(
    big_repo: GitRepo, k2_server: K2Server, tmp_path: Path
) -> None:
    settings = load_settings(root=big_repo.path, env={}, flags={"verify": False})
    changes = changeset_from_git(big_repo.path, resolve_range(big_repo.path, "main"))
    view = RepoView(big_repo.path, changes.head)
    counter = TokenCounter().start()
    plan = plan_review(settings, changes=changes, view=view, repository="o/r", counter=counter)
    reported = {"prompt_tokens": 10 * plan.prompt_tokens, "completion_tokens": 10}
    k2_server.script(
        [Turn(tool_calls=[FakeCall("finish_review", {"summary": "ok"})], usage=reported)]
    )
    assert counter.calibration.ratio == 1.0
    execute(
        plan, settings, Execution(client=client_for(k2_server), run_dir=tmp_path), counter=counter
    )
    # Ours counted the prompt plus the tool schemas; the API said ten times the prompt.
    assert 5.0 < counter.calibration.ratio < 10.0
