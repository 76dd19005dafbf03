"""The values ``reviewbot.github.api`` answers with: small, frozen, free of PyGitHub."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reviewbot.errors import GitHubError
from reviewbot.repo.diff import Side

MAX_BODY = 65_536
WRITE_ACCESS = frozenset({"admin", "maintain", "write"})


@dataclass(frozen=True)
class Actor:
    login: str
    type: str = "User"  # "User", "Bot", "Organization"

    @property
    def is_bot(self) -> bool:
        return self.type == "Bot" or self.login.endswith("[bot]")


@dataclass(frozen=True)
class PullInfo:
    number: int
    title: str
    body: str
    state: str  # open, closed
    draft: bool
    merged: bool
    author: Actor
    head_sha: str
    base_sha: str
    head_repo: str  # owner/name; "" when the fork is gone
    base_repo: str
    html_url: str

    @property
    def from_fork(self) -> bool:
        return self.head_repo.lower() != self.base_repo.lower()


@dataclass(frozen=True)
class PostedComment:
    """A review comment as it stands on GitHub (``line`` is None once outdated)."""

    id: int
    review_id: int | None
    path: str
    line: int | None
    original_line: int | None
    start_line: int | None
    side: Side
    body: str
    author: Actor
    commit_id: str
    in_reply_to: int | None


@dataclass(frozen=True)
class PostedReview:
    id: int
    body: str
    state: str  # COMMENTED, PENDING, ...
    commit_id: str
    author: Actor
    html_url: str


@dataclass(frozen=True)
class ThreadInfo:
    id: str  # GraphQL node id
    resolved: bool
    outdated: bool
    first_comment_id: int | None
    first_body: str
    first_author: Actor
    resolved_by: Actor | None = None


@dataclass(frozen=True)
class NewComment:
    """One inline comment of a review to create (``start_line`` for a range)."""

    path: str
    line: int
    side: Side
    body: str
    start_line: int | None = None
    start_side: Side | None = None

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "line": self.line,
            "side": self.side,
            "body": self.body,
        }
        if self.start_line is not None and self.start_line != self.line:
            data["start_line"] = self.start_line
            data["start_side"] = self.start_side or self.side
        return data


@dataclass(frozen=True)
class IssueInfo:
    number: int
    title: str
    body: str
    state: str
    author: Actor
    url: str
    is_pull: bool
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class IssueRef:
    number: int
    url: str
    created: bool


class GitHubRefusal(GitHubError):
    """GitHub answered 422: the request itself is wrong (e.g. a comment off the diff)."""

    def __init__(self, message: str, reasons: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.reasons = tuple(reasons)
