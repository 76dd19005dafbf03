"""The conversation calls against the fake GitHub (every request checked against GitHub's
OpenAPI operations)."""

from __future__ import annotations

from reviewbot.github.api import GitHubApi
from reviewbot.github.talk_api import Talk
from tests.conversation.conftest import NAME, NUMBER, OWNER, REPO, Pull


def test_reactions_read_and_a_claim_is_won_once(pull: Pull, api: GitHubApi) -> None:
    talk = Talk(api, REPO)
    pull.server.react(pull.finding_id, "-1", author="maintainer")
    [down] = talk.reactions(pull.finding_id, review=True)
    assert (down.user.login, down.content) == ("maintainer", "-1")
    first, when = talk.claim(pull.finding_id, review=True)
    again, earlier = talk.claim(pull.finding_id, review=True)
    assert (first, again) == (True, False) and when == earlier


def test_thread_reply_and_pull_request_comment(pull: Pull, api: GitHubApi) -> None:
    talk = Talk(api, REPO)
    question = pull.server.reply_in_thread(pull.finding_id, "@reviewbot why?", author="bob")
    asked = talk.review_comment(question)
    assert (asked.in_reply_to, asked.path, asked.author.login) == (
        pull.finding_id, "cache.py", "bob"
    )  # fmt: skip
    answer = talk.reply_in_thread(NUMBER, pull.finding_id, "because")
    assert answer.in_reply_to == pull.finding_id
    thread = [c.body for c in talk.review_comments(NUMBER)]
    assert thread[1:] == ["@reviewbot why?", "because"]
    said = talk.comment(NUMBER, "on the PR")
    assert [c.body for c in talk.issue_comments(NUMBER)] == ["on the PR"]
    talk.delete_comment(said.id, review=False)
    assert talk.issue_comments(NUMBER) == []


def test_closing_issues_and_an_issue(pull: Pull, api: GitHubApi) -> None:
    server = pull.server
    number = server.add_issue(OWNER, NAME, title="Entries never expire", body="Steps: ...")
    state_pull = server.state.pull(server.state.repo(OWNER, NAME), NUMBER)  # type: ignore[arg-type]
    assert state_pull is not None
    state_pull.body = f"Fixes #{number}"
    talk = Talk(api, REPO)
    [found] = talk.closing_issues(NUMBER)
    assert (found.repo, found.number, found.title) == (REPO, number, "Entries never expire")
    assert talk.issue(REPO, number).body == "Steps: ..."
