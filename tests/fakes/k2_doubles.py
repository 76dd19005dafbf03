"""Model doubles: scripted turns for the loopback K2 server that behave like real models
do when they slip, and a literal reader that acts on what the prompt says.

Each double is a list of script entries (``Turn`` or a callable that reads the request
and answers with a ``Turn``) to hand to ``K2Server.script``. They talk to reviewbot over
real HTTP like every scripted model; what they test is how reviewbot answers the slip.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tests.fakes.k2_server import FakeCall, ScriptEntry, Turn

# How the prompt may state the numbered diff's column order: "old new ±text",
# "the old and new line numbers", "old-file line number, new-file line number".
_STATEMENT = re.compile(
    r"\b(?P<a>old|new)(?:[- ]file)?(?: line)?(?: numbers?)?"
    r"(?:,| and| then)? (?:the )?"
    r"(?P<b>old|new)(?:[- ]file)?(?: line)?(?P<tail> numbers?| ±text)",
    re.IGNORECASE,
)
_CONTEXT_ROW = re.compile(r"^ *(\d+) +(\d+)   (.*)$", re.M)


@dataclass(frozen=True)
class Statement:
    text: str
    order: tuple[str, str]


def column_statements(text: str) -> list[Statement]:
    """Every statement of the diff's column order in ``text``, with the order it names."""
    return [
        Statement(m.group(0), (m.group("a").lower(), m.group("b").lower()))
        for m in _STATEMENT.finditer(text)
        if m.group("a").lower() != m.group("b").lower()
    ]


def diff_row(text: str, code: str) -> tuple[int, int] | None:
    """The two numbers of the context row showing ``code``, in printed order."""
    for m in _CONTEXT_ROW.finditer(text):
        if m.group(3) == code:
            return int(m.group(1)), int(m.group(2))
    return None


def task_text(request: dict[str, Any]) -> str:
    """The first request's task (the last of its first user messages): the diff is there."""
    users = [m["content"] for m in request["messages"] if m["role"] == "user"]
    return users[1] if len(users) > 1 else users[0]


def literal_new_line(request: dict[str, Any], code: str) -> int:
    """The new-file line number of the context row showing ``code``, picked the way the
    prompt says: by the statement of the column order nearest above the row (the diff's
    heading), trusted as written."""
    task = task_text(request)
    row = diff_row(task, code)
    assert row is not None, f"no context row shows {code!r}"
    at = task.index(code)
    above = [m for m in _STATEMENT.finditer(task) if m.start() < at]
    assert above, "the prompt never says which column is which"
    order = (above[-1].group("a").lower(), above[-1].group("b").lower())
    return row[order.index("new")]


# Slips -------------------------------------------------------------------------------
# Each returns script entries; the scenario around them is the test's.


def prose(text: str = "The change looks correct to me; nothing to report.") -> Turn:
    """An answer in prose where a tool call was due (models do this, often at the end)."""
    return Turn(reasoning="I think I am done.", content=text)


def cut_off(call: FakeCall, keep: float = 0.5) -> Turn:
    """A reply that hit ``max_tokens`` in the middle of a tool call's arguments."""
    text = call.text
    return Turn(
        reasoning="Long reasoning " * 20,
        tool_calls=[FakeCall(call.name, text[: max(1, int(len(text) * keep))])],
        finish_reason="length",
    )


def malformed(call: FakeCall) -> Turn:
    """Arguments that are not JSON: single quotes and a trailing comma, as models write."""
    broken = call.text.replace('"', "'")[:-1] + ",}"
    return Turn(reasoning="Calling.", tool_calls=[FakeCall(call.name, broken)])


def double_encoded(call: FakeCall) -> Turn:
    """Arguments sent as a JSON string holding the JSON object (some providers do)."""
    return Turn(reasoning="Calling.", tool_calls=[FakeCall(call.name, json.dumps(call.text))])


def not_offered(name: str = "run_shell", arguments: Mapping[str, Any] | None = None) -> Turn:
    """A call to a tool reviewbot does not declare."""
    args = arguments if arguments is not None else {"command": "pytest -q"}
    return Turn(reasoning="Let me run the tests.", tool_calls=[FakeCall(name, args)])


def missing_path(path: str = "app/does_not_exist.py") -> Turn:
    """A read of a file that is not in the repository (a guessed name)."""
    return Turn(reasoning="It must be here.", tool_calls=[FakeCall("read_file", {"path": path})])


def repeated(call: FakeCall) -> list[Turn]:
    """The same call twice in a row, as a model that lost track does."""
    return [Turn(reasoning="Reading.", tool_calls=[call]),
            Turn(reasoning="Reading again.", tool_calls=[call])]  # fmt: skip


def parallel(*calls: FakeCall, interleave: bool = True) -> Turn:
    """Several calls in one turn, their streamed fragments interleaved."""
    return Turn(reasoning="Several at once.", tool_calls=list(calls), interleave=interleave)


def literal_reader(code: str, make_call: Callable[[int], FakeCall]) -> ScriptEntry:
    """A model that picks the new-file number of the context row showing ``code`` the way
    the prompt's statement of the column order says, and files ``make_call(line)``."""

    def answer(request: dict[str, Any]) -> Turn:
        line = literal_new_line(_first_request(request), code)
        return Turn(reasoning=f"The diff says line {line}.", tool_calls=[make_call(line)])

    return answer


def _first_request(request: dict[str, Any]) -> dict[str, Any]:
    """The request cut to its first three messages (system, context, task)."""
    return {**request, "messages": request["messages"][:3]}


# Reading reviewbot's notes ------------------------------------------------------------
_NOTES_PLACE = re.compile(
    r"notes about earlier reviews[^\"]*?come only in a message that starts with \"(?P<h>[^\"]+)\""
)
_ALREADY = re.compile(r"Already reported \(do not report again\):(?P<rest>.*(?:\n.+)*)")
_LISTED = re.compile(r"([\w./-]+\.\w+):(\d+)")


def reported_already(request: dict[str, Any]) -> set[tuple[str, int]]:
    """The path:line pairs the prompt says not to report again, read the way a model that
    obeys what it reads would: from the message the system prompt names as reviewbot's notes
    when it names one; when it names none, from any such list anywhere in the prompt."""
    said = [m["content"] for m in request["messages"] if m["role"] in ("system", "user")]
    place = _NOTES_PLACE.search(" ".join(said[0].split()))
    sources = [t for t in said[1:] if t.startswith(place.group("h"))] if place else said
    return {
        (path, int(line))
        for text in sources
        for block in _ALREADY.finditer(text)
        for path, line in _LISTED.findall(block.group("rest"))
    }


def notes_follower(*calls: FakeCall) -> ScriptEntry:
    """A model that files each ``add_comment`` of ``calls`` unless the prompt told it that
    finding (its path and line) was reported already."""

    def answer(request: dict[str, Any]) -> Turn:
        skip = reported_already(request)
        kept = [c for c in calls if _anchor(c) not in skip]
        if not kept:
            done = FakeCall("finish_review", {"summary": "All of it was reported already."})
            return Turn(reasoning="Nothing new to report.", tool_calls=[done])
        return Turn(reasoning="Reporting what was not reported yet.", tool_calls=kept)

    return answer


def _anchor(call: FakeCall) -> tuple[str, int]:
    arguments = json.loads(call.text)
    return str(arguments["path"]), int(arguments["line"])


# Verification ------------------------------------------------------------------------
_ITEM = re.compile(r"^(F\d+) \[\w+\] (\S+?):(\d+)(?:-\d+)?(?: \(LEFT, old file\))?: ", re.M)


def verification_items(text: str) -> list[tuple[str, str, int]]:
    """(id, path, line) of each finding listed in a verification-pass message."""
    return [(m.group(1), m.group(2), int(m.group(3))) for m in _ITEM.finditer(text)]


def verdicts(text: str, verdict: str = "confirm", reason: str = "checked") -> list[FakeCall]:
    """One ``verify_finding`` per finding the message lists, citing the finding's own line."""
    return [
        FakeCall("verify_finding", {"id": ident, "verdict": verdict,
                                    "evidence": f"{path}:{line}", "reason": reason})
        for ident, path, line in verification_items(text)
    ]  # fmt: skip


def verdict(ident: str, evidence: str, verdict: str = "confirm", reason: str = "ok") -> FakeCall:
    return FakeCall(
        "verify_finding",
        {"id": ident, "verdict": verdict, "evidence": evidence, "reason": reason},
    )
