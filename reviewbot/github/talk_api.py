"""The GitHub calls of pull-request conversations, through PyGitHub's own objects: review
and issue comments, replies, reactions (also as a run's claim on a comment), issues, and
the issues a pull request closes (GraphQL ``closingIssuesReferences``).

Every call goes through ``GitHubApi.call`` (one retry policy); values answered are small
frozen dataclasses, never PyGitHub objects.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from github import GithubException

from reviewbot.github.api import GitHubApi
from reviewbot.github.types import Actor

CLOSING_QUERY = """
query($owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      closingIssuesReferences(first: 10) {
        nodes { number title body url repository { nameWithOwner } }
      }
    }
  }
}
"""


@dataclass(frozen=True)
class Reaction:
    id: int
    user: Actor
    content: str  # +1, -1, eyes, ...
    created_at: str  # ISO 8601


@dataclass(frozen=True)
class Said:
    """One comment of a conversation: on a review thread (``path`` set) or the PR."""

    id: int
    author: Actor
    association: str  # OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE, ...
    body: str
    url: str
    created_at: str
    path: str = ""
    line: int | None = None
    diff_hunk: str = ""
    in_reply_to: int | None = None


@dataclass(frozen=True)
class IssueText:
    repo: str  # owner/name
    number: int
    title: str
    body: str
    url: str


def _iso(value: datetime | str | None) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value or "")


def _actor(user: Any) -> Actor:
    if user is None:
        return Actor("ghost")
    return Actor(str(user.login), str(getattr(user, "type", None) or "User"))


def _said(c: Any, *, review: bool) -> Said:
    return Said(
        id=int(c.id),
        author=_actor(c.user),
        association=str(c.raw_data.get("author_association") or "NONE"),
        body=str(c.body or ""),
        url=str(c.html_url or ""),
        created_at=_iso(c.created_at),
        path=str(c.path or "") if review else "",
        line=(c.line if c.line is not None else c.original_line) if review else None,
        diff_hunk=str(c.diff_hunk or "") if review else "",
        in_reply_to=c.in_reply_to_id if review else None,
    )


def _reaction(r: Any) -> Reaction:
    return Reaction(int(r.id), _actor(r.user), str(r.content), _iso(r.created_at))


class Talk:
    """Conversation calls on one repository (``owner/name``)."""

    def __init__(self, api: GitHubApi, repo: str) -> None:
        self.api = api
        self.repo = repo
        self._repo = api.client.get_repo(repo)

    # Reading -------------------------------------------------------------------------
    def review_comment(self, comment_id: int) -> Said:
        def fetch() -> Said:
            comment = self._repo.get_pull(1).get_review_comment(comment_id)
            return _said(comment, review=True)

        return self.api.call(f"reading review comment {comment_id}", fetch)

    def review_comments(self, number: int) -> list[Said]:
        def fetch() -> list[Said]:
            pull = self._repo.get_pull(number)
            return [_said(c, review=True) for c in pull.get_review_comments()]

        return self.api.call(f"listing the review comments of #{number}", fetch)

    def issue_comments(self, number: int) -> list[Said]:
        def fetch() -> list[Said]:
            issue = self._repo.get_issue(number)
            return [_said(c, review=False) for c in issue.get_comments()]

        return self.api.call(f"listing the comments of #{number}", fetch)

    def reactions(self, comment_id: int, *, review: bool) -> list[Reaction]:
        def fetch() -> list[Reaction]:
            comment = self._comment(comment_id, review=review)
            return [_reaction(r) for r in comment.get_reactions()]

        return self.api.call(f"listing the reactions to comment {comment_id}", fetch)

    def issue(self, repo: str, number: int) -> IssueText:
        def fetch() -> IssueText:
            found = self.api.client.get_repo(repo).get_issue(number)
            return IssueText(repo, number, str(found.title or ""), str(found.body or ""),
                             str(found.html_url or ""))  # fmt: skip

        return self.api.call(f"reading issue {repo}#{number}", fetch)

    def closing_issues(self, number: int) -> list[IssueText]:
        """The issues GitHub says the pull request closes (keywords, links by hand)."""
        # Only GraphQL has closingIssuesReferences (no REST call, so none in PyGitHub).
        owner, name = self.repo.split("/", 1)
        variables = {"owner": owner, "name": name, "number": number}
        data = self.api.graphql(f"reading the issues #{number} closes", CLOSING_QUERY, variables)
        pull = (data.get("repository") or {}).get("pullRequest") or {}
        nodes = (pull.get("closingIssuesReferences") or {}).get("nodes") or []
        return [
            IssueText(
                str((n.get("repository") or {}).get("nameWithOwner") or self.repo),
                int(n["number"]),
                str(n.get("title") or ""),
                str(n.get("body") or ""),
                str(n.get("url") or ""),
            )
            for n in nodes
            if isinstance(n, dict) and n.get("number") is not None
        ]

    # Writing -------------------------------------------------------------------------
    def claim(self, comment_id: int, *, review: bool, content: str = "eyes") -> tuple[bool, str]:
        """React to a comment: (True, when) if this call made the reaction, (False, when
        the earlier one was made) if the token's user had made it already. GitHub answers
        201 for a new reaction and 200 for an existing one: two runs cannot both win."""
        kind = "pulls" if review else "issues"
        url = f"/repos/{self.repo}/{kind}/comments/{comment_id}/reactions"

        def send() -> tuple[bool, str]:
            # A raw request: PyGitHub's create_reaction hides the status, and 201 vs 200
            # is the whole answer here.
            status, headers, text = self.api.client.requester.requestJson(
                "POST", url, input={"content": content}
            )
            data = json.loads(text) if text else {}
            if status >= 400:
                raise GithubException(status, data, headers)
            return status == 201, str(data.get("created_at") or "")

        return self.api.call(f"reacting to comment {comment_id}", send)

    def reply_in_thread(self, number: int, root_id: int, body: str) -> Said:
        def send() -> Said:
            made = self._repo.get_pull(number).create_review_comment_reply(root_id, body)
            return _said(made, review=True)

        return self.api.call(f"replying in the thread of comment {root_id}", send)

    def comment(self, number: int, body: str) -> Said:
        def send() -> Said:
            made = self._repo.get_issue(number).create_comment(body)
            return _said(made, review=False)

        return self.api.call(f"commenting on #{number}", send)

    def delete_comment(self, comment_id: int, *, review: bool) -> None:
        self.api.call(
            f"deleting comment {comment_id}",
            lambda: self._comment(comment_id, review=review).delete(),
        )

    def _comment(self, comment_id: int, *, review: bool) -> Any:
        if review:
            return self._repo.get_pull(1).get_review_comment(comment_id)
        return self._repo.get_issue(1).get_comment(comment_id)
