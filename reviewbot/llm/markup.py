"""Recover K2 tool calls that a server leaked as raw markup into text.

Self-hosted servers without K2's tool parser sometimes return the model's own syntax in
``content`` or ``reasoning_content``::

    <|tool_calls_section_begin|><|tool_call_begin|>functions.read_file:0
    <|tool_call_argument_begin|>{"path": "a.py"}<|tool_call_end|><|tool_calls_section_end|>

(``<|tool_call_section_begin|>``, singular, occurs too). ``recover_tool_calls`` returns
the text without the markup and the calls it held. It never fails: a truncated section
or call keeps whatever argument text there is; the agent reports bad JSON to the model
later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reviewbot.llm.types import ToolCall

SECTION_BEGINS = ("<|tool_calls_section_begin|>", "<|tool_call_section_begin|>")
SECTION_ENDS = ("<|tool_calls_section_end|>", "<|tool_call_section_end|>")
CALL_BEGIN = "<|tool_call_begin|>"
ARGUMENT_BEGIN = "<|tool_call_argument_begin|>"
CALL_END = "<|tool_call_end|>"
_STRAY = (*SECTION_ENDS, ARGUMENT_BEGIN, CALL_END)
_K2_ID = re.compile(r"^functions\.(?P<name>[\w.\-]+):(?P<index>\d+)$")
_NAME = re.compile(r"[\w.\-]+")


@dataclass(frozen=True)
class Recovered:
    text: str  # the input without markup (stripped when markup was found)
    calls: tuple[ToolCall, ...]


def has_markup(text: str) -> bool:
    return "<|tool_call" in text


def recover_tool_calls(text: str, *, first_index: int = 0) -> Recovered:
    """Split ``text`` into plain text and the tool calls its markup held.

    Ids are kept when they have K2's form ``functions.NAME:IDX``; otherwise one is made
    from the name and ``first_index`` plus the call's position.
    """
    if not has_markup(text):
        return Recovered(text, ())
    pieces: list[str] = []
    bodies: list[str] = []
    pos = 0
    while True:
        start, marker = _next_marker(text, pos)
        if start < 0:
            pieces.append(text[pos:])
            break
        pieces.append(text[pos:start])
        body_start = start + len(marker)
        if marker == CALL_BEGIN:
            end, end_marker = _find_first(text, body_start, (CALL_END,))
            body_start = start  # the body keeps its CALL_BEGIN
        else:
            end, end_marker = _find_first(text, body_start, SECTION_ENDS)
        if end < 0:
            bodies.append(text[body_start:])
            pos = len(text)
        else:
            bodies.append(text[body_start:end] + (CALL_END if marker == CALL_BEGIN else ""))
            pos = end + len(end_marker)
    calls: list[ToolCall] = []
    for body in bodies:
        calls.extend(_calls_in(body, first_index + len(calls)))
    plain = "".join(pieces)
    for stray in _STRAY:
        plain = plain.replace(stray, "")
    return Recovered(_drop_cut_marker(plain).strip(), tuple(calls))


def _drop_cut_marker(text: str) -> str:
    """``text`` without a marker cut short at its end (a truncated reply)."""
    start = text.rfind("<|")
    tail = text[start:] if start >= 0 else ""
    if tail and any(m.startswith(tail) for m in (*SECTION_BEGINS, CALL_BEGIN, *_STRAY)):
        return text[:start]
    return text


def _next_marker(text: str, pos: int) -> tuple[int, str]:
    return _find_first(text, pos, (*SECTION_BEGINS, CALL_BEGIN))


def _find_first(text: str, pos: int, markers: tuple[str, ...]) -> tuple[int, str]:
    best, which = -1, ""
    for marker in markers:
        found = text.find(marker, pos)
        if found >= 0 and (best < 0 or found < best):
            best, which = found, marker
    return best, which


def _calls_in(body: str, first_index: int) -> list[ToolCall]:
    calls: list[ToolCall] = []
    for segment in body.split(CALL_BEGIN)[1:]:
        segment = segment.split(CALL_END, 1)[0]
        ident, _, arguments = segment.partition(ARGUMENT_BEGIN)
        ident = ident.strip()
        match = _K2_ID.match(ident)
        if match:
            name, call_id = match["name"], ident
        else:
            name = ident.removeprefix("functions.").rsplit(":", 1)[0].strip()
            call_id = f"functions.{name}:{first_index + len(calls)}"
        if not _NAME.fullmatch(name):
            continue
        calls.append(ToolCall(id=call_id, name=name, arguments=arguments.strip()))
    return calls
