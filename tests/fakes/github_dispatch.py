"""One request through the fake GitHub: auth, faults, routing, validation, handler, headers."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.fakes import github_graphql
from tests.fakes.github_core import Ctx, HttpError, Reply, Violation
from tests.fakes.github_openapi import NO_BODY, path_known, route
from tests.fakes.github_render import Render
from tests.fakes.github_rest_checks import HANDLERS as CHECKS
from tests.fakes.github_rest_issues import HANDLERS as ISSUES
from tests.fakes.github_rest_pulls import HANDLERS as PULLS
from tests.fakes.github_rest_reactions import HANDLERS as REACTIONS
from tests.fakes.github_rest_repos import HANDLERS as REPOS
from tests.fakes.github_state import State, User

HANDLERS: dict[str, Callable[[Ctx], Reply]] = {
    **PULLS,
    **ISSUES,
    **REACTIONS,
    **REPOS,
    **CHECKS,
}
GHES_PREFIX = "/api/v3"
DOCS = "https://docs.github.com/rest"


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # as sent, with any /api/v3 prefix
    query: dict[str, list[str]]
    body: Any  # parsed JSON, else text, else None
    headers: dict[str, str]  # lower-case names, no Authorization
    status: int
    operation: str | None


@dataclass
class Fault:
    method: str
    path_regex: re.Pattern[str]
    status: int
    times: int
    headers: dict[str, str]
    body: Any
    process: bool


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Dispatcher:
    state: State
    settings: dict[str, Any]
    requests: list[RecordedRequest] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    fake_errors: list[str] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    used: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, method: str, target: str, headers: Mapping[str, str], raw: bytes) -> Response:
        parts = urllib.parse.urlsplit(target)
        full_path = urllib.parse.unquote(parts.path)
        query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        lowered = {k.lower(): v for k, v in headers.items()}
        web = f"http://{lowered.get('host', '127.0.0.1')}"
        prefix = GHES_PREFIX if full_path.startswith(GHES_PREFIX + "/") else ""
        path = full_path[len(prefix) :]
        graphql = full_path in ("/graphql", "/api/graphql")
        body: Any = NO_BODY
        body_problem = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body, body_problem = raw.decode("utf-8", "replace"), "request body is not JSON"
        render = Render(web + prefix, web, self.state)
        reply, operation = self._answer(
            method, full_path, path, query, lowered, body, body_problem, render, graphql
        )
        resource = "graphql" if graphql else "core"
        out_headers = self._headers(resource, reply)
        payload = (
            reply.raw
            if reply.raw is not None
            else (b"" if reply.payload is None else json.dumps(reply.payload).encode())
        )
        kept = {k: v for k, v in lowered.items() if k != "authorization"}
        recorded_body = None if body is NO_BODY else body
        with self.lock:
            self.requests.append(
                RecordedRequest(
                    method, full_path, query, recorded_body, kept, reply.status, operation
                )
            )
        return Response(reply.status, out_headers, payload)

    # ------------------------------------------------------------------------------
    def _violate(self, kind: str, method: str, path: str, op: str | None, message: str) -> None:
        with self.lock:
            self.violations.append(Violation(kind, method, path, op, message))

    def _answer(
        self,
        method: str,
        full_path: str,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: Any,
        body_problem: str | None,
        render: Render,
        graphql: bool,
    ) -> tuple[Reply, str | None]:
        auth = headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        if not auth:
            self._violate("auth", method, full_path, None, "no Authorization header")
            return Reply(
                401,
                {"message": "Requires authentication", "documentation_url": DOCS, "status": "401"},
            ), None
        expected = self.settings.get("token")
        if (
            scheme.lower() not in ("token", "bearer")
            or not token
            or (expected and token != expected)
        ):
            return Reply(
                401, {"message": "Bad credentials", "documentation_url": DOCS, "status": "401"}
            ), None
        if graphql:
            return self._graphql(method, full_path, path, body, render), "graphql"
        found = route(method, path)
        if found is None:
            hint = "method not allowed here" if path_known(path) else "no such endpoint in the fake"
            self._violate("unknown-endpoint", method, full_path, None, f"{method} {path}: {hint}")
            return Reply(
                404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"}
            ), None
        op, raw_params = found
        params = op.coerce_params(raw_params, "path")
        if body_problem is not None:
            self._violate("json", method, full_path, op.operation_id, body_problem)
            return Reply(
                400,
                {
                    "message": "Problems parsing JSON",
                    "documentation_url": op.documentation_url,
                    "status": "400",
                },
            ), op.operation_id
        problems = op.validate_params(params, query)
        kind = "params"
        if not problems:
            problems, kind = op.validate_body(body), "body"
        fault = self._fault(method, path)
        if problems:
            for problem in problems:
                self._violate(kind, method, full_path, op.operation_id, problem)
            message = "Invalid request.\n\n" + "\n".join(problems)
            if fault is None or fault.process:
                return Reply(
                    422,
                    {
                        "message": message,
                        "documentation_url": op.documentation_url,
                        "status": "422",
                    },
                ), op.operation_id
        if fault is not None and not fault.process:
            return self._fault_reply(fault), op.operation_id
        viewer = self._viewer()
        ctx = Ctx(
            method,
            path,
            params,
            {k: v[-1] for k, v in query.items()},
            None if body is NO_BODY else body,
            headers,
            render,
            self.state,
            viewer,
            op.documentation_url,
            self.settings,
        )
        handler = HANDLERS.get(op.operation_id)
        if handler is None:
            self._violate(
                "unimplemented", method, full_path, op.operation_id, "the fake has no handler"
            )
            return Reply(
                501, {"message": "Not Implemented by the fake", "status": "501"}
            ), op.operation_id
        try:
            with self.state.lock:
                reply = handler(ctx)
        except HttpError as error:
            if error.violation:
                self._violate("semantic", method, full_path, op.operation_id, error.violation)
            reply = Reply(error.status, error.payload)
        for note in ctx.notes:
            self._violate("semantic", method, full_path, op.operation_id, note)
        if self.settings.get("validate_responses") and reply.raw is None and reply.status < 300:
            for problem in op.validate_response(reply.status, reply.payload):
                with self.lock:
                    self.fake_errors.append(problem)
        if fault is not None:
            return self._fault_reply(fault), op.operation_id
        return reply, op.operation_id

    def _graphql(self, method: str, full_path: str, path: str, body: Any, render: Render) -> Reply:
        if method != "POST":
            self._violate("unknown-endpoint", method, full_path, None, "GraphQL takes POST only")
            return Reply(404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"})
        fault = self._fault(method, path)
        if fault is not None and not fault.process:
            return self._fault_reply(fault)
        viewer = self._viewer()
        with self.state.lock:
            payload, problems = github_graphql.execute(
                self.state, render, viewer, None if body is NO_BODY else body
            )
        for problem in problems:
            self._violate("graphql", method, full_path, "graphql", problem)
        if fault is not None:
            return self._fault_reply(fault)
        return Reply(200 if "data" in payload or "errors" in payload else 400, payload)

    def _viewer(self) -> User:
        with self.state.lock:
            return self.state.user(str(self.settings["viewer"]), str(self.settings["viewer_type"]))

    def _fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.method in ("*", method) and fault.path_regex.search(path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def _fault_reply(self, fault: Fault) -> Reply:
        body = fault.body
        if body is None:
            body = {
                "message": "injected fault",
                "documentation_url": DOCS,
                "status": str(fault.status),
            }
        raw = body.encode() if isinstance(body, str) else None
        return Reply(fault.status, None if raw is not None else body, dict(fault.headers), raw)

    def _headers(self, resource: str, reply: Reply) -> dict[str, str]:
        with self.lock:
            self.used[resource] = self.used.get(resource, 0) + 1
            used = self.used[resource]
        limit = 5000
        headers = {
            "content-type": "application/json; charset=utf-8",
            "x-github-media-type": "github.v3; format=json",
            "x-github-api-version-selected": "2022-11-28",
            "x-github-request-id": uuid.uuid4().hex[:20].upper(),
            "x-ratelimit-limit": str(limit),
            "x-ratelimit-remaining": str(max(0, limit - used)),
            "x-ratelimit-reset": str(int(time.time()) + 3600),
            "x-ratelimit-used": str(used),
            "x-ratelimit-resource": resource,
        }
        headers.update({k.lower(): v for k, v in reply.headers.items()})
        return headers
