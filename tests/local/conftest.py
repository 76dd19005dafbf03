"""Real repositories with a bare remote, reviewbot as a process, scripted model turns."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.k2_server import FakeCall, K2Server, Turn
from tests.helpers import launch
from tests.helpers.gitrepo import GitRepo
from tests.helpers.launch import Run
from tests.helpers.samples import CACHE_AFTER, CACHE_BEFORE

API_KEY = "sk-local-canary-5e1d7c9a"
TITLE = "Expired entries are never evicted"


def comment(severity: str, line: int = 11, path: str = "app/cache.py", **extra: Any) -> Turn:
    arguments = {
        "path": path,
        "line": line,
        "severity": severity,
        "title": TITLE,
        "body": "`get` returns None for an expired entry but leaves it in `items`.",
        "evidence": f"{path}:{line}",
        **extra,
    }
    return Turn(reasoning="The entry stays.", tool_calls=[FakeCall("add_comment", arguments)])


def finish(summary: str = "Adds expiry.") -> Turn:
    return Turn(reasoning="Done.", tool_calls=[FakeCall("finish_review", {"summary": summary})])


def finding_script(severity: str) -> list[Turn]:
    """Two turns (verification off): one comment at ``severity``, then finish."""
    return [comment(severity), finish("Adds expiry; one leak.")]


CLEAN = [finish("Looks right.")]


def model_env(server: K2Server, **extra: str | None) -> dict[str, str]:
    """The environment a reviewbot process (or a git push running the hook) needs; these
    suites review without the verification pass."""
    defaults = {"REVIEWBOT_MAX_RETRY_SECONDS": "2", "REVIEWBOT_VERIFY": "false"}
    return launch.model_env(server, api_key=API_KEY, **{**defaults, **extra})


def git(cwd: Path, *args: str, env: Mapping[str, str] | None = None) -> Run:
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env=dict(env if env is not None else os.environ),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
    )
    return Run(done.returncode, done.stdout, done.stderr, peak_rss_kib=0, seconds=0.0)


@dataclass(frozen=True)
class Pushable:
    """A work repository whose `origin` is a bare repository on disk."""

    work: GitRepo
    remote: GitRepo

    def remote_has(self, branch: str) -> str | None:
        done = git(self.remote.path, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}")
        return done.stdout.strip() or None


@pytest.fixture
def pushable(make_repo: Callable[..., GitRepo]) -> Pushable:
    """`main` pushed to a bare `origin`; `feature` (checked out, not pushed) changes
    app/cache.py."""
    remote = make_repo("remote.git", bare=True)
    work = make_repo("work")
    work.write("app/__init__.py", "")
    work.write("app/cache.py", CACHE_BEFORE)
    work.write("app/util.py", "def clamp(x, lo, hi):\n    return max(lo, min(x, hi))\n")
    work.commit("initial")
    work.git("remote", "add", "origin", str(remote.path))
    work.git("push", "--quiet", "origin", "main")
    work.git("remote", "set-head", "origin", "main")
    work.branch("feature")
    work.write("app/cache.py", CACHE_AFTER)
    work.commit("cache: expire entries")
    return Pushable(work, remote)


def prompt_text(request: dict[str, Any]) -> str:
    """Everything the model was sent in one request, as one string."""
    return "\n".join(str(m.get("content") or "") for m in request["messages"])
