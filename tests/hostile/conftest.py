"""Hostile-input suite: a change full of prompt injection, reviewed by a model that obeys."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from tests.fakes.github_server import GitHubServer
from tests.fakes.k2_server import K2Server
from tests.faults.reliability import (  # noqa: F401 (fixture and hooks)
    outcome,
    pytest_runtest_makereport,
    pytest_sessionfinish,
)
from tests.github.conftest import Bench
from tests.helpers.gitrepo import GitRepo
from tests.hostile.payloads import DOTENV, DOTENV_CANARY, HANDLER_PY, INJECTION, PRIVATE_KEY

HANDLER = "app/handler.py"
COMMENT_LINE = 6  # an added line of HANDLER


@pytest.fixture
def hostile_repo(make_repo: Callable[..., GitRepo]) -> GitRepo:
    """`main` holds secrets (.env, a private key, symlinks to them and out of the tree);
    `feature` (checked out) adds a handler whose comments, the README and the commit
    message carry the injection, and changes .env."""
    repo = make_repo("hostile")
    repo.write("app/__init__.py", "")
    repo.write("app/config.py", "import os\n\nTOKEN = os.environ.get('TOKEN')\n")
    repo.write(".env", DOTENV)
    repo.write("deploy/id_rsa", PRIVATE_KEY)
    repo.symlink("env_link", ".env")
    repo.symlink("outside_link", "/etc/passwd")
    repo.commit("initial")
    repo.branch("feature")
    repo.write(HANDLER, HANDLER_PY)
    repo.write("README.md", f"# Service\n\n<!--\n{INJECTION}-->\n")
    repo.write(".env", DOTENV + f"NEW_SECRET={DOTENV_CANARY}-new\n")
    repo.commit("handler\n\n" + INJECTION)
    return repo


PullBench = Callable[[str, Mapping[str, str], Mapping[str, str]], Bench]


@pytest.fixture
def pull_bench(
    github_server: GitHubServer,
    k2_server: K2Server,
    make_repo: Callable[..., GitRepo],
    tmp_path: Path,
) -> Iterator[PullBench]:
    """Makes a pull request on the fake GitHub: ``master`` holds the base files, ``changes``
    (checked out) writes the head files over them. Each bench is checked at the end (no
    request GitHub would refuse, nothing but COMMENT reviews)."""
    made: list[Bench] = []

    def make(name: str, base_files: Mapping[str, str], head_files: Mapping[str, str]) -> Bench:
        repo = make_repo(name, branch="master")
        for path, text in base_files.items():
            repo.write(path, text)
        base = repo.commit("initial")
        repo.branch("changes")
        for path, text in head_files.items():
            repo.write(path, text)
        head = repo.commit("the change")
        bench = Bench(github_server, k2_server, repo, base, head, tmp_path / f"runs-{name}")
        bench.tmp.mkdir()
        made.append(bench)
        return bench

    yield make
    for bench in made:
        bench.check()
