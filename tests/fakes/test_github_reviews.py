"""Reviews through PyGitHub: what lands, what GitHub refuses, and that refusals change nothing."""

from __future__ import annotations

from typing import Any

import github
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fakes.conftest import NAME, NUMBER, OWNER, Seeded

UNRESOLVED = {
    "message": "Unprocessable Entity",
    "errors": ["Line could not be resolved"],
    "documentation_url": "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request",
    "status": "422",
}


def _pr(gh: github.Github) -> Any:
    return gh.get_repo(f"{OWNER}/{NAME}").get_pull(NUMBER)


def test_review_with_single_and_multi_line_comments_on_both_sides(
    seeded: Seeded, gh: github.Github
) -> None:
    comments: list[Any] = [
        {"path": "app.py", "line": 5, "body": "changed line"},
        {"path": "app.py", "line": 12, "side": "LEFT", "body": "deleted line"},
        {"path": "app.py", "start_line": 23, "line": 27, "side": "RIGHT", "body": "range"},
        {
            "path": "app.py",
            "start_line": 4,
            "start_side": "LEFT",
            "line": 5,
            "side": "RIGHT",
            "body": "x",
        },
        {"path": "gone.txt", "line": 1, "side": "LEFT", "body": "removed file"},
        {"path": "docs/b.md", "line": 4, "body": "renamed file"},
    ]
    review = _pr(gh).create_review(body="summary", event="COMMENT", comments=comments)
    assert review.state == "COMMENTED"
    assert review.commit_id == seeded.head
    landed = seeded.server.review_comments(OWNER, NAME, NUMBER)
    got = [(c["path"], c["line"], c["side"], c["start_line"], c["start_side"]) for c in landed]
    assert got == [
        ("app.py", 5, "RIGHT", None, None),
        ("app.py", 12, "LEFT", None, None),
        ("app.py", 27, "RIGHT", 23, "RIGHT"),
        ("app.py", 5, "RIGHT", 4, "LEFT"),
        ("gone.txt", 1, "LEFT", None, None),
        ("docs/b.md", 4, "RIGHT", None, None),
    ]
    assert all(c["pull_request_review_id"] == review.id for c in landed)
    assert landed[0]["diff_hunk"].endswith("+line 5 changed")
    assert seeded.server.violations == []
    # PyGitHub reads them back the same way.
    listed = [(c.path, c.line, c.side) for c in _pr(gh).get_review_comments()]
    assert listed[:2] == [("app.py", 5, "RIGHT"), ("app.py", 12, "LEFT")]


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ({"path": "app.py", "line": 20, "body": "between hunks"}, "Line could not be resolved"),
        ({"path": "app.py", "line": 1, "body": "before first hunk"}, "Line could not be resolved"),
        (
            {"path": "gone.txt", "line": 1, "body": "removed file RIGHT"},
            "Line could not be resolved",
        ),
        (
            {"path": "new.py", "line": 1, "side": "LEFT", "body": "added file LEFT"},
            "Line could not be resolved",
        ),
        ({"path": "logo.bin", "line": 1, "body": "binary"}, "Line could not be resolved"),
        ({"path": "README.md", "line": 1, "body": "not in PR"}, "Path could not be resolved"),
        ({"path": "app.py", "body": "no line"}, "Line could not be resolved"),
        (
            {"path": "app.py", "start_line": 5, "line": 5, "body": "start == line"},
            "Pull request review thread start line must precede the end line.",
        ),
        (
            {"path": "app.py", "start_line": 6, "line": 5, "body": "start after line"},
            "Pull request review thread start line must precede the end line.",
        ),
        (
            {"path": "app.py", "start_line": 10, "line": 25, "body": "two hunks"},
            "Pull request review thread start line must be part of the same hunk as the line.",
        ),
        (
            {"path": "app.py", "line": 5, "side": "MIDDLE", "body": "bad side"},
            "Pull request review thread side must be LEFT or RIGHT.",
        ),
    ],
)
def test_one_bad_comment_fails_the_whole_review(
    seeded: Seeded, gh: github.Github, comment: dict[str, Any], message: str
) -> None:
    good = {"path": "app.py", "line": 5, "body": "fine"}
    with pytest.raises(github.GithubException) as caught:
        _pr(gh).create_review(body="s", event="COMMENT", comments=[good, comment])
    assert caught.value.status == 422
    assert caught.value.data["errors"] == [message]
    assert seeded.server.reviews(OWNER, NAME, NUMBER) == []
    assert seeded.server.review_comments(OWNER, NAME, NUMBER) == []
    assert seeded.server.threads(OWNER, NAME, NUMBER) == []
    [violation] = seeded.server.violations
    assert violation.kind == "semantic" and "comments[1]" in violation.message


def test_refusal_body_is_githubs_shape(seeded: Seeded, gh: github.Github) -> None:
    bad = {"path": "app.py", "line": 20, "body": "x"}
    with pytest.raises(github.GithubException) as caught:
        _pr(gh).create_review(body="s", event="COMMENT", comments=[bad])
    assert caught.value.data == UNRESOLVED


def test_long_bodies_are_refused(seeded: Seeded, gh: github.Github) -> None:
    with pytest.raises(github.GithubException) as caught:
        _pr(gh).create_review(body="x" * 65_537, event="COMMENT")
    assert caught.value.status == 422
    assert "maximum is 65536" in str(caught.value.data)
    _pr(gh).create_review(body="x" * 65_536, event="COMMENT")
    assert len(seeded.server.reviews(OWNER, NAME, NUMBER)) == 1


def test_github_actions_cannot_approve_and_nobody_approves_their_own(
    seeded: Seeded, gh: github.Github
) -> None:
    with pytest.raises(github.GithubException) as caught:
        _pr(gh).create_review(body="ok", event="APPROVE")
    assert caught.value.data["errors"] == [
        "GitHub Actions is not permitted to approve pull requests."
    ]
    with pytest.raises(ValueError, match="approve your own"):
        seeded.server.add_review(OWNER, NAME, NUMBER, author="alice", event="APPROVE")
    assert seeded.server.reviews(OWNER, NAME, NUMBER) == []


def test_pending_review_then_submit(seeded: Seeded, gh: github.Github) -> None:
    pr = _pr(gh)
    pending = pr.create_review(comments=[{"path": "new.py", "line": 2, "body": "later"}])
    assert pending.state == "PENDING"
    assert seeded.server.threads(OWNER, NAME, NUMBER) == []  # drafts open no thread
    with pytest.raises(github.GithubException) as caught:
        pr.create_review(comments=[{"path": "new.py", "line": 1, "body": "again"}])
    assert caught.value.data["errors"] == ["User can only have one pending review per pull request"]
    requester = gh.requester
    _, data = requester.requestJsonAndCheck(
        "POST", f"{pr.url}/reviews/{pending.id}/events", input={"event": "COMMENT", "body": "done"}
    )
    assert data["state"] == "COMMENTED" and data["submitted_at"]
    [thread] = seeded.server.threads(OWNER, NAME, NUMBER)
    assert (thread["path"], thread["line"]) == ("new.py", 2)


def test_commit_id_must_belong_to_the_pull(seeded: Seeded, gh: github.Github) -> None:
    requester = gh.requester
    url = _pr(gh).url
    with pytest.raises(github.GithubException) as caught:
        requester.requestJsonAndCheck(
            "POST", f"{url}/reviews", input={"commit_id": "f" * 40, "event": "COMMENT", "body": "x"}
        )
    assert caught.value.data["errors"] == ["The commitOID is not part of the pull request"]


def test_old_commit_id_is_checked_against_that_commits_diff(
    seeded: Seeded, gh: github.Github
) -> None:
    new_head = "a" * 40
    seeded.server.push(
        OWNER, NAME, NUMBER, new_head, files=[("other.py", "added", "@@ -0,0 +1 @@\n+x")]
    )
    url = _pr(gh).url
    requester = gh.requester
    old = {
        "commit_id": seeded.head,
        "event": "COMMENT",
        "comments": [{"path": "app.py", "line": 5, "body": "old"}],
    }
    _, data = requester.requestJsonAndCheck("POST", f"{url}/reviews", input=old)
    assert data["commit_id"] == seeded.head
    with pytest.raises(github.GithubException):
        requester.requestJsonAndCheck(
            "POST", f"{url}/reviews", input={**old, "commit_id": new_head}
        )


def test_reply_joins_the_thread_and_push_makes_it_outdated(
    seeded: Seeded, gh: github.Github
) -> None:
    pr = _pr(gh)
    pr.create_review(
        body="s", event="COMMENT", comments=[{"path": "app.py", "line": 25, "body": "root"}]
    )
    [root] = list(pr.get_review_comments())
    reply = pr.create_review_comment_reply(root.id, "a reply")
    assert reply.in_reply_to_id == root.id
    [thread] = seeded.server.threads(OWNER, NAME, NUMBER)
    assert thread["comment_ids"] == [root.id, reply.id] and not thread["isOutdated"]
    seeded.server.push(OWNER, NAME, NUMBER, "b" * 40, changed_lines={"app.py": [25]})
    [thread] = seeded.server.threads(OWNER, NAME, NUMBER)
    assert thread["isOutdated"] and thread["line"] is None
    [outdated, _] = list(_pr(gh).get_review_comments())
    assert outdated.line is None and outdated.original_line == 25


def test_single_comment_endpoint_and_its_refusal(seeded: Seeded, gh: github.Github) -> None:
    pr = _pr(gh)
    commit = github.Commit.Commit(gh.requester, {}, {"sha": seeded.head}, completed=True)
    made = pr.create_review_comment("one", commit, "new.py", line=1, side="RIGHT")
    assert (made.path, made.line) == ("new.py", 1)
    with pytest.raises(github.GithubException) as caught:
        pr.create_review_comment("bad", commit, "new.py", line=9, side="RIGHT")
    assert caught.value.data["message"] == "Validation Failed"
    assert len(seeded.server.review_comments(OWNER, NAME, NUMBER)) == 1


def test_edit_and_delete_review_comments(seeded: Seeded, gh: github.Github) -> None:
    pr = _pr(gh)
    pr.create_review(
        body="s", event="COMMENT", comments=[{"path": "app.py", "line": 5, "body": "v1"}]
    )
    [comment] = list(pr.get_review_comments())
    comment.edit("v2")
    assert seeded.server.review_comments(OWNER, NAME, NUMBER)[0]["body"] == "v2"
    comment.delete()
    assert seeded.server.review_comments(OWNER, NAME, NUMBER) == []
    assert seeded.server.threads(OWNER, NAME, NUMBER) == []


def test_reviews_by_others_are_listed(seeded: Seeded, gh: github.Github) -> None:
    seeded.server.add_review(
        OWNER,
        NAME,
        NUMBER,
        author="bob",
        event="REQUEST_CHANGES",
        body="fix",
        comments=[{"path": "app.py", "line": 5, "body": "no"}],
    )
    reviews = list(_pr(gh).get_reviews())
    assert [(r.user.login, r.state) for r in reviews] == [("bob", "CHANGES_REQUESTED")]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(line=st.integers(0, 45), side=st.sampled_from(["LEFT", "RIGHT"]))
def test_accepted_exactly_when_the_oracle_says_commentable(
    seeded: Seeded, gh: github.Github, line: int, side: str
) -> None:
    """Over the HTTP path: a single-line comment lands iff the line is on that side of a hunk."""
    allowed = seeded.server.commentable_lines(OWNER, NAME, NUMBER, "app.py", side)
    before = len(seeded.server.review_comments(OWNER, NAME, NUMBER))
    comment: Any = [{"path": "app.py", "line": line, "side": side, "body": "p"}]
    status = 200
    try:
        _pr(gh).create_review(body="s", event="COMMENT", comments=comment)
    except github.GithubException as exc:
        status = exc.status
    assert status == (200 if line in allowed else 422)
    landed = len(seeded.server.review_comments(OWNER, NAME, NUMBER))
    assert landed == before + (1 if line in allowed else 0)
