"""Seeding the fake GitHub: repositories, pull requests (with real patches), issues, reviews."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tests.fakes import github_reviews as rules
from tests.fakes.github_files import FileSpec, as_pull_files
from tests.fakes.github_state import (
    PERMISSIONS,
    Commit,
    Comparison,
    Issue,
    IssueComment,
    Pull,
    Repo,
    Revision,
    State,
    fake_sha,
)


class StateAccess:
    """What both mixins of GitHubServer stand on: the state and look-ups in it."""

    state: State

    def _repo(self, owner: str, name: str) -> Repo:
        found = self.state.repo(owner, name)
        if found is None:
            raise KeyError(f"no repository {owner}/{name}: call add_repo first")
        return found

    def _pull(self, owner: str, repo: str, number: int) -> Pull:
        found = self.state.pull(self._repo(owner, repo), number)
        if found is None:
            raise KeyError(f"no pull request {owner}/{repo}#{number}")
        return found


class Seeding(StateAccess):
    """Mixed into GitHubServer: put the world in the state the test needs."""

    def add_repo(
        self,
        owner: str,
        name: str,
        *,
        default_branch: str = "main",
        private: bool = False,
        fork: bool = False,
    ) -> None:
        with self.state.lock:
            user = self.state.user(owner)
            repo = Repo(self.state.new_id(), user, name, default_branch, private, fork)
            self.state.repos[repo.full_name.lower()] = repo

    def add_pull(
        self,
        owner: str,
        repo: str,
        *,
        number: int | None = None,
        title: str = "A change",
        body: str | None = "",
        draft: bool = False,
        state: str = "open",
        head_sha: str | None = None,
        head_ref: str = "feature",
        base_sha: str | None = None,
        base_ref: str | None = None,
        author: str = "octocat",
        author_type: str = "User",
        head_repo: str | None = None,
        files: Iterable[FileSpec] = (),
        commits: Sequence[tuple[str, str]] | None = None,
        labels: Iterable[str] = (),
        merged: bool = False,
    ) -> int:
        """Seed a PR; `files` are PullFile or (filename, status, patch[, previous_filename])."""
        with self.state.lock:
            base = self._repo(owner, repo)
            number = number if number is not None else self.state.next_number(base)
            head_sha = head_sha or fake_sha("head", base.full_name, number)
            base_sha = base_sha or fake_sha("base", base.full_name, number)
            base_ref = base_ref or base.default_branch
            head = base
            if head_repo is not None and head_repo.lower() != base.full_name.lower():
                fork_owner, fork_name = head_repo.split("/", 1)
                if self.state.repo(fork_owner, fork_name) is None:
                    self.add_repo(
                        fork_owner, fork_name, default_branch=base.default_branch, fork=True
                    )
                head = self._repo(fork_owner, fork_name)
            seeded = (
                [Commit(sha, msg) for sha, msg in commits] if commits else [Commit(head_sha, title)]
            )
            for previous, commit in zip([base_sha, *[c.sha for c in seeded]], seeded, strict=False):
                commit.parents = (previous,)
            pull = Pull(
                id=self.state.new_id(),
                repo=base,
                number=number,
                title=title,
                body=body,
                user=self.state.user(author, author_type),
                state=state,
                draft=draft,
                head_ref=head_ref,
                base_ref=base_ref,
                base_sha=base_sha,
                head_repo=head,
                revisions=[Revision(head_sha, as_pull_files(files))],
                commits=seeded,
                labels=[self.state.label(base, name) for name in labels],
                merged=merged,
            )
            base.branches.setdefault(base_ref, base_sha)
            head.branches[head_ref] = head_sha
            self.state.pulls[(base.full_name.lower(), number)] = pull
            return number

    def push(
        self,
        owner: str,
        repo: str,
        number: int,
        head_sha: str,
        *,
        files: Iterable[FileSpec] | None = None,
        changed_lines: Mapping[str, Iterable[int]] | None = None,
        message: str = "push",
    ) -> None:
        """A new head commit; threads on `changed_lines` (RIGHT side) become outdated."""
        with self.state.lock:
            pull = self._pull(owner, repo, number)
            new_files = None if files is None else as_pull_files(files)
            rules.push(self.state, pull, head_sha, new_files, changed_lines or {}, message)

    def set_permission(self, login: str, permission: str, *, repo: str | None = None) -> None:
        """`repo` is "owner/name"; without it the level holds for every repository."""
        if permission not in PERMISSIONS:
            raise ValueError(f"permission must be one of {PERMISSIONS}")
        with self.state.lock:
            if repo is None:
                self.state.default_permissions[login.lower()] = permission
            else:
                self._repo(*repo.split("/", 1)).permissions[login.lower()] = permission

    def set_file(
        self, owner: str, repo: str, path: str, content: str | bytes, *, ref: str | None = None
    ) -> None:
        """Served by `GET /contents/{path}?ref=` (ref: branch or sha; default branch if None)."""
        with self.state.lock:
            target = self._repo(owner, repo)
            data = content.encode() if isinstance(content, str) else content
            target.trees.setdefault(ref or target.default_branch, {})[path.strip("/")] = data

    def add_comparison(
        self,
        owner: str,
        repo: str,
        base: str,
        head: str,
        *,
        files: Iterable[FileSpec] = (),
        commits: Sequence[tuple[str, str]] = (),
        status: str = "ahead",
    ) -> None:
        with self.state.lock:
            found = Comparison(
                base, head, as_pull_files(files), tuple(Commit(s, m) for s, m in commits), status
            )
            self._repo(owner, repo).comparisons[(base, head)] = found

    def add_issue(
        self,
        owner: str,
        repo: str,
        *,
        title: str,
        body: str | None = None,
        labels: Iterable[str] = (),
        state: str = "open",
        author: str = "octocat",
    ) -> int:
        with self.state.lock:
            target = self._repo(owner, repo)
            issue = Issue(
                self.state.new_id(),
                target,
                self.state.next_number(target),
                title,
                body,
                self.state.user(author),
                state=state,
                labels=[self.state.label(target, n) for n in labels],
            )
            self.state.issues[(target.full_name.lower(), issue.number)] = issue
            return issue.number

    def add_issue_comment(
        self, owner: str, repo: str, number: int, body: str, *, author: str = "octocat"
    ) -> int:
        with self.state.lock:
            target = self._repo(owner, repo)
            comment = IssueComment(
                self.state.new_id(), target, number, self.state.user(author), body
            )
            self.state.issue_comments[comment.id] = comment
            return comment.id

    def add_review(
        self,
        owner: str,
        repo: str,
        number: int,
        *,
        author: str = "reviewer",
        event: str | None = "COMMENT",
        body: str = "",
        comments: Sequence[Mapping[str, Any]] = (),
        commit_id: str | None = None,
    ) -> int:
        """Seed a review by someone else, by the same rules as the API (ValueError if refused)."""
        with self.state.lock:
            pull = self._pull(owner, repo, number)
            try:
                review = rules.create_review(
                    self.state,
                    pull,
                    self.state.user(author),
                    body=body,
                    event=event,
                    commit_id=commit_id,
                    comments=comments,
                    actions_can_approve=True,
                )
            except rules.Refusal as refusal:
                raise ValueError(f"GitHub would refuse this review: {refusal}") from refusal
            return review.id
