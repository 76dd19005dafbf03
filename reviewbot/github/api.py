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
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import github
import requests
from github.GithubException import GithubException

from reviewbot import __version__
from reviewbot.errors import ConfigError, GitHubError
from reviewbot.github.types import (
    Actor,
    GitHubRefusal,
    IssueInfo,
    NewComment,
    PostedComment,
    PostedReview,
    PullInfo,
    ThreadInfo,
)
from reviewbot.github.wait import TRANSIENT_STATUSES, rate_limit_wait
from reviewbot.repo import PatchFile
from reviewbot.retry import GiveUpReason, Retryable, RetryPolicy, WaitBudget, run_with_retries

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


@dataclass(frozen=True)
class ApiConfig:
    """Where GitHub is and how politely to talk to it."""

    base_url: str
    token: str = field(repr=False)
    graphql_url: str = ""  # empty: derived from base_url as PyGitHub does
    seconds_between_requests: float = 0.25
    seconds_between_writes: float = 1.0
    max_wait: float = 300.0  # seconds spent waiting out rate limits, in total
    rate_wait: float = 60.0  # wait for a secondary limit that names no time
    backoff_base: float = 1.0  # first backoff after a transient failure
    attempts: int = 4  # tries of one call on transient failures
    timeout: int = 30
    lock_stale: float = 300.0  # another run's pending review older than this is taken over

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> ApiConfig:
        """From the Actions variables (``GITHUB_API_URL``, ``GITHUB_GRAPHQL_URL``,
        ``GITHUB_TOKEN``) and the pacing knobs ``REVIEWBOT_GITHUB_REQUEST_INTERVAL``,
        ``..._WRITE_INTERVAL``, ``..._MAX_WAIT``, ``..._RATE_WAIT``, ``..._BACKOFF`` and
        ``..._LOCK_STALE`` (seconds)."""
        token = environ.get("GITHUB_TOKEN") or environ.get("GH_TOKEN") or ""
        if not token:
            raise ConfigError(
                "GITHUB_TOKEN is not set",
                hint="pass it to the step: `env: GITHUB_TOKEN: ${{ github.token }}`",
            )

        def seconds(name: str, default: float) -> float:
            text = environ.get(f"REVIEWBOT_GITHUB_{name}", "").strip()
            if not text:
                return default
            try:
                value = float(text)
            except ValueError:
                value = -1.0
            if value < 0:
                raise ConfigError(
                    f"environment variable REVIEWBOT_GITHUB_{name} must be a number >= 0, "
                    f"got {text!r}"
                )
            return value

        return cls(
            base_url=(environ.get("GITHUB_API_URL") or "https://api.github.com").rstrip("/"),
            token=token,
            graphql_url=environ.get("GITHUB_GRAPHQL_URL", ""),
            seconds_between_requests=seconds("REQUEST_INTERVAL", 0.25),
            seconds_between_writes=seconds("WRITE_INTERVAL", 1.0),
            max_wait=seconds("MAX_WAIT", 300.0),
            rate_wait=seconds("RATE_WAIT", 60.0),
            backoff_base=seconds("BACKOFF", 1.0),
            lock_stale=seconds("LOCK_STALE", 300.0),
        )


def _message(data: Any) -> str:
    if isinstance(data, dict):
        text = str(data.get("message") or "")
        errors = data.get("errors")
        if isinstance(errors, list) and errors:
            parts = [e.get("message", str(e)) if isinstance(e, dict) else str(e) for e in errors]
            text = f"{text}: {'; '.join(parts)}" if text else "; ".join(parts)
        return text
    return str(data or "")


def _reasons(data: Any) -> list[str]:
    errors = data.get("errors") if isinstance(data, dict) else None
    if not isinstance(errors, list):
        return []
    return [e.get("message", str(e)) if isinstance(e, dict) else str(e) for e in errors]


class GitHubNotFound(GitHubError):
    """GitHub answered 404: the thing is gone (or the token cannot see it)."""


def _translate(what: str, exc: GithubException) -> GitHubError:
    status = exc.status
    text = " ".join(_message(exc.data).split())[:300] or "no message"
    line = f"GitHub API: {what} failed with {status} ({text})"
    if status == 401:
        return GitHubError(line, hint="check the token (GITHUB_TOKEN)")
    if status == 403:
        return GitHubError(
            line,
            hint="the token lacks a permission: give the workflow `pull-requests: write` "
            "(and `issues: write` for issues)",
        )
    if status == 404:
        return GitHubNotFound(line, hint="check GITHUB_REPOSITORY and that the token can see it")
    if status == 422:
        return GitHubRefusal(line, _reasons(exc.data))
    return GitHubError(line, hint="GitHub may be having trouble; re-run the job later")


class GitHubApi:
    """The calls reviewbot makes, each retried by one policy; a context manager."""

    def __init__(
        self,
        config: ApiConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.config = config
        self._sleep = sleep
        self._log = log or (lambda _line: None)
        self._budget = WaitBudget(config.max_wait)  # the run's waiting, all calls together
        self._policy = RetryPolicy(
            max_attempts=config.attempts,
            max_retry_seconds=math.inf,  # bounded by the budget instead
            base_delay=config.backoff_base,
            jitter=False,
        )
        self._gh = github.Github(
            base_url=config.base_url.rstrip("/"),
            auth=github.Auth.Token(config.token),
            timeout=config.timeout,
            user_agent=f"reviewbot/{__version__}",
            retry=None,
            seconds_between_requests=config.seconds_between_requests or None,
            seconds_between_writes=config.seconds_between_writes or None,
            lazy=True,
        )

    def close(self) -> None:
        self._gh.close()

    @property
    def client(self) -> github.Github:
        """The PyGitHub client (lazy), for the other modules of this package only; every
        call through it goes through ``call``."""
        return self._gh

    def __enter__(self) -> GitHubApi:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def waited(self) -> float:
        """Seconds spent waiting out rate limits so far."""
        return self._budget.spent

    # The retry policy ------------------------------------------------------------------
    def call(
        self, what: str, action: Callable[[], T], *, landed: Callable[[], T | None] | None = None
    ) -> T:
        """Run ``action`` under the one retry policy (``reviewbot.retry``); ``landed`` looks
        for a write's effect after a transient failure (so it is not sent twice).

        PyGitHub's own retry (``GithubRetry``, urllib3's) is not used: a write must be
        looked up before it is sent again, and one budget bounds a run's waiting across
        its calls; both live in ``run_with_retries``."""

        def attempt() -> T:
            try:
                return action()
            except GithubException as exc:
                headers = {str(k): str(v) for k, v in (exc.headers or {}).items()}
                wait = rate_limit_wait(
                    exc.status,
                    headers,
                    _message(exc.data),
                    default_wait=self.config.rate_wait,
                    now=time.time(),
                )
                if wait is not None:
                    raise Retryable("rate limit", wait, counts=False, cause=exc) from exc
                if exc.status not in TRANSIENT_STATUSES:
                    raise _translate(what, exc) from exc
                raise Retryable(str(exc.status), cause=exc) from exc
            except requests.RequestException as exc:
                raise Retryable(type(exc).__name__, cause=exc) from exc

        def on_retry(failures: int, wait: float, failure: Retryable) -> None:
            if not failure.counts:
                self._log(f"GitHub rate limit on {what}: waiting {wait:.0f} s")
            else:
                self._log(
                    f"GitHub API: {what} failed ({failure.reason}); "
                    f"retry {failures} in {wait:.1f} s"
                )

        def give_up(last: Retryable, why: GiveUpReason, tries: int, spent: float) -> GitHubError:
            if why == "time" and last.counts:
                return GitHubError(
                    f"GitHub API: {what} failed ({last.reason}); waiting again would pass the "
                    f"{self.config.max_wait:.0f} s bound ({self._budget.spent:.0f} s waited)",
                    hint="re-run the job later, or raise REVIEWBOT_GITHUB_MAX_WAIT",
                )
            if why == "time":
                return GitHubError(
                    f"GitHub rate limit on {what}: another {last.retry_after or 0:.0f} s wait "
                    f"would pass the {self.config.max_wait:.0f} s bound "
                    f"({self._budget.spent:.0f} s waited)",
                    hint="re-run the job later, or raise REVIEWBOT_GITHUB_MAX_WAIT",
                )
            if isinstance(last.cause, GithubException):
                return _translate(what, last.cause)
            return GitHubError(
                f"GitHub API: {what} failed: {last.reason}",
                hint="check GITHUB_API_URL and the network; re-run the job later",
            )

        def look(failure: Retryable) -> T | None:
            return landed() if landed is not None and failure.counts else None

        return run_with_retries(
            attempt,
            self._policy,
            sleep=self._sleep,
            on_retry=on_retry,
            give_up=give_up,
            budget=self._budget,
            before_retry=look,
        )

    # Plumbing ------------------------------------------------------------------------
    def _get(self, path: str) -> dict[str, Any]:
        _, data = self._gh.requester.requestJsonAndCheck("GET", path)
        return dict(data)

    def _send(self, verb: str, path: str, data: dict[str, Any] | None = None) -> Any:
        _, answer = self._gh.requester.requestJsonAndCheck(verb, path, input=data)
        return answer

    def _pages(self, path: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every item of a paginated list (following ``Link: rel="next"``)."""
        items: list[dict[str, Any]] = []
        url: str | None = path
        query: dict[str, Any] | None = {"per_page": 100, **(params or {})}
        while url:
            headers, data = self._gh.requester.requestJsonAndCheck("GET", url, parameters=query)
            items.extend(data if isinstance(data, list) else [])
            url, query = _next_link(headers), None
        return items

    # Reading -------------------------------------------------------------------------
    def pull(self, repo: str, number: int) -> PullInfo:
        def fetch() -> PullInfo:
            pr = self._get(f"/repos/{repo}/pulls/{number}")
            head, base = pr.get("head") or {}, pr.get("base") or {}
            return PullInfo(
                number=int(pr["number"]),
                title=str(pr.get("title") or ""),
                body=str(pr.get("body") or ""),
                state=str(pr.get("state") or "open"),
                draft=bool(pr.get("draft")),
                merged=bool(pr.get("merged")),
                author=_actor_of(pr.get("user")),
                head_sha=str(head.get("sha") or ""),
                base_sha=str(base.get("sha") or ""),
                head_repo=str((head.get("repo") or {}).get("full_name") or ""),
                base_repo=str((base.get("repo") or {}).get("full_name") or repo),
                html_url=str(pr.get("html_url") or ""),
            )

        return self.call(f"reading pull request #{number}", fetch)

    def pull_files(self, repo: str, number: int) -> list[PatchFile]:
        """The PR's files as GitHub diffs them (``patch`` None: binary or too large)."""

        def fetch() -> list[PatchFile]:
            return [
                PatchFile(
                    filename=str(f["filename"]),
                    status=str(f.get("status") or "modified"),
                    patch=f.get("patch"),
                    previous_filename=f.get("previous_filename"),
                )
                for f in self._pages(f"/repos/{repo}/pulls/{number}/files")
            ]

        return self.call(f"listing the files of #{number}", fetch)

    def review_comments(self, repo: str, number: int) -> list[PostedComment]:
        def fetch() -> list[PostedComment]:
            return [
                PostedComment(
                    id=int(c["id"]),
                    review_id=c.get("pull_request_review_id"),
                    path=str(c.get("path") or ""),
                    line=c.get("line"),
                    original_line=c.get("original_line"),
                    start_line=c.get("start_line"),
                    side="LEFT" if c.get("side") == "LEFT" else "RIGHT",
                    body=str(c.get("body") or ""),
                    author=_actor_of(c.get("user")),
                    commit_id=str(c.get("commit_id") or ""),
                    in_reply_to=c.get("in_reply_to_id"),
                )
                for c in self._pages(f"/repos/{repo}/pulls/{number}/comments")
            ]

        return self.call(f"listing the review comments of #{number}", fetch)

    def reviews(self, repo: str, number: int) -> list[PostedReview]:
        def fetch() -> list[PostedReview]:
            return [_review_of(r) for r in self._pages(f"/repos/{repo}/pulls/{number}/reviews")]

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
            data = self._get(f"/repos/{repo}/collaborators/{login}/permission")
            return str(data.get("role_name") or data.get("permission") or "none")

        return self.call(f"reading {login}'s permission", fetch)

    def viewer_login(self) -> str | None:
        """The token's own login; None for an Actions or App token (GitHub answers 403)."""
        try:
            return self.call("reading the token's user", lambda: str(self._get("/user")["login"]))
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
            target = self._gh.get_repo(repo)  # lazy: no request
            pr = target.get_pull(number)
            commit = target.get_commit(commit_id)
            payload: list[Any] = [c.payload() for c in comments]
            if event is None:
                made = pr.create_review(commit=commit, body=body, comments=payload)
            else:
                made = pr.create_review(commit=commit, body=body, event=event, comments=payload)
            return _review_of(made.raw_data)

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
        path = f"/repos/{repo}/pulls/{number}/reviews/{review_id}/events"
        data = {"event": "COMMENT", "body": body}

        def send() -> PostedReview:
            return _review_of(self._send("POST", path, data))

        return self.call(f"submitting review {review_id} on #{number}", send, landed=landed)

    def delete_pending_review(self, repo: str, number: int, review_id: int) -> None:
        path = f"/repos/{repo}/pulls/{number}/reviews/{review_id}"
        with contextlib.suppress(GitHubNotFound):  # already gone: that is what we wanted
            self.call(f"deleting pending review {review_id}", lambda: self._send("DELETE", path))

    def resolve_thread(self, thread_id: str) -> None:
        self.graphql(f"resolving thread {thread_id}", RESOLVE_MUTATION, {"thread": thread_id})

    def react(self, repo: str, comment_id: int, content: str) -> None:
        path = f"/repos/{repo}/issues/comments/{comment_id}/reactions"
        self.call("reacting to the comment", lambda: self._send("POST", path, {"content": content}))

    def graphql(self, what: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
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
        params: dict[str, Any] = {"state": state}
        wanted = ",".join(labels)
        if wanted:
            params["labels"] = wanted

        def fetch() -> list[IssueInfo]:
            return [_issue_of(i) for i in self._pages(f"/repos/{repo}/issues", params)]

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
        data = {"title": title, "body": body, "labels": list(labels)}

        def send() -> IssueInfo:
            return _issue_of(self._send("POST", f"/repos/{repo}/issues", data))

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
        data: dict[str, Any] = {"title": title, "body": body}
        if labels is not None:
            data["labels"] = list(labels)
        if state is not None:
            data["state"] = state

        def send() -> IssueInfo:
            return _issue_of(self._send("PATCH", f"/repos/{repo}/issues/{number}", data))

        return self.call(f"updating issue #{number}", send)


def _actor_of(user: Any) -> Actor:
    if not isinstance(user, dict):
        return Actor("ghost")
    kind = user.get("type") or user.get("__typename") or "User"
    return Actor(str(user.get("login") or "ghost"), str(kind))


def _review_of(r: dict[str, Any]) -> PostedReview:
    return PostedReview(
        id=int(r["id"]),
        body=str(r.get("body") or ""),
        state=str(r.get("state") or ""),
        commit_id=str(r.get("commit_id") or ""),
        author=_actor_of(r.get("user")),
        html_url=str(r.get("html_url") or ""),
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
        first_author=_actor_of(first.get("author")),
        resolved_by=_actor_of(node["resolvedBy"]) if node.get("resolvedBy") else None,
    )


def _issue_of(i: dict[str, Any]) -> IssueInfo:
    return IssueInfo(
        number=int(i["number"]),
        title=str(i.get("title") or ""),
        body=str(i.get("body") or ""),
        state=str(i.get("state") or "open"),
        author=_actor_of(i.get("user")),
        url=str(i.get("html_url") or ""),
        is_pull=i.get("pull_request") is not None,
        labels=tuple(str(x.get("name")) for x in i.get("labels") or [] if isinstance(x, dict)),
    )


def _next_link(headers: dict[str, Any]) -> str | None:
    link = next((str(v) for k, v in headers.items() if k.lower() == "link"), "")
    for part in link.split(","):
        target, _, rel = part.partition(";")
        if 'rel="next"' in rel:
            return target.strip().strip("<>")
    return None
