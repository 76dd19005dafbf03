"""One setting's type and allowed values: checking a value from a file, and parsing one
from environment text (lists comma-separated, tables as ``k=v;k=v``, booleans as words)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Option:
    """One setting as the file, the environment and `reviewbot config` see it."""

    name: str  # attribute name, e.g. "audit_include"
    key: str  # file key, e.g. "audit.include"
    env: str  # e.g. "REVIEWBOT_AUDIT_INCLUDE"
    kind: type
    default: Any
    help: str
    choices: tuple[str, ...] | None
    minimum: float | None
    secret: bool
    in_file: bool  # may be set in a file at all (the API key may not)
    user_only: bool  # only from the user: never from a repository's file


_KIND_NAMES = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "true or false",
    list: "a list of strings",
    dict: "a table of strings",
}


def describe(option: Option) -> str:
    """What values an option allows, in words."""
    if option.choices:
        return "one of " + ", ".join(repr(c) for c in option.choices)
    text = _KIND_NAMES[option.kind]
    if option.minimum is not None:
        text += f" >= {option.minimum:g}"
    return text


class BadValue(ValueError):
    pass


def coerce(option: Option, value: Any, *, from_text: bool) -> Any:
    """Check (and, for environment text, parse) one value; raise BadValue when wrong."""
    kind = option.kind
    if from_text and isinstance(value, str):
        value = parse_text(kind, value)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    ok = isinstance(value, kind) and not (kind in (int, float) and isinstance(value, bool))
    if ok and kind is list:
        ok = all(isinstance(v, str) for v in value)
    if ok and kind is dict:
        ok = all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    if not ok:
        raise BadValue(type(value).__name__)
    if option.choices is not None and value not in option.choices:
        raise BadValue(repr(value))
    if option.minimum is not None and value < option.minimum:
        raise BadValue(repr(value))
    return value


def parse_text(kind: type, text: str) -> Any:
    try:
        if kind is bool:
            lowered = text.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off", ""):
                return False
            return text
        if kind is int:
            return int(text.strip())
        if kind is float:
            return float(text.strip())
    except ValueError:
        return text
    if kind is list:
        return [part.strip() for part in text.split(",") if part.strip()]
    if kind is dict:
        pairs = (part.split("=", 1) for part in text.split(";") if "=" in part)
        return {k.strip(): v.strip() for k, v in pairs}
    return text
