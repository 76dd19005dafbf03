"""GitHub through PyGitHub: the one module that speaks GitHub's API.

``GitHubApi`` wraps a ``github.Github`` client pointed at ``GITHUB_API_URL`` (so GitHub
Enterprise Server works: ``https://HOST/api/v3``) and answers with small frozen values;
PyGitHub objects and raw dicts never leave this module. Every call goes through the one
retry policy (``reviewbot.retry``, GitHub's signals read by ``wait``): rate limits
(``403``/``429``, with or without ``Retry-After``) are waited out, and all waits of a run
stay within ``max_wait`` seconds in total; transient ``5xx`` and connection failures are
retried with backoff, and a write that may have landed before its ``5xx`` is looked up
(``landed``) before it is sent again. Failures end as ``GitHubError``
(``GitHubRefusal`` for a ``422``, ``GitHubNotFound`` for a ``404``) with a one-line message.

``upsert_issue`` (``issues``) keeps one issue per hidden marker (the audit's tracking
issue); the values answered are in ``types``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal, TypeVar

from github.Issue import Issue
from github.NamedUser import NamedUser
from github.PullRequestReview import PullRequestReview

from reviewbot.errors import GitHubError
from reviewbot.github.connection import Connection, GitHubNotFound
from reviewbot.github.types import (
    Actor,
    IssueInfo,
    NewComment,
    PostedComment,
    PostedReview,
    PullInfo,
    ThreadInfo,
)
from reviewbot.repo import PatchFile

T = TypeVar("T")

THREADS_QUERY = """
query($owner: String!, $name: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $after) {
        nodes {
          id
          isResolved
          isOutdated
          resolvedBy { login __typename }
          comments(first: 1) { nodes { databaseId body author { login __typename } } }
        }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}
"""
RESOLVE_MUTATION = """
mutation($thread: ID!) {
  resolveReviewThread(input: {threadId: $thread}) { thread { id isResolved } }
}
"""


class GitHubApi(Connection):
    """The calls reviewbot makes, each retried by the one policy; a context manager."""

    # Reading: PyGitHub's typed objects and its pagination ------------------------------
    def pull(self, repo: str, number: int) -> PullInfo:
        def fetch() -> PullInfo:
            pr = self._repo(repo).get_pull(number)
            return PullInfo(
                number=pr.number,
                title=pr.title or "",
                body=pr.body or "",
                state=pr.state or "open",
                draft=bool(pr.draft),
                merged=bool(pr.merged),
                author=_actor_of(pr.user),
                head_sha=pr.head.sha or "",
                base_sha=pr.base.sha or "",
                head_repo=pr.head.repo.full_name if pr.head.repo is not None else "",
                base_repo=pr.base.repo.full_name if pr.base.repo is not None else repo,
                html_url=pr.html_url or "",
            )

        return self.call(f"reading pull request #{number}", fetch)

    def pull_files(self, repo: str, number: int) -> list[PatchFile]:
        """The PR's files as GitHub diffs them (``patch`` None: binary or too large)."""

        def fetch() -> list[PatchFile]:
            return [
                PatchFile(
                    filename=f.filename,
                    status=f.status or "modified",
                    patch=f.patch,
                    previous_filename=f.previous_filename,
                )
                for f in self._repo(repo).get_pull(number).get_files()
            ]

        return self.call(f"listing the files of #{number}", fetch)

    def review_comments(self, repo: str, number: int) -> list[PostedComment]:
        def fetch() -> list[PostedComment]:
            return [
                PostedComment(
                    id=c.id,
                    review_id=c.pull_request_review_id,
                    path=c.path or "",
                    line=c.line,
                    original_line=c.original_line,
                    start_line=c.start_line,
                    side="LEFT" if c.side == "LEFT" else "RIGHT",
                    body=c.body or "",
                    author=_actor_of(c.user),
                    commit_id=c.commit_id or "",
                    in_reply_to=c.in_reply_to_id,
                )
                for c in self._repo(repo).get_pull(number).get_review_comments()
            ]

        return self.call(f"listing the review comments of #{number}", fetch)

    def reviews(self, repo: str, number: int) -> list[PostedReview]:
        def fetch() -> list[PostedReview]:
            return [_review_of(r) for r in self._repo(repo).get_pull(number).get_reviews()]

        return self.call(f"listing the reviews of #{number}", fetch)

    def threads(self, repo: str, number: int) -> list[ThreadInfo]:
        owner, name = repo.split("/", 1)
        out: list[ThreadInfo] = []
        after: str | None = None
        while True:
            variables = {"owner": owner, "name": name, "number": number, "after": after}
            what = f"listing the review threads of #{number}"
            data = self.graphql(what, THREADS_QUERY, variables)
            pull = (data.get("repository") or {}).get("pullRequest") or {}
            page = pull.get("reviewThreads") or {}
            out += [_thread_of(node) for node in page.get("nodes") or []]
            info = page.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                return out
            after = info.get("endCursor")

    def permission(self, repo: str, login: str) -> str:
        """The user's role on the repository: admin, maintain, write, triage, read, none."""

        def fetch() -> str:
            return self._repo(repo).get_collaborator_role_name(login) or "none"

        return self.call(f"reading {login}'s permission", fetch)

    def viewer_login(self) -> str | None:
        """The token's own login; None for an Actions or App token (GitHub answers 403)."""
        try:
            return self.call("reading the token's user", lambda: self._gh.get_user().login)
        except GitHubError:
            return None

    # Writing -------------------------------------------------------------------------
    def create_review(
        self,
        repo: str,
        number: int,
        *,
        commit_id: str,
        body: str,
        comments: Sequence[NewComment],
        event: Literal["COMMENT"] | None = "COMMENT",
        landed: Callable[[], PostedReview | None] | None = None,
    ) -> PostedReview:
        """One review (``event`` None: a pending review, submitted later or deleted)."""

        def send() -> PostedReview:
            target = self._repo(repo)
            pr = target.get_pull(number)
            commit = target.get_commit(commit_id)
            payload: list[Any] = [c.payload() for c in comments]
            if event is None:
                made = pr.create_review(commit=commit, body=body, comments=payload)
            else:
                made = pr.create_review(commit=commit, body=body, event=event, comments=payload)
            return _review_of(made)

        return self.call(f"posting a review on #{number}", send, landed=landed)

    def submit_review(
        self,
        repo: str,
        number: int,
        review_id: int,
        *,
        body: str,
        landed: Callable[[], PostedReview | None] | None = None,
    ) -> PostedReview:
        """Submit a pending review as a ``COMMENT`` with ``body`` (``GitHubNotFound`` when
        the pending review is gone)."""
        # PyGitHub has no call for submitting a pending review: a raw request.
        path = f"/repos/{repo}/pulls/{number}/reviews/{review_id}/events"
        data = {"event": "COMMENT", "body": body}

        def send() -> PostedReview:
            made = self._send("POST", path, data)
            return _review_of(self._gh.create_from_raw_data(PullRequestReview, made))

        return self.call(f"submitting review {review_id} on #{number}", send, landed=landed)

    def delete_pending_review(self, repo: str, number: int, review_id: int) -> None:
        def send() -> None:
            self._repo(repo).get_pull(number).get_review(review_id).delete()

        with contextlib.suppress(GitHubNotFound):  # already gone: that is what we wanted
            self.call(f"deleting pending review {review_id}", send)

    def resolve_thread(self, thread_id: str) -> None:
        self.graphql(f"resolving thread {thread_id}", RESOLVE_MUTATION, {"thread": thread_id})

    def react(self, repo: str, comment_id: int, content: str) -> None:
        def send() -> None:
            # An issue comment's URL does not name its issue: any lazy issue reaches it.
            self._repo(repo).get_issue(1).get_comment(comment_id).create_reaction(content)

        self.call("reacting to the comment", send)

    def graphql(self, what: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        # Review threads (listing, resolving) exist only in GitHub's GraphQL API, which
        # PyGitHub does not type: the query goes through its requester.
        url = self.config.graphql_url or self._gh.requester.graphql_url

        def send() -> dict[str, Any]:
            data = self._send("POST", url, {"query": query, "variables": variables})
            if data.get("errors"):
                text = "; ".join(str(e.get("message", e)) for e in data["errors"])
                raise GitHubError(f"GitHub GraphQL: {what} failed ({text[:300]})")
            return dict(data.get("data") or {})

        return self.call(what, send)

    # Issues --------------------------------------------------------------------------
    def issues(
        self, repo: str, *, labels: Iterable[str] = (), state: str = "all"
    ) -> list[IssueInfo]:
        wanted = list(labels)

        def fetch() -> list[IssueInfo]:
            target = self._repo(repo)
            found = (
                target.get_issues(state=state, labels=wanted)
                if wanted
                else target.get_issues(state=state)
            )
            return [_issue_of(i) for i in found]

        return self.call("listing issues", fetch)

    def create_issue(
        self,
        repo: str,
        *,
        title: str,
        body: str,
        labels: Sequence[str] = (),
        landed: Callable[[], IssueInfo | None] | None = None,
    ) -> IssueInfo:
        def send() -> IssueInfo:
            return _issue_of(
                self._repo(repo).create_issue(title=title, body=body, labels=list(labels))
            )

        return self.call("creating an issue", send, landed=landed)

    def update_issue(
        self,
        repo: str,
        number: int,
        *,
        title: str,
        body: str,
        labels: Sequence[str] | None = None,
        state: str | None = None,
    ) -> IssueInfo:
        def send() -> IssueInfo:
            issue = self._repo(repo).get_issue(number)
            changes: dict[str, Any] = {"title": title, "body": body}
            if labels is not None:
                changes["labels"] = list(labels)
            if state is not None:
                changes["state"] = state
            issue.edit(**changes)
            return _issue_of(issue)

        return self.call(f"updating issue #{number}", send)


def _actor_of(user: NamedUser | None) -> Actor:
    if user is None:
        return Actor("ghost")
    return Actor(user.login or "ghost", user.type or "User")


def _review_of(r: PullRequestReview) -> PostedReview:
    return PostedReview(
        id=r.id,
        body=r.body or "",
        state=r.state or "",
        commit_id=r.commit_id or "",
        author=_actor_of(r.user),
        html_url=r.html_url or "",
    )


def _thread_of(node: dict[str, Any]) -> ThreadInfo:
    comments = (node.get("comments") or {}).get("nodes") or []
    first = comments[0] if comments else {}
    return ThreadInfo(
        id=str(node["id"]),
        resolved=bool(node.get("isResolved")),
        outdated=bool(node.get("isOutdated")),
        first_comment_id=first.get("databaseId"),
        first_body=str(first.get("body") or ""),
        first_author=_graphql_actor(first.get("author")),
        resolved_by=_graphql_actor(node["resolvedBy"]) if node.get("resolvedBy") else None,
    )


def _graphql_actor(user: Any) -> Actor:
    if not isinstance(user, dict):
        return Actor("ghost")
    return Actor(str(user.get("login") or "ghost"), str(user.get("__typename") or "User"))


def _issue_of(i: Issue) -> IssueInfo:
    return IssueInfo(
        number=i.number,
        title=i.title or "",
        body=i.body or "",
        state=i.state or "open",
        author=_actor_of(i.user),
        url=i.html_url or "",
        is_pull=i.pull_request is not None,
        labels=tuple(label.name for label in i.labels),
    )
