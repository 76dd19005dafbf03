"""Shared set-up for the fakes' own tests: a PR whose diff comes from real git (the fake
GitHub), a chat client on the K2 fake."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import github
import pytest

from tests.fakes.github_files import PullFile, files_from_git_diff
from tests.fakes.github_server import GitHubServer
from tests.helpers.gitrepo import GitRepo
from tests.llm.conftest import make_client  # noqa: F401 (the K2 fake's tests drive it)

OWNER, NAME, NUMBER = "octo", "hello", 7

OLD_APP = "".join(f"line {n}\n" for n in range(1, 41))


def _new_app() -> str:
    lines = [f"line {n}" for n in range(1, 41)]
    lines[4] = "line 5 changed"  # modify line 5
    del lines[11]  # delete old line 12
    lines[25:25] = ["inserted a", "inserted b"]  # add after new line 25
    return "".join(f"{line}\n" for line in lines)


@dataclass(frozen=True)
class Seeded:
    server: GitHubServer
    repo: GitRepo
    base: str
    head: str
    diff: str
    files: tuple[PullFile, ...]


@pytest.fixture
def seeded(github_server: GitHubServer, make_repo: Callable[..., GitRepo]) -> Seeded:
    """Repo octo/hello with PR #7 whose files come from `git diff base head` of a real repo.

    app.py: line 5 modified, old line 12 deleted, two lines inserted after new line 25 (two
    hunks); new.py added; gone.txt removed; docs/a.md renamed to docs/b.md with an edit;
    logo.bin binary (no patch).
    """
    repo = make_repo("work")
    repo.write("app.py", OLD_APP)
    repo.write("gone.txt", "bye\n")
    repo.write("docs/a.md", "# A\n\ntext\n")
    repo.write("logo.bin", bytes(range(256)))
    base = repo.commit("base")
    repo.write("app.py", _new_app())
    repo.write("new.py", "print('hi')\nprint('there')\n")
    repo.delete("gone.txt")
    repo.rename("docs/a.md", "docs/b.md")
    repo.write("docs/b.md", "# A\n\ntext\nmore\n")
    repo.write("logo.bin", bytes(range(255, -1, -1)))
    head = repo.commit("head")
    diff = repo.git("diff", "-M", base, head)
    files = files_from_git_diff(diff)
    github_server.add_repo(OWNER, NAME)
    github_server.add_pull(
        OWNER, NAME, number=NUMBER, head_sha=head, base_sha=base, files=files, author="alice"
    )
    return Seeded(github_server, repo, base, head, diff, files)


@pytest.fixture
def gh(github_server: GitHubServer) -> github.Github:
    """PyGitHub pointed at the fake: no retries (tests see every answer), no throttling.

    PyGitHub waits 0.25 s between requests and 1 s between writes by default.
    """
    return client(github_server.url)


_OPEN: list[github.Github] = []


def client(base_url: str, **kwargs: object) -> github.Github:
    """A PyGitHub client for the fake; closed after the test (no stray sockets)."""
    options: dict[str, object] = {
        "retry": None,
        "seconds_between_requests": 0,
        "seconds_between_writes": 0,
    }
    options.update(kwargs)
    made = github.Github(base_url=base_url, auth=github.Auth.Token("t"), **options)  # type: ignore[arg-type]
    _OPEN.append(made)
    return made


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().close()
