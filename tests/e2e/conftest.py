"""Helpers for end-to-end runs: a real repository with a change, reviewbot as a process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fakes.inference_sh_server import InferenceShServer
from tests.fakes.k2_server import K2Server
from tests.helpers.gitrepo import GitRepo
from tests.helpers.launch import Run, model_env, reviewbot
from tests.helpers.samples import CACHE_AFTER, CACHE_BEFORE

API_KEY = "sk-e2e-canary-7f3a9c1d2b"


@pytest.fixture
def feature_repo(make_repo: Callable[..., GitRepo]) -> GitRepo:
    """`main` with a small package; `feature` (checked out) changes app/cache.py."""
    repo = make_repo("project")
    repo.write("app/__init__.py", "")
    repo.write("app/cache.py", CACHE_BEFORE)
    repo.write("app/util.py", "def clamp(x, lo, hi):\n    return max(lo, min(x, hi))\n")
    repo.write(
        "tests/test_cache.py", "from app.cache import Cache\n\n\ndef test_get():\n    pass\n"
    )
    repo.write("AGENTS.md", "Run pytest before committing.\n")
    repo.commit("initial")
    repo.branch("feature")
    repo.write("app/cache.py", CACHE_AFTER)
    repo.commit("cache: expire entries")
    return repo


def run_reviewbot(
    repo: GitRepo,
    server: K2Server | InferenceShServer,
    *args: str,
    env: dict[str, str | None] | None = None,
) -> Run:
    """reviewbot as a process against ``server``; ``env`` values of None are removed."""
    extra = {"REVIEWBOT_MAX_RETRY_SECONDS": "5", **(env or {})}
    return reviewbot(repo.path, *args, env=model_env(server, api_key=API_KEY, **extra))


def tool_results(request: dict[str, object]) -> list[str]:
    """The contents of the tool messages at the end of a request (the latest answers)."""
    messages = request["messages"]
    assert isinstance(messages, list)
    out: list[str] = []
    for message in reversed(messages):
        if message["role"] != "tool":
            break
        out.insert(0, message["content"])
    return out


def repo_path(repo: GitRepo) -> Path:
    return repo.path
