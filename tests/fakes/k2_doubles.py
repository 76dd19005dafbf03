"""Model doubles: scripted turns for the loopback K2 server that behave like real models
do when they slip, and a literal reader that acts on what the prompt says.

Each double is a list of script entries (``Turn`` or a callable that reads the request
and answers with a ``Turn``) to hand to ``K2Server.script``. They talk to reviewbot over
real HTTP like every scripted model; what they test is how reviewbot answers the slip.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

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
    prompt says: by the first statement of the column order, trusted as written."""
    task = task_text(request)
    statements = column_statements(task)
    assert statements, "the prompt never says which column is which"
    row = diff_row(task, code)
    assert row is not None, f"no context row shows {code!r}"
    return row[statements[0].order.index("new")]
