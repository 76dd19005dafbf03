"""Inspecting the fake GitHub: what was asked, what landed, what GitHub would have refused."""

from __future__ import annotations

from typing import Any

from tests.fakes.github_core import Violation
from tests.fakes.github_dispatch import Dispatcher, RecordedRequest
from tests.fakes.github_files import PullFile
from tests.fakes.github_graphql import Graph
from tests.fakes.github_hunks import parse_patch
from tests.fakes.github_render import Render
from tests.fakes.github_seed import StateAccess


class Inspection(StateAccess):
    """Mixed into GitHubServer: read the state back, GitHub-shaped."""

    _dispatcher: Dispatcher

    def _root(self) -> str:
        """The server's root URL (the URLs inside answers point there)."""
        raise NotImplementedError

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._dispatcher.lock:
            return list(self._dispatcher.requests)

    @property
    def violations(self) -> list[Violation]:
        with self._dispatcher.lock:
            return list(self._dispatcher.violations)

    @property
    def fake_errors(self) -> list[str]:
        """Bugs of the fake itself (its responses off-schema, crashes): must stay empty."""
        with self._dispatcher.lock:
            return list(self._dispatcher.fake_errors)

    def _render(self) -> Render:
        return Render(self._root(), self._root(), self.state)

    def reviews(self, owner: str, repo: str, number: int) -> list[dict[str, Any]]:
        """Every review (pending too) with its `comments` as the REST API shows them."""
        with self.state.lock:
            pull, render = self._pull(owner, repo, number), self._render()
            found = sorted(
                (r for r in self.state.reviews.values() if r.pull is pull), key=lambda r: r.id
            )
            return [
                render.review(r)
                | {
                    "comments": [
                        render.review_comment(self.state.review_comments[c]) for c in r.comment_ids
                    ]
                }
                for r in found
            ]

    def review_comments(self, owner: str, repo: str, number: int) -> list[dict[str, Any]]:
        """Every review comment that landed (pending ones included), REST-shaped."""
        with self.state.lock:
            pull, render = self._pull(owner, repo, number), self._render()
            found = sorted(
                (c for c in self.state.review_comments.values() if c.pull is pull),
                key=lambda c: c.id,
            )
            return [render.review_comment(c) for c in found]

    def threads(self, owner: str, repo: str, number: int) -> list[dict[str, Any]]:
        """Review threads, GraphQL-shaped (id, isResolved, isOutdated, path, line, ...)."""
        with self.state.lock:
            pull = self._pull(owner, repo, number)
            graph = Graph(self.state, self._render(), self.state.user("github-actions[bot]"))
            found = sorted(
                (t for t in self.state.threads.values() if t.pull is pull), key=lambda t: t.id
            )
            out = []
            for thread in found:
                data = {k: v for k, v in graph.thread(thread).items() if not callable(v)}
                data["comment_ids"] = list(thread.comment_ids)
                out.append(data)
            return out

    def issues(self, owner: str, repo: str) -> list[dict[str, Any]]:
        """Issues only (not PRs), REST-shaped, by number."""
        with self.state.lock:
            target, render = self._repo(owner, repo), self._render()
            found = sorted(
                (i for i in self.state.issues.values() if i.repo is target), key=lambda i: i.number
            )
            return [render.issue(i) for i in found]

    def issue_comments(self, owner: str, repo: str, number: int) -> list[dict[str, Any]]:
        with self.state.lock:
            target, render = self._repo(owner, repo), self._render()
            found = [
                c
                for c in self.state.issue_comments.values()
                if c.repo is target and c.number == number
            ]
            return [
                render.issue_comment(c) | {"minimized_reason": c.minimized_reason}
                for c in sorted(found, key=lambda c: c.id)
            ]

    def check_runs(self, owner: str, repo: str) -> list[dict[str, Any]]:
        """The fields each check run was given (merged across updates), with its `id`."""
        with self.state.lock:
            target = self._repo(owner, repo)
            return [
                {"id": r.id, **r.fields} for r in self.state.check_runs.values() if r.repo is target
            ]

    def sarif_uploads(self, owner: str, repo: str) -> list[dict[str, Any]]:
        """Each upload: id, commit_sha, ref, decoded `sarif`, other fields, processing `errors`."""
        with self.state.lock:
            target = self._repo(owner, repo)
            return [
                {
                    "id": u.id,
                    "commit_sha": u.commit_sha,
                    "ref": u.ref,
                    "sarif": u.sarif,
                    "errors": list(u.errors),
                    **u.request,
                }
                for u in self.state.sarifs.values()
                if u.repo is target
            ]

    def commentable_lines(
        self, owner: str, repo: str, number: int, path: str, side: str = "RIGHT"
    ) -> frozenset[int]:
        """The oracle's answer: lines of `path` a comment may use on `side` at the PR head."""
        with self.state.lock:
            found: PullFile | None = self._pull(owner, repo, number).current.file(path)
            if found is None or found.patch is None:
                return frozenset()
            return parse_patch(found.patch).commentable(side)
