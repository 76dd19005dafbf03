"""A pull request on the fake GitHub with one finding posted by reviewbot, for the
conversation suites (talk API, answers, feedback, linked issues)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from reviewbot.github.api import GitHubApi
from reviewbot.github.connection import ApiConfig
from tests.audit.conftest import project  # noqa: F401  (a small project to audit)
from tests.fakes.github_files import files_from_git_diff
from tests.fakes.github_server import GitHubServer
from tests.fakes.k2_server import K2Server
from tests.github.conftest import Bench, bench  # noqa: F401  (the `reviewbot github` bench)
from tests.helpers.gitrepo import GitRepo
from tests.helpers.samples import CACHE_AFTER, CACHE_BEFORE, SHOP_AFTER, SHOP_BEFORE

OWNER, NAME, NUMBER = "octo", "hello", 7
REPO = f"{OWNER}/{NAME}"
BOT = "github-actions[bot]"
FINDING = (
    "<!-- reviewbot:finding fp=abc123 head={head} sev=major -->\n"
    "**major: Expired entries are returned**\n\nThe TTL is never checked."
)


@dataclass(frozen=True)
class Pull:
    server: GitHubServer
    repo: GitRepo
    base: str
    head: str
    finding_id: int  # reviewbot's inline comment on cache.py


@pytest.fixture
def pull(github_server: GitHubServer, make_repo: Callable[..., GitRepo]) -> Pull:
    repo = make_repo("work")
    repo.write("cache.py", CACHE_BEFORE)
    base = repo.commit("base")
    repo.write("cache.py", CACHE_AFTER)
    head = repo.commit("ttl")
    files = files_from_git_diff(repo.git("diff", base, head))
    github_server.add_repo(OWNER, NAME)
    github_server.add_pull(
        OWNER, NAME, number=NUMBER, head_sha=head, base_sha=base, files=files, author="alice"
    )
    body = FINDING.format(head=head)
    github_server.add_review(
        OWNER, NAME, NUMBER, author=BOT, body="summary",
        comments=[{"path": "cache.py", "line": 12, "side": "RIGHT", "body": body}],
    )  # fmt: skip
    [comment] = github_server.review_comments(OWNER, NAME, NUMBER)
    return Pull(github_server, repo, base, head, int(comment["id"]))


@pytest.fixture
def api(github_server: GitHubServer) -> Iterator[GitHubApi]:
    config = ApiConfig(
        base_url=github_server.url, token="ghs_test", seconds_between_requests=0,
        seconds_between_writes=0, backoff_base=0,
    )  # fmt: skip
    with GitHubApi(config, sleep=lambda _s: None) as made:
        yield made
    assert github_server.violations == []


@pytest.fixture
def shop_bench(
    github_server: GitHubServer,
    k2_server: K2Server,
    make_repo: Callable[..., GitRepo],
    tmp_path: Path,
) -> Iterator[Bench]:
    """The bench on a change across three modules (tests/helpers/samples.py: SHOP_*)."""
    repo = make_repo("shop", branch="master")
    for path, text in SHOP_BEFORE.items():
        repo.write(path, text)
    base = repo.commit("shop")
    repo.branch("discounts")
    for path, text in SHOP_AFTER.items():
        repo.write(path, text)
    head = repo.commit("discount codes")
    made = Bench(github_server, k2_server, repo, base, head, tmp_path / "runs")
    made.tmp.mkdir()
    yield made
    made.check()
