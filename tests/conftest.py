"""Fixtures every suite shares."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reviewbot.llm.providers import KEY_ENV_VARS
from tests.helpers.gitrepo import GitRepo

pytest_plugins = [
    "tests.fakes.k2_server",
    "tests.fakes.github_server",
    "tests.fakes.inference_sh_server",
]

_PREFIXES = ("REVIEWBOT_", "GITHUB_", "RUNNER_", "ACTIONS_")
_EXTRA = (*KEY_ENV_VARS, "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GH_TOKEN", "CI")


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test can reach a real service or read the developer's config.

    Clears REVIEWBOT_*, GITHUB_* and every provider key variable; points HOME (and so the
    user config file) and git's global config at an empty folder; forbids proxies so loopback
    stays loopback.
    """
    for name in list(os.environ):
        if name.startswith(_PREFIXES) or name in _EXTRA:
            monkeypatch.delenv(name, raising=False)
    home = tmp_path / "_home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)  # no user file unless a test writes one
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("NO_PROXY", "*")
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(proxy, raising=False)
    yield


@pytest.fixture
def make_repo(tmp_path: Path) -> Iterator[Callable[..., GitRepo]]:
    """Factory for real git repositories: ``make_repo("name")`` -> ``GitRepo``. Each is
    closed after the test: GitPython's cat-file processes would otherwise be collected, and
    their pipes reported unclosed, in whichever later test the garbage collector runs."""
    counter = iter(range(10_000))
    made: list[GitRepo] = []

    def factory(name: str | None = None, **kwargs: object) -> GitRepo:
        folder = tmp_path / (name or f"repo{next(counter)}")
        made.append(GitRepo.create(folder, **kwargs))  # type: ignore[arg-type]
        return made[-1]

    yield factory
    for repo in made:
        repo.repo.close()


@pytest.fixture
def repo(make_repo: Callable[..., GitRepo]) -> GitRepo:
    """A repository with one commit on `main`."""
    r: GitRepo = make_repo("repo")
    r.write("README.md", "# test\n")
    r.commit("initial")
    return r
