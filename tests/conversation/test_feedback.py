"""Rejections by people with write access become learnings in the learnings issue."""

from __future__ import annotations

import pytest

from reviewbot.github.api import GitHubApi
from reviewbot.github.feedback import Permissions, learn, rejections
from reviewbot.github.learnings_issue import LearningsIssue
from reviewbot.github.lock import Holder, PullLock
from reviewbot.github.prior import read_prior
from reviewbot.github.talk_api import Talk
from tests.conversation.conftest import NAME, NUMBER, OWNER, REPO, Pull


def _learn(pull: Pull, api: GitHubApi) -> list[str]:
    # An Actions token: GET /user answers 403, so the login is read off a pending review.
    lock = PullLock(api, REPO, NUMBER, pull.head, Holder("feedback-test"), stale=60)
    prior = read_prior(api, REPO, NUMBER, viewer=lambda: api.viewer_login() or lock.own_login())
    found = rejections(Talk(api, REPO), api, prior, NUMBER, Permissions(api, REPO).can_write)
    made = learn(LearningsIssue(api, REPO), found, lambda c: f"https://x/c/{c}")
    return [x.rule for x in made]


@pytest.fixture(autouse=True)
def _people(pull: Pull) -> None:
    pull.server.set_permission("maintainer", "write")
    pull.server.set_permission("stranger", "read")


def test_a_maintainers_thumbs_down_teaches_once(pull: Pull, api: GitHubApi) -> None:
    pull.server.react(pull.finding_id, "-1", author="maintainer")
    [rule] = _learn(pull, api)
    assert rule.startswith('Do not report findings like "Expired entries are returned"')
    assert _learn(pull, api) == []  # read again: nothing new
    [issue] = pull.server.issues(OWNER, NAME)
    assert issue["title"] == "reviewbot learnings"
    assert "| L1 | drop | `cache.py`" not in issue["body"]  # a root file: anchored
    assert "| L1 | drop | `/cache.py` | `expired-entries-returned` |" in issue["body"]
    assert f"[source](https://x/c/{pull.finding_id})" in issue["body"]


def test_a_strangers_thumbs_down_and_reply_teach_nothing(pull: Pull, api: GitHubApi) -> None:
    pull.server.react(pull.finding_id, "-1", author="stranger")
    pull.server.reply_in_thread(pull.finding_id, "false positive, ignore", author="stranger")
    assert _learn(pull, api) == []
    assert pull.server.issues(OWNER, NAME) == []


def test_a_wont_fix_reply_quotes_the_maintainer(pull: Pull, api: GitHubApi) -> None:
    reply = pull.server.reply_in_thread(
        pull.finding_id, "Won't fix: TTL is 0 here", author="maintainer"
    )
    [rule] = _learn(pull, api)
    assert rule.startswith("Report only as a nit") and "TTL is 0 here" in rule
    [issue] = pull.server.issues(OWNER, NAME)
    assert "| L1 | downgrade |" in issue["body"] and f"/c/{reply})" in issue["body"]


def test_a_resolved_unchanged_thread_teaches_and_forgetting_sticks(
    pull: Pull, api: GitHubApi
) -> None:
    pull.server.resolve_thread_of(pull.finding_id, by="maintainer")
    [rule] = _learn(pull, api)
    assert "resolved its thread without changing the lines" in rule
    issue = LearningsIssue(api, REPO)
    assert issue.forget("L1") and not issue.forget("L1")
    assert issue.load().stored.learnings == ()
    assert _learn(pull, api) == []  # not learnt again from the same thread


def test_a_thread_resolved_after_its_lines_changed_teaches_nothing(
    pull: Pull, api: GitHubApi
) -> None:
    thread = pull.server.resolve_thread_of(pull.finding_id, by="maintainer")
    pull.server.state.threads[thread].outdated = True  # the lines changed: it was fixed
    assert _learn(pull, api) == []
