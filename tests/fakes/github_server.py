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
import traceback
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import pytest

from tests.fakes.github_dispatch import Dispatcher, Fault
from tests.fakes.github_inspect import Inspection
from tests.fakes.github_seed import Seeding
from tests.fakes.github_seed_talk import Talking
from tests.fakes.github_state import State
from tests.fakes.local_http import LocalHTTP

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


class GitHubServer(Seeding, Talking, Inspection):
    """The fake GitHub. Seed it, point a client at `url` (or `ghes_url`), inspect it.

    Seeding (github_seed.py): add_repo, add_pull, push, set_permission, set_file,
    add_comparison, add_issue, add_issue_comment, add_review.
    After a review (github_seed_talk.py): react, reply_in_thread, resolve_thread_of,
    link_issue.
    Faults (here): inject, inject_secondary_rate_limit.
    Inspection (github_inspect.py): requests, violations, fake_errors, reviews,
    review_comments, threads, issues, issue_comments, check_runs, sarif_uploads,
    commentable_lines.
    """

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
        self._http: LocalHTTP | None = None

    # Life cycle ----------------------------------------------------------------------
    def start(self) -> GitHubServer:
        self._http = LocalHTTP(
            _Handler,
            poll_interval=0.05,
            name="fake-github",
            server_class=_HTTPServer,
            dispatcher=self._dispatcher,
        )
        return self

    def stop(self) -> None:
        if self._http is not None:
            self._http.stop()
        self._http = None

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
        return self._http.root

    def _root(self) -> str:
        return self.url

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


@pytest.fixture
def github_server() -> Iterator[GitHubServer]:
    """A started fake GitHub; fails the test at teardown if the fake itself misbehaved."""
    server = GitHubServer().start()
    try:
        yield server
    finally:
        server.stop()
    assert not server.fake_errors, "the fake GitHub misbehaved:\n" + "\n".join(server.fake_errors)
