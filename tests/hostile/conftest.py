"""Hostile-input suite: a change full of prompt injection, reviewed by a model that obeys."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.faults.reliability import (  # noqa: F401 (fixture and hooks)
    outcome,
    pytest_runtest_makereport,
    pytest_sessionfinish,
)
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
