"""GitHubApi against the fake GitHub: issue upsert, rate limits, transient failures, reads."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reviewbot.errors import ConfigError, GitHubError
from reviewbot.github.api import GitHubApi
from reviewbot.github.connection import ApiConfig
from reviewbot.github.issues import find_issue, hidden_marker, upsert_issue
from reviewbot.github.types import GitHubRefusal, NewComment
from tests.fakes.github_files import PullFile
from tests.fakes.github_server import GitHubServer

OWNER, NAME = "octo", "hello"
REPO = f"{OWNER}/{NAME}"
PATCH = "@@ -1,3 +1,4 @@\n a\n+b\n c\n d"
MARKER = "reviewbot:audit"


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def api(github_server: GitHubServer, sleeps: Sleeps) -> Iterator[GitHubApi]:
    github_server.add_repo(OWNER, NAME)
    config = ApiConfig(
        base_url=github_server.url,
        token="ghs_test",
        seconds_between_requests=0,
        seconds_between_writes=0,
        max_wait=100,
        rate_wait=7,
        backoff_base=0.5,
    )
    with GitHubApi(config, sleep=sleeps) as made:
        yield made
    assert github_server.violations == []


def test_upsert_creates_once_then_updates(api: GitHubApi, github_server: GitHubServer) -> None:
    first = upsert_issue(api, REPO, MARKER, "Audit", "first body", labels=("audit",))
    assert first.created
    second = upsert_issue(api, REPO, MARKER, "Audit (2)", "second body", labels=("audit",))
    assert not second.created and second.number == first.number
    (issue,) = github_server.issues(OWNER, NAME)
    assert issue["title"] == "Audit (2)"
    assert issue["body"].startswith("second body") and hidden_marker(MARKER) in issue["body"]
    assert [label["name"] for label in issue["labels"]] == ["audit"]


def test_upsert_finds_a_closed_issue_and_one_whose_label_was_removed(
    api: GitHubApi, github_server: GitHubServer
) -> None:
    made = upsert_issue(api, REPO, MARKER, "Audit", "body", labels=("audit",))
    api.update_issue(REPO, made.number, title="Audit", body=f"x {hidden_marker(MARKER)}",
                     labels=[], state="closed")  # fmt: skip
    again = upsert_issue(api, REPO, MARKER, "Audit", "new", labels=("audit",))
    assert again.number == made.number and not again.created
    (issue,) = github_server.issues(OWNER, NAME)
    assert issue["state"] == "closed"  # updated, not reopened unless asked
    assert [label["name"] for label in issue["labels"]] == ["audit"]
    upsert_issue(api, REPO, MARKER, "Audit", "new", reopen=True)
    assert github_server.issues(OWNER, NAME)[0]["state"] == "open"


def test_upsert_ignores_a_persons_issue_carrying_the_marker(
    api: GitHubApi, github_server: GitHubServer
) -> None:
    github_server.add_issue(
        OWNER, NAME, title="spoof", body=hidden_marker(MARKER), author="mallory"
    )
    made = upsert_issue(api, REPO, MARKER, "Audit", "body")
    assert made.created
    spoof, ours = github_server.issues(OWNER, NAME)
    assert spoof["body"] == hidden_marker(MARKER) and ours["number"] == made.number


def test_upsert_keeps_the_body_under_githubs_limit(
    api: GitHubApi, github_server: GitHubServer
) -> None:
    upsert_issue(api, REPO, MARKER, "Audit", "line\n" * 20_000)
    (issue,) = github_server.issues(OWNER, NAME)
    assert len(issue["body"]) <= 65_536
    assert issue["body"].rstrip().endswith(hidden_marker(MARKER))


def test_create_issue_after_a_502_that_landed_is_not_repeated(
    api: GitHubApi, github_server: GitHubServer, sleeps: Sleeps
) -> None:
    github_server.inject("POST", r"/issues$", 502, process=True)
    made = upsert_issue(api, REPO, MARKER, "Audit", "body")
    assert len(github_server.issues(OWNER, NAME)) == 1 and made.created
    assert sleeps.calls == [0.5]


def test_markers_refuse_comment_terminators() -> None:
    with pytest.raises(ValueError, match="must not contain"):
        hidden_marker("a -- b")
    assert hidden_marker("<!-- x -->") == "<!-- x -->"


@pytest.mark.parametrize(
    ("status", "retry_after", "expected"),
    [(403, 3, 3.0), (429, 2, 2.0), (429, None, 7.0), (403, None, 7.0)],
)
def test_rate_limits_are_waited_out(
    api: GitHubApi,
    github_server: GitHubServer,
    sleeps: Sleeps,
    status: int,
    retry_after: int | None,
    expected: float,
) -> None:
    github_server.add_pull(OWNER, NAME, number=1, files=[PullFile("x.py", "modified", PATCH)])
    github_server.inject_secondary_rate_limit(
        "GET", r"/pulls/1$", status=status, retry_after=retry_after, times=2
    )
    assert api.pull(REPO, 1).number == 1
    assert sleeps.calls == [expected, expected]
    assert api.waited == 2 * expected


def test_a_wait_past_the_bound_fails_clearly(
    api: GitHubApi, github_server: GitHubServer, sleeps: Sleeps
) -> None:
    github_server.add_pull(OWNER, NAME, number=1)
    github_server.inject_secondary_rate_limit("GET", r"/pulls/1$", retry_after=60, times=2)
    with pytest.raises(GitHubError, match=r"rate limit .* 100 s bound"):
        api.pull(REPO, 1)
    assert sleeps.calls == [60]


def test_a_plain_403_is_not_waited_on(
    api: GitHubApi, github_server: GitHubServer, sleeps: Sleeps
) -> None:
    github_server.add_pull(OWNER, NAME, number=1)
    github_server.inject(
        "GET", r"/pulls/1$", 403, body={"message": "Resource not accessible by integration"}
    )
    with pytest.raises(GitHubError, match="pull-requests: write"):
        api.pull(REPO, 1)
    assert sleeps.calls == []


def test_transient_failures_are_retried_then_reported(
    api: GitHubApi, github_server: GitHubServer, sleeps: Sleeps
) -> None:
    github_server.add_pull(OWNER, NAME, number=1)
    github_server.inject("GET", r"/pulls/1$", 502, times=2)
    assert api.pull(REPO, 1).number == 1
    assert sleeps.calls == [0.5, 1.0]
    github_server.inject("GET", r"/pulls/1$", 503, times=4)
    with pytest.raises(GitHubError, match="503"):
        api.pull(REPO, 1)


def test_reads_and_a_refused_review(api: GitHubApi, github_server: GitHubServer) -> None:
    github_server.add_pull(
        OWNER, NAME, number=4, head_sha="a" * 40, base_sha="b" * 40, author="alice",
        files=[PullFile("x.py", "modified", PATCH), PullFile("logo.png", "added", None)],
    )  # fmt: skip
    info = api.pull(REPO, 4)
    assert (info.head_sha, info.base_sha, info.author.login) == ("a" * 40, "b" * 40, "alice")
    assert not info.from_fork and info.state == "open"
    files = api.pull_files(REPO, 4)
    assert [(f.filename, f.patch is None) for f in files] == [("x.py", False), ("logo.png", True)]
    comments = [
        NewComment("x.py", 2, "RIGHT", "c"),
        NewComment("x.py", 3, "RIGHT", "r", 1, "RIGHT"),
    ]
    review = api.create_review(REPO, 4, commit_id="a" * 40, body="body", comments=comments)
    assert review.state == "COMMENTED" and review.author.login == "github-actions[bot]"
    posted = api.review_comments(REPO, 4)
    assert [(c.line, c.start_line) for c in posted] == [(2, None), (3, 1)]
    (thread, _) = api.threads(REPO, 4)
    assert not thread.resolved and thread.first_author.is_bot
    api.resolve_thread(thread.id)
    assert api.threads(REPO, 4)[0].resolved
    github_server.set_permission("writer", "write", repo=REPO)
    assert api.permission(REPO, "writer") == "write"
    assert api.permission(REPO, "stranger") in ("read", "none")
    assert api.viewer_login() is None  # GITHUB_TOKEN: GET /user answers 403


def test_a_refused_review_carries_githubs_reasons(
    github_server: GitHubServer, sleeps: Sleeps
) -> None:
    github_server.add_repo(OWNER, NAME)
    github_server.add_pull(OWNER, NAME, number=4, head_sha="a" * 40,
                           files=[PullFile("x.py", "modified", PATCH)])  # fmt: skip
    config = ApiConfig(base_url=github_server.url, token="t", seconds_between_requests=0,
                       seconds_between_writes=0)  # fmt: skip
    off_diff = [NewComment("x.py", 9, "RIGHT", "off the diff")]
    with GitHubApi(config, sleep=sleeps) as api, pytest.raises(GitHubRefusal) as refused:
        api.create_review(REPO, 4, commit_id="a" * 40, body="b", comments=off_diff)
    assert refused.value.reasons == ("Line could not be resolved",)
    assert sleeps.calls == []  # a 422 is final
    (violation,) = github_server.violations  # the fake records what GitHub refused
    assert "Line could not be resolved" in violation.message


def test_ghes_base_path(github_server: GitHubServer, sleeps: Sleeps) -> None:
    github_server.add_repo(OWNER, NAME)
    github_server.add_pull(OWNER, NAME, number=2, files=[PullFile("x.py", "modified", PATCH)])
    config = ApiConfig(base_url=github_server.ghes_url, token="t", seconds_between_requests=0,
                       seconds_between_writes=0)  # fmt: skip
    with GitHubApi(config, sleep=sleeps) as api:
        assert api.pull(REPO, 2).number == 2
        assert api.threads(REPO, 2) == []
    paths = {r.path for r in github_server.requests}
    assert paths == {"/api/v3/repos/octo/hello/pulls/2", "/api/graphql"}
    assert github_server.violations == []


def test_find_issue_and_the_config_from_the_environment(
    api: GitHubApi, github_server: GitHubServer
) -> None:
    assert find_issue(api, REPO, MARKER) is None
    made = upsert_issue(api, REPO, MARKER, "Audit", "body", labels=("audit",))
    found = find_issue(api, REPO, MARKER, ["audit"])
    assert found is not None and found.number == made.number and found.labels == ("audit",)
    config = ApiConfig.from_environ(
        {"GITHUB_TOKEN": "t", "GITHUB_API_URL": "https://ghe.example/api/v3/",
         "REVIEWBOT_GITHUB_MAX_WAIT": "12", "REVIEWBOT_GITHUB_WRITE_INTERVAL": "0"}
    )  # fmt: skip
    assert (config.base_url, config.max_wait, config.seconds_between_writes) == (
        "https://ghe.example/api/v3", 12.0, 0.0,
    )  # fmt: skip
    with pytest.raises(ConfigError, match="REVIEWBOT_GITHUB_BACKOFF must be a number"):
        ApiConfig.from_environ({"GITHUB_TOKEN": "t", "REVIEWBOT_GITHUB_BACKOFF": "-1"})
    with pytest.raises(ConfigError, match="GITHUB_TOKEN is not set"):
        ApiConfig.from_environ({})
