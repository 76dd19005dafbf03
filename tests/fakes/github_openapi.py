"""GitHub's official OpenAPI operations (tests/fixtures/github/openapi): routing and validation.

Each `*.deref.json` holds one dereferenced operation (OpenAPI 3.0.3, from npm
`@octokit/openapi`). Requests are checked against its parameters and requestBody schema;
the fake's own responses are checked against its response schema.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openapi_schema_validator import (
    OAS30ReadValidator,
    OAS30WriteValidator,
    oas30_format_checker,
)

OPENAPI_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "github" / "openapi"
NO_BODY: Any = object()


def _pattern(template: str) -> re.Pattern[str]:
    out = ""
    for piece in re.split(r"(\{[^}]+\})", template):
        if piece.startswith("{"):
            name = piece[1:-1]
            # `contents/{path}` spans folders; `{base}...{head}` refs may contain slashes.
            body = ".+" if name == "path" else ".+?" if name in ("base", "head") else "[^/]+"
            out += f"(?P<{name}>{body})"
        else:
            out += re.escape(piece)
    return re.compile(f"^{out}$")


def _as_served(node: Any) -> Any:
    """Fix two known gaps between GitHub's description and what GitHub serves.

    - OpenAPI 3.0 `nullable` does not reach `enum` (`start_side`, `state_reason`): GitHub
      sends null there.
    - A review comment's `position` and `line` are null once outdated, though the schema
      says integer (github/rest-api-description#1901, #5568).
    """
    if isinstance(node, list):
        return [_as_served(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _as_served(v) for k, v in node.items()}
    if out.get("nullable") and isinstance(out.get("enum"), list) and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    if out.get("title") == "Pull Request Review Comment":
        for name in ("position", "line"):
            if name in out.get("properties", {}):
                out["properties"][name] = {**out["properties"][name], "nullable": True}
    return out


def _messages(validator: Any, instance: Any, where: str) -> list[str]:
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    return [f"{where}{_dotted(e.absolute_path)}: {e.message}" for e in errors]


def _dotted(path: Sequence[Any]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


def _coerce(value: str, schema: Mapping[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "integer":
        return int(value) if re.fullmatch(r"-?\d+", value) else value
    if kind == "boolean":
        return {"true": True, "false": False}.get(value, value)
    return value


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    template: str
    spec: Mapping[str, Any]

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        return _pattern(self.template)

    @property
    def parameters(self) -> list[Mapping[str, Any]]:
        return list(self.spec.get("parameters", []))

    @property
    def documentation_url(self) -> str:
        return str(self.spec.get("externalDocs", {}).get("url", "https://docs.github.com/rest"))

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if method != self.method:
            return None
        found = self.pattern.match(path)
        return None if found is None else found.groupdict()

    def coerce_params(self, raw: Mapping[str, str], where: str) -> dict[str, Any]:
        schemas = {p["name"]: p["schema"] for p in self.parameters if p["in"] == where}
        return {k: _coerce(v, schemas.get(k, {})) for k, v in raw.items()}

    def validate_params(
        self, path_params: Mapping[str, Any], query: Mapping[str, Sequence[str]]
    ) -> list[str]:
        problems: list[str] = []
        for param in self.parameters:
            name, where, schema = param["name"], param["in"], param.get("schema", {})
            if where == "path":
                value = path_params.get(name)
            elif where == "query" and name in query:
                values = query[name]
                if len(values) > 1:
                    problems.append(f"query parameter {name!r} given {len(values)} times")
                value = _coerce(values[-1], schema)
            else:
                if where == "query" and param.get("required"):
                    problems.append(f"query parameter {name!r} is required")
                continue
            validator = OAS30WriteValidator(schema, format_checker=oas30_format_checker)
            problems += _messages(validator, value, f"{where} parameter {name!r}")
        known = {p["name"] for p in self.parameters if p["in"] == "query"}
        problems += [f"unknown query parameter {q!r}" for q in query if q not in known]
        return problems

    def body_schema(self) -> Mapping[str, Any] | None:
        body = self.spec.get("requestBody")
        if body is None:
            return None
        content = body.get("content", {})
        media: Mapping[str, Any] = content.get("application/json") or next(
            iter(content.values()), {}
        )
        schema: Mapping[str, Any] | None = media.get("schema")
        return schema

    def validate_body(self, body: Any) -> list[str]:
        spec = self.spec.get("requestBody")
        schema = self.body_schema()
        if spec is None or schema is None:
            return []
        if body is NO_BODY:
            return ["request body is required"] if spec.get("required") else []
        validator = OAS30WriteValidator(schema, format_checker=oas30_format_checker)
        return _messages(validator, body, "body")

    def validate_response(self, status: int, payload: Any) -> list[str]:
        response = self.spec.get("responses", {}).get(str(status))
        if response is None:
            return [f"{self.operation_id}: status {status} is not a documented response"]
        content = response.get("content", {})
        media = content.get("application/json") or next(iter(content.values()), None)
        if media is None or "schema" not in media:
            return [] if payload is None else [f"{self.operation_id}: {status} has no body"]
        validator = OAS30ReadValidator(media["schema"], format_checker=oas30_format_checker)
        return _messages(validator, payload, f"{self.operation_id} response {status}")


@functools.cache
def operations() -> tuple[Operation, ...]:
    ops: list[Operation] = []
    for file in sorted(OPENAPI_DIR.glob("*.deref.json")):
        data = json.loads(file.read_text(encoding="utf-8"))
        op = _as_served(data["operation"])
        ops.append(Operation(op["operationId"], data["method"], data["path"], op))
    # Literal segments win over parameters (`/pulls/comments/1` is not `/pulls/{pull_number}`).
    ops.sort(key=lambda o: o.template.count("{"))
    return tuple(ops)


def route(method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
    for op in operations():
        params = op.match(method, path)
        if params is not None:
            return op, params
    return None


def path_known(path: str) -> bool:
    return any(op.pattern.match(path) for op in operations())
