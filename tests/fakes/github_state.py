"""The fake GitHub's in-memory world: repositories, pull requests, reviews, issues, checks."""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.github_files import PullFile
from tests.fakes.github_hunks import Patch, parse_patch

PERMISSIONS = ("admin", "maintain", "write", "triage", "read", "none")


def now_iso(epoch: float | None = None) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() if epoch is None else epoch))


def fake_sha(*parts: object) -> str:
    return hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()


@dataclass
class User:
    login: str
    type: str
    id: int


@dataclass
class Repo:
    id: int
    owner: User
    name: str
    default_branch: str
    private: bool
    fork: bool = False
    created_at: str = field(default_factory=now_iso)
    branches: dict[str, str] = field(default_factory=dict)
    trees: dict[str, dict[str, bytes]] = field(default_factory=dict)
    permissions: dict[str, str] = field(default_factory=dict)
    labels: dict[str, Label] = field(default_factory=dict)
    comparisons: dict[tuple[str, str], Comparison] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return f"{self.owner.login}/{self.name}"


@dataclass
class Label:
    id: int
    name: str
    color: str = "ededed"
    description: str | None = None


@dataclass
class Commit:
    sha: str
    message: str
    parents: tuple[str, ...] = ()
    author: str = "octocat"


@dataclass
class Comparison:
    base: str
    head: str
    files: tuple[PullFile, ...]
    commits: tuple[Commit, ...]
    status: str = "ahead"
    behind_by: int = 0


@dataclass
class Revision:
    """The PR's diff as of one head commit."""

    head_sha: str
    files: tuple[PullFile, ...]

    def file(self, path: str) -> PullFile | None:
        return next((f for f in self.files if f.filename == path), None)

    def patch(self, path: str) -> Patch | None:
        found = self.file(path)
        return None if found is None or found.patch is None else parse_patch(found.patch)


@dataclass
class Pull:
    id: int
    repo: Repo
    number: int
    title: str
    body: str | None
    user: User
    state: str
    draft: bool
    head_ref: str
    base_ref: str
    base_sha: str
    head_repo: Repo
    revisions: list[Revision]
    commits: list[Commit]
    labels: list[Label] = field(default_factory=list)
    merged: bool = False
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)
    linked_issues: list[tuple[str, int]] = field(default_factory=list)  # linked by hand

    @property
    def head_sha(self) -> str:
        return self.revisions[-1].head_sha

    @property
    def current(self) -> Revision:
        return self.revisions[-1]

    def revision(self, sha: str) -> Revision | None:
        return next((r for r in self.revisions if r.head_sha == sha), None)


@dataclass
class Reaction:
    id: int
    user: User
    content: str  # +1, -1, laugh, confused, heart, hooray, rocket, eyes
    created_at: str = field(default_factory=now_iso)


@dataclass
class ReviewComment:
    id: int
    review_id: int
    pull: Pull
    user: User
    body: str
    path: str
    commit_id: str
    side: str | None
    line: int | None
    start_line: int | None
    start_side: str | None
    position: int | None
    diff_hunk: str
    subject_type: str = "line"
    in_reply_to: int | None = None
    thread_id: int | None = None
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)
    minimized_reason: str | None = None
    reactions: list[Reaction] = field(default_factory=list)


@dataclass
class Review:
    id: int
    pull: Pull
    user: User
    body: str
    state: str  # PENDING, COMMENTED, APPROVED, CHANGES_REQUESTED, DISMISSED
    commit_id: str
    comment_ids: list[int] = field(default_factory=list)
    submitted_at: str | None = None


@dataclass
class Thread:
    id: int
    pull: Pull
    comment_ids: list[int]
    resolved: bool = False
    outdated: bool = False
    resolved_by: User | None = None


@dataclass
class Issue:
    id: int
    repo: Repo
    number: int
    title: str
    body: str | None
    user: User
    state: str = "open"
    state_reason: str | None = None
    labels: list[Label] = field(default_factory=list)
    assignees: list[User] = field(default_factory=list)
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)
    closed_at: str | None = None


@dataclass
class IssueComment:
    id: int
    repo: Repo
    number: int
    user: User
    body: str
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)
    minimized_reason: str | None = None
    reactions: list[Reaction] = field(default_factory=list)


@dataclass
class CheckRun:
    id: int
    repo: Repo
    fields: dict[str, Any]


@dataclass
class SarifUpload:
    id: str
    repo: Repo
    commit_sha: str
    ref: str
    sarif: Any
    request: dict[str, Any]
    errors: list[str]


class State:
    """Everything the fake knows. All access goes through `lock`."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._ids = itertools.count(1001)
        self.users: dict[str, User] = {}
        self.repos: dict[str, Repo] = {}
        self.pulls: dict[tuple[str, int], Pull] = {}
        self.issues: dict[tuple[str, int], Issue] = {}
        self.numbers: dict[str, itertools.count[int]] = {}
        self.reviews: dict[int, Review] = {}
        self.review_comments: dict[int, ReviewComment] = {}
        self.threads: dict[int, Thread] = {}
        self.issue_comments: dict[int, IssueComment] = {}
        self.check_runs: dict[int, CheckRun] = {}
        self.sarifs: dict[str, SarifUpload] = {}
        self.default_permissions: dict[str, str] = {}

    def new_id(self) -> int:
        return next(self._ids)

    def user(self, login: str, kind: str | None = None) -> User:
        found = self.users.get(login.lower())
        if found is None:
            guess = "Bot" if login.endswith("[bot]") else "User"
            found = User(login, kind or guess, self.new_id())
            self.users[login.lower()] = found
        elif kind is not None:
            found.type = kind
        return found

    def repo(self, owner: str, name: str) -> Repo | None:
        return self.repos.get(f"{owner}/{name}".lower())

    def next_number(self, repo: Repo) -> int:
        counter = self.numbers.setdefault(repo.full_name.lower(), itertools.count(1))
        taken = {n for (r, n) in [*self.pulls, *self.issues] if r == repo.full_name.lower()}
        number = next(counter)
        while number in taken:
            number = next(counter)
        return number

    def pull(self, repo: Repo, number: int) -> Pull | None:
        return self.pulls.get((repo.full_name.lower(), number))

    def issue(self, repo: Repo, number: int) -> Issue | None:
        return self.issues.get((repo.full_name.lower(), number))

    def permission(self, repo: Repo, login: str) -> str:
        chosen = repo.permissions.get(login.lower()) or self.default_permissions.get(login.lower())
        if chosen is not None:
            return chosen
        if login.lower() == repo.owner.login.lower():
            return "admin"
        return "none" if repo.private else "read"

    def label(self, repo: Repo, name: str) -> Label:
        found = repo.labels.get(name.lower())
        if found is None:
            found = Label(self.new_id(), name)
            repo.labels[name.lower()] = found
        return found
