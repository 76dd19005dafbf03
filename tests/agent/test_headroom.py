"""Headroom (issue 13, defect 8): the default pack budget leaves room for a typical review's
conversation (reasoning that is kept, tool outputs) without hiding earlier outputs, and a
tool output is capped where a typical read fits whole. The sizes are measured by
bench/headroom.py and documented in docs/model-contract.md."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from reviewbot.agent.reading import OutputLimits
from reviewbot.config import GROWTH_PER_TURN, REVIEW_TURNS, Settings, load_settings
from reviewbot.llm.client import ChatClient, ClientConfig
from reviewbot.llm.providers import PROVIDERS
from reviewbot.pipeline.plan import plan_review
from reviewbot.pipeline.run import Execution, execute
from reviewbot.repo import RepoView, changeset_from_git, resolve_range
from tests.fakes.k2_server import FakeCall, K2Server, Turn
from tests.helpers.gitrepo import GitRepo

MODULE = "".join(
    f"def helper_{i}(value, other):\n    total = value + other * {i}\n    return total\n\n"
    for i in range(80)
)


def test_the_reserves_add_up() -> None:
    s = Settings()
    assert s.output_reserve >= s.max_tokens  # one whole reply, reasoning included
    assert s.tool_reserve >= REVIEW_TURNS * GROWTH_PER_TURN
    assert s.pack_budget + s.output_reserve + s.tool_reserve <= s.context_window
    assert OutputLimits().max_chars <= 20_000  # a p90 read (~4.5K tokens) fits whole


@pytest.fixture
def crowded(make_repo: Callable[..., GitRepo]) -> GitRepo:
    """A change to lib/core.py that 200 modules import: enough related code to fill any
    budget, so the pack is as large as the defaults allow."""
    repo = make_repo("crowded")
    repo.write("lib/core.py", "VALUE = 1\n")
    for i in range(200):
        repo.write(f"lib/mod_{i:03}.py", f"from lib.core import VALUE\n\n{MODULE}")
    repo.commit("initial")
    repo.branch("feature")
    repo.write("lib/core.py", "VALUE = 2\n")
    repo.commit("bump")
    return repo


@pytest.mark.slow
def test_a_typical_review_fits_beside_a_full_pack(
    crowded: GitRepo, k2_server: K2Server, tmp_path: Path
) -> None:
    # 20 turns, each keeping ~1,500 tokens of reasoning and reading 260 lines (~2,100
    # tokens, about the measured median read): the conversation grows by ~70K tokens.
    turns = [
        Turn(reasoning="r" * 6_000, tool_calls=[FakeCall(
            "read_file", {"path": f"lib/mod_{199 - i:03}.py", "end_line": 260})])
        for i in range(20)
    ]  # fmt: skip
    k2_server.script([*turns, Turn(tool_calls=[FakeCall("finish_review", {"summary": "ok"})])])
    settings = load_settings(root=crowded.path, env={}, flags={"verify": False, "max_cost": 0.0})
    changes = changeset_from_git(crowded.path, resolve_range(crowded.path, "main"))
    provider = PROVIDERS["openai-compatible"]
    config = ClientConfig(base_url=k2_server.base_url, api_key="sk-headroom-00000",
                          model="kimi-k2-thinking", provider=provider)  # fmt: skip
    with RepoView(crowded.path, changes.head) as view, ChatClient(config) as client:
        plan = plan_review(settings, changes=changes, view=view,
                           repository="o/r")  # fmt: skip
        assert plan.pack.used > 0.9 * settings.pack_budget  # the pack is full
        result = execute(plan, settings, Execution(client=client, run_dir=tmp_path))
    assert not any("context guard" in n for n in result.notes), result.notes
    assert min(k2_server.cached_shares[1:]) > 0.9  # nothing hidden: every prefix reused
