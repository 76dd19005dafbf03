"""What every REST handler of the fake GitHub shares: the request, replies, errors, paging."""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.github_render import Render
from tests.fakes.github_state import Pull, Repo, State, User

MAX_BODY = 65_536


@dataclass(frozen=True)
class Violation:
    """A request GitHub would refuse (or one the fake cannot answer): tests assert none."""

    kind: str  # unknown-endpoint, params, body, semantic, graphql, auth, json
    method: str
    path: str
    operation: str | None
    message: str


@dataclass
class Reply:
    status: int
    payload: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None  # a non-JSON body (diff media type)


class HttpError(Exception):
    """Raised by handlers: becomes the reply; `violation` (if any) is recorded."""

    def __init__(self, status: int, payload: Any, violation: str | None = None) -> None:
        super().__init__(f"{status}: {payload}")
        self.status = status
        self.payload = payload
        self.violation = violation


@dataclass
class Ctx:
    """One request as a handler sees it."""

    method: str
    path: str  # without the /api/v3 prefix
    params: dict[str, Any]
    query: dict[str, str]
    body: Any
    headers: dict[str, str]
    render: Render
    state: State
    viewer: User
    documentation_url: str
    settings: dict[str, Any]
    notes: list[str] = field(default_factory=list)  # violations to record even on success

    @property
    def api(self) -> str:
        return self.render.api

    def repo(self) -> Repo:
        found = self.state.repo(str(self.params["owner"]), str(self.params["repo"]))
        if found is None:
            raise self.not_found()
        return found

    def pull(self) -> Pull:
        found = self.state.pull(self.repo(), int(self.params["pull_number"]))
        if found is None:
            raise self.not_found()
        return found

    def not_found(self) -> HttpError:
        return HttpError(404, self.error("Not Found", status=404))

    def error(self, message: str, *, status: int = 422, errors: Any = None) -> dict[str, Any]:
        data: dict[str, Any] = {"message": message, "documentation_url": self.documentation_url}
        if errors is not None:
            data["errors"] = errors
        data["status"] = str(status)
        return data

    def unprocessable(self, messages: Sequence[str], violation: str) -> HttpError:
        """GitHub's shape for review-level refusals: a list of strings."""
        return HttpError(
            422, self.error("Unprocessable Entity", errors=[_join(messages)]), violation
        )

    def validation_failed(
        self, resource: str, fieldname: str, message: str, *, code: str = "custom"
    ) -> HttpError:
        error = {"resource": resource, "code": code, "field": fieldname, "message": message}
        return HttpError(422, self.error("Validation Failed", errors=[error]), message)

    def check_body_length(self, resource: str, text: str | None) -> None:
        if text is not None and len(text) > MAX_BODY:
            raise self.validation_failed(
                resource,
                "body",
                f"body is too long (maximum is {MAX_BODY} characters)",
            )

    def page(self, items: Sequence[Any]) -> Reply:
        """One page of `items` with GitHub's Link header (per_page ≤ 100, default 30)."""
        per_page = max(1, min(100, _int(self.query.get("per_page"), 30)))
        page = max(1, _int(self.query.get("page"), 1))
        last = max(1, -(-len(items) // per_page))
        chunk = list(items[(page - 1) * per_page : page * per_page])
        links = []
        if page < last:
            links += [(page + 1, "next"), (last, "last")]
        if page > 1:
            links += [(1, "first"), (page - 1, "prev")]
        headers = {}
        if links:
            headers["Link"] = ", ".join(
                f'<{self._page_url(n, per_page)}>; rel="{rel}"' for n, rel in links
            )
        return Reply(200, chunk, headers)

    def _page_url(self, page: int, per_page: int) -> str:
        query = {**self.query, "per_page": str(per_page), "page": str(page)}
        return f"{self.api}{self.path}?{urllib.parse.urlencode(query)}"


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _join(messages: Sequence[str]) -> str:
    unique = list(dict.fromkeys(messages))
    if len(unique) <= 1:
        return unique[0] if unique else ""
    if len(unique) == 2:
        return f"{unique[0]} and {unique[1]}"
    return ", ".join(unique[:-1]) + f", and {unique[-1]}"
