"""Assertions shared by the hostile-input cases: leaks, workflow commands, mentions."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from tests.hostile.payloads import ATTACKER_HOST, all_canaries

COMMAND_LINE = re.compile(r"^\s*(::|##\[)")
RAW_MENTION = re.compile(r"(?<![\w@/`.\-])@(everyone|octo-org/security)\b")
LIVE_ATTACKER_LINK = re.compile(
    rf"(?i)(https?://|www\.){re.escape(ATTACKER_HOST)}|\]\(https?://{re.escape(ATTACKER_HOST)}"
)


def leaks(blob: bytes | str, canaries: Iterable[str] | None = None) -> list[str]:
    """The canary values found in ``blob`` (as text, and JSON-escaped)."""
    text = blob if isinstance(blob, str) else blob.decode("utf-8", "replace")
    found = []
    for value in canaries if canaries is not None else all_canaries():
        escaped = json.dumps(value)[1:-1]
        if value in text or escaped in text:
            found.append(value)
    return found


def command_lines(text: str, *, annotations: bool = False) -> list[str]:
    """Lines that a GitHub runner would take as workflow commands.

    With ``annotations`` our own ``::error file=...`` lines (one per finding, the format
    ``github``) are allowed; anything else starting with ``::`` or ``##[`` is not.
    """
    bad = []
    for line in text.splitlines():
        if not COMMAND_LINE.match(line):
            continue
        if annotations and re.match(r"^::(error|warning|notice) file=[^:\n]*::", line):
            continue
        bad.append(line)
    return bad


def raw_mentions(text: str) -> list[str]:
    return [m.group(0) for m in RAW_MENTION.finditer(text)]


def live_links(text: str) -> list[str]:
    return [m.group(0) for m in LIVE_ATTACKER_LINK.finditer(text)]


def tool_answers(requests: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Every tool result the model was sent: (tool name, content), in order, once each."""
    seen: dict[str, tuple[str, str]] = {}
    for request in requests:
        for message in request["messages"]:
            if message["role"] == "tool":
                seen.setdefault(message["tool_call_id"], (message["name"], message["content"]))
    return list(seen.values())
