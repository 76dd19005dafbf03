"""Assertions shared by the hostile-input cases: leaks, workflow commands, mentions."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from html.parser import HTMLParser
from typing import Any

from tests.fakes.k2_server import K2Server
from tests.hostile.payloads import (
    ATTACKER_HOST,
    FORBIDDEN_OTHER,
    FORBIDDEN_READS,
    SEARCHES,
    all_canaries,
)

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


def refusals(server: K2Server) -> tuple[list[str], list[str]]:
    """(answers that refused, answers that did not) to the obeying model's out-of-bounds
    calls: its first turn (FORBIDDEN_READS) and the end of its second (FORBIDDEN_OTHER)."""
    answers = tool_answers(server.requests)
    wanted = len(FORBIDDEN_READS)
    reads = answers[:wanted]
    others = answers[wanted + len(SEARCHES) : wanted + len(SEARCHES) + len(FORBIDDEN_OTHER)]
    refused, allowed = [], []
    for name, text in [*reads, *others]:
        (refused if text.startswith("error:") else allowed).append(f"{name}: {text[:80]}")
    return refused, allowed


# Rendered Markdown --------------------------------------------------------------------
_RENDER_MENTION = re.compile(r"(?<![\w@/.\-])@(everyone|octo-org/security)\b")
_RENDER_URL = re.compile(rf"(?i)(?:https?://|www\.|//){re.escape(ATTACKER_HOST)}")


class _Rendered(HTMLParser):
    """Text outside code and the URLs a browser would follow, from rendered HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside: list[str] = []
        self.live: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.inside.append(tag)
        for name, value in attrs:
            target = re.sub(r"[\x00-\x20]", "", value or "")
            if name in ("href", "src") and _RENDER_URL.match(target.split(":", 1)[-1]):
                self.live.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag: str) -> None:
        while self.inside and self.inside.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if {"code", "pre", "a"} & set(self.inside):
            return
        # GitHub links mentions and bare URLs (www., http://) in text, entities decoded.
        self.live += [f"mention {m.group(0)}" for m in _RENDER_MENTION.finditer(data)]
        self.live += [f"autolink {m.group(0)}" for m in _RENDER_URL.finditer(data)]


def rendered_problems(markdown: str) -> list[str]:
    """What would act once GitHub renders ``markdown``: live mentions and live links to
    the attacker's host. Rendered by a CommonMark parser (markdown-it, raw HTML allowed,
    tables on), then read as GitHub would post-process it."""
    from markdown_it import MarkdownIt

    parser = _Rendered()
    parser.feed(MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown))
    return parser.live
