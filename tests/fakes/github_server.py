"""A fake GitHub on 127.0.0.1 for reviewbot's tests: real HTTP, official schemas, real rules.

    server = GitHubServer().start()          # or the `github_server` pytest fixture
    server.add_repo("octo", "hello")
    server.add_pull("octo", "hello", number=7, files=files_from_git_diff(diff))
    Github(base_url=server.url, auth=Auth.Token("t"))       # or server.ghes_url (/api/v3)
    subprocess.run(["reviewbot", "github"], env={**os.environ, **server.env()})
    assert server.violations == []

REST requests are validated against GitHub's OpenAPI operations (tests/fixtures/github/
openapi), GraphQL against GitHub's schema; review comments must sit on the PR's diff.
Refusals answer like GitHub (401/404/422) and are recorded in `violations`.
"""

from __future__ import annotations

import re
import threading
import traceback
from collections.abc import Iterable, Iterator, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import pytest

from tests.fakes import github_reviews as rules
from tests.fakes.github_core import Violation
from tests.fakes.github_dispatch import Dispatcher, Fault, RecordedRequest
from tests.fakes.github_files import FileSpec, PullFile, as_pull_files
from tests.fakes.github_graphql import Graph
from tests.fakes.github_hunks import parse_patch
from tests.fakes.github_render import Render
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

SECONDARY_LIMIT = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID 0000:FAKE."
)
SECONDARY_DOCS = (
    "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api"
    "#about-secondary-rate-limits"
)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    dispatcher: Dispatcher


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stalls
    server: _HTTPServer

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _serve(self) -> None:
        dispatcher = self.server.dispatcher
        try:
            response = dispatcher.handle(
                self.command, self.path, dict(self.headers.items()), self._body()
            )
            status, headers, body = response.status, response.headers, response.body
        except Exception:  # a bug in the fake: say so loudly, never hang the client
            dispatcher.fake_errors.append(traceback.format_exc())
            status, headers, body = (
                500,
                {"content-type": "application/json"},
                b'{"message":"fake crashed"}',
            )
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: Any) -> None:
        return


class GitHubServer:
    """The fake GitHub. Seed it, point a client at `url` (or `ghes_url`), inspect it."""

    def __init__(
        self,
        *,
        token: str | None = None,
        viewer: str = "github-actions[bot]",
        viewer_type: str = "Bot",
        actions_can_approve: bool = False,
        validate_responses: bool = True,
    ) -> None:
        self.state = State()
        self._dispatcher = Dispatcher(
            self.state,
            {
                "token": token,
                "viewer": viewer,
                "viewer_type": viewer_type,
                "actions_can_approve": actions_can_approve,
                "validate_responses": validate_responses,
            },
        )
        self._http: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Life cycle ----------------------------------------------------------------------
    def start(self) -> GitHubServer:
        http = _HTTPServer(("127.0.0.1", 0), _Handler)
        http.dispatcher = self._dispatcher
        self._http = http
        self._thread = threading.Thread(
            target=http.serve_forever, args=(0.05,), name="fake-github", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._http = self._thread = None

    def __enter__(self) -> GitHubServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """api.github.com style root: `http://127.0.0.1:PORT` (GraphQL at `/graphql`)."""
        assert self._http is not None, "start() the server first"
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    @property
    def ghes_url(self) -> str:
        """GitHub Enterprise style root: `.../api/v3` (GraphQL at `/api/graphql`)."""
        return self.url + "/api/v3"

    @property
    def graphql_url(self) -> str:
        return self.url + "/graphql"

    @property
    def ghes_graphql_url(self) -> str:
        return self.url + "/api/graphql"

    def env(self, *, ghes: bool = False) -> dict[str, str]:
        """The variables GitHub Actions sets that point at this server."""
        return {
            "GITHUB_API_URL": self.ghes_url if ghes else self.url,
            "GITHUB_GRAPHQL_URL": self.ghes_graphql_url if ghes else self.graphql_url,
            "GITHUB_SERVER_URL": self.url,
        }

    # Seeding -------------------------------------------------------------------------
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

    def _repo(self, owner: str, name: str) -> Repo:
        found = self.state.repo(owner, name)
        if found is None:
            raise KeyError(f"no repository {owner}/{name}: call add_repo first")
        return found

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

    def _pull(self, owner: str, repo: str, number: int) -> Pull:
        found = self.state.pull(self._repo(owner, repo), number)
        if found is None:
            raise KeyError(f"no pull request {owner}/{repo}#{number}")
        return found

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

    # Faults --------------------------------------------------------------------------
    def inject(
        self,
        method: str,
        path_regex: str,
        status: int,
        *,
        times: int = 1,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
        process: bool = False,
    ) -> None:
        """Answer the next `times` matching requests with `status` (`method` "*" for any).

        `path_regex` is searched in the path without the /api/v3 prefix. With `process`
        the request still takes effect (GitHub's 502-after-commit), only the answer is replaced.
        """
        fault = Fault(
            method.upper(),
            re.compile(path_regex),
            status,
            times,
            dict(headers or {}),
            body,
            process,
        )
        with self._dispatcher.lock:
            self._dispatcher.faults.append(fault)

    def inject_secondary_rate_limit(
        self,
        method: str,
        path_regex: str,
        *,
        retry_after: int | None = 1,
        times: int = 1,
        status: int = 403,
    ) -> None:
        headers = {"x-ratelimit-remaining": "4000"}
        if retry_after is not None:
            headers["retry-after"] = str(retry_after)
        body = {
            "message": SECONDARY_LIMIT,
            "documentation_url": SECONDARY_DOCS,
            "status": str(status),
        }
        self.inject(method, path_regex, status, times=times, headers=headers, body=body)

    # Inspection ----------------------------------------------------------------------
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
        return Render(self.url, self.url, self.state)

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
            return [render.issue(i) | {"body": i.body} for i in found]

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


@pytest.fixture
def github_server() -> Iterator[GitHubServer]:
    """A started fake GitHub; fails the test at teardown if the fake itself misbehaved."""
    server = GitHubServer().start()
    try:
        yield server
    finally:
        server.stop()
    assert not server.fake_errors, "the fake GitHub misbehaved:\n" + "\n".join(server.fake_errors)
