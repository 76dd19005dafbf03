"""A tool is a plain typed function; this turns it into a JSON schema and checks calls.

The function's signature gives the parameters (``str``, ``int``, ``float``, ``bool``,
``Literal[...]`` for enums, ``X | None = None`` for optional ones) and its docstring gives
the descriptions: the first paragraph describes the tool, ``name: text`` lines under
``Args:`` describe parameters. Every property gets a ``type`` (K2 rejects schemas without).
"""

from __future__ import annotations

import contextlib
import inspect
import json
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from reviewbot.agent.exceptions import ToolArgumentError
from reviewbot.llm.types import ToolCall

_JSON_TYPES: dict[type, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}


@dataclass(frozen=True)
class Param:
    name: str
    json_type: str
    required: bool
    description: str
    enum: tuple[str, ...] | None = None


def _docs(func: Callable[..., Any]) -> tuple[str, dict[str, str]]:
    doc = inspect.getdoc(func) or ""
    head, _, rest = doc.partition("\nArgs:\n")
    described: dict[str, str] = {}
    current = ""
    for raw in rest.splitlines():
        line = raw.strip()
        if ":" in line and not raw.startswith("        ") and line.split(":", 1)[0].isidentifier():
            current, text = line.split(":", 1)
            described[current] = text.strip()
        elif current and line:
            described[current] += " " + line
    return " ".join(head.split()), described


def _param(name: str, annotation: Any, has_default: bool, description: str) -> Param:
    required = not has_default
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"parameter {name}: only `X | None` unions are supported")
        annotation = inner[0]
        args = typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Literal:
        return Param(name, "string", required, description, tuple(str(a) for a in args))
    if annotation not in _JSON_TYPES:
        raise TypeError(f"parameter {name}: unsupported type {annotation!r}")
    return Param(name, _JSON_TYPES[annotation], required, description)


def parameters_of(func: Callable[..., Any]) -> tuple[str, tuple[Param, ...]]:
    """The description and parameters of a tool function (``self``/context excluded)."""
    hints = typing.get_type_hints(func)
    description, described = _docs(func)
    params = []
    for p in inspect.signature(func).parameters.values():
        if p.name in ("self", "ctx") or p.kind is not p.POSITIONAL_OR_KEYWORD:
            continue
        has_default = p.default is not inspect.Parameter.empty
        params.append(_param(p.name, hints[p.name], has_default, described.get(p.name, "")))
    return description, tuple(params)


def json_schema(name: str, description: str, params: tuple[Param, ...]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for p in params:
        prop: dict[str, Any] = {"type": p.json_type}
        if p.description:
            prop["description"] = p.description
        if p.enum:
            prop["enum"] = list(p.enum)
        properties[p.name] = prop
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {
                "type": "object",
                "properties": properties,
                "required": [p.name for p in params if p.required],
                "additionalProperties": False,
            },
        },
    }


def parse_arguments(call: ToolCall) -> dict[str, Any]:
    """A call's arguments as a JSON object; empty text counts as ``{}``, and a JSON string
    that holds an object is read as that object.

    Raises ``ToolArgumentError`` (sent back to the model as the tool's output) when the text
    is not valid JSON or not an object.
    """
    text = call.arguments.strip()
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        cut = exc.pos >= len(text) or exc.msg.startswith("Unterminated string")
        where = "truncated" if cut else f"invalid at character {exc.pos}"
        raise ToolArgumentError(
            f"the arguments of {call.name} are not valid JSON ({where}: {exc.msg}); "
            "call the tool again with one complete JSON object"
        ) from None
    if isinstance(value, str) and value.strip().startswith("{"):
        # Double-encoded (a JSON string holding the object), as some providers send it.
        with contextlib.suppress(json.JSONDecodeError):
            value = json.loads(value)
    if not isinstance(value, dict):
        raise ToolArgumentError(
            f"the arguments of {call.name} must be a JSON object, "
            f"got {type(value).__name__}; call the tool again with an object"
        )
    return value


def check_arguments(params: tuple[Param, ...], given: Mapping[str, Any]) -> dict[str, Any]:
    """Validate (and gently coerce: "12" -> 12) the model's arguments, or explain why not."""
    known = {p.name: p for p in params}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ToolArgumentError(
            f"unknown argument(s) {', '.join(unknown)}; allowed: {', '.join(known) or 'none'}"
        )
    out: dict[str, Any] = {}
    for p in params:
        if p.name not in given or given[p.name] is None:
            if p.required:
                raise ToolArgumentError(f"missing required argument '{p.name}'")
            continue
        out[p.name] = _coerce(p, given[p.name])
    return out


def _coerce(p: Param, value: Any) -> Any:
    if p.json_type == "integer":
        if isinstance(value, bool):
            raise ToolArgumentError(f"'{p.name}' must be an integer")
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        if not isinstance(value, int):
            raise ToolArgumentError(f"'{p.name}' must be an integer, got {value!r:.40}")
        return value
    if p.json_type == "number":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        raise ToolArgumentError(f"'{p.name}' must be a number, got {value!r:.40}")
    if p.json_type == "boolean":
        if isinstance(value, bool):
            return value
        raise ToolArgumentError(f"'{p.name}' must be true or false, got {value!r:.40}")
    if not isinstance(value, str):
        raise ToolArgumentError(f"'{p.name}' must be a string, got {type(value).__name__}")
    if p.enum and value not in p.enum:
        raise ToolArgumentError(f"'{p.name}' must be one of {', '.join(p.enum)}; got {value!r:.40}")
    return value
