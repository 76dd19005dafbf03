"""`reviewbot config`: the effective settings and where each value came from (keys masked)."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from reviewbot.config import OPTIONS, Settings
from reviewbot.errors import EXIT_OK
from reviewbot.publish.output import write_text

VALUE_WIDTH = 48


def run(settings: Settings, *, out: Console) -> int:
    rows = effective_rows(settings)
    width_key = max(len(r[0]) for r in rows)
    width_value = min(max(len(r[1]) for r in rows), VALUE_WIDTH)
    lines = [f"{key:<{width_key}}  {value:<{width_value}}  {source}" for key, value, source in rows]
    write_text("".join(line + "\n" for line in lines), None, out)
    return EXIT_OK


def mask(secret: str) -> str:
    """A key shown without revealing it: only its length and last two characters."""
    if not secret:
        return ""
    tail = secret[-2:] if len(secret) >= 12 else ""
    return f"****{tail} ({len(secret)} chars)"


def effective_rows(settings: Settings) -> list[tuple[str, str, str]]:
    """(key, shown value, source) for every option, secrets masked."""
    rows = []
    for key, option in OPTIONS.items():
        value = getattr(settings, option.name)
        shown = mask(value) if option.secret else _show(value)
        rows.append((key, shown, settings.sources.get(key, "default")))
    return rows


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(repr(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r} = {v!r}" for k, v in value.items()) + "}"
    if isinstance(value, str):
        return repr(value)
    return str(value)
