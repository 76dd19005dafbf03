"""The learnings as text a person reads and edits: a Markdown table in one GitHub issue.

    <!-- reviewbot:learnings -->
    | id | action | files | kind | rule | source |
    |---|---|---|---|---|---|
    | L1 | drop | `src/pay/**` | `amount-none-check` | Do not report ... | [source](https://...) |

Maintainers edit the issue's body: change a rule, widen its files, set kind `*`, delete a
row. A row that cannot be read is reported (``reviewbot learnings list``) and ignored,
never guessed at; the other rows still count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reviewbot.learnings.model import Learning

MARKER = "reviewbot:learnings"
SEEN = "reviewbot:learnt-from"
_SEEN = re.compile(r"<!-- reviewbot:learnt-from ([\w ]*)-->")
TITLE = "reviewbot learnings"
HEADER = "| id | action | files | kind | rule | source |"
_SPLIT = re.compile(r"(?<!\\)\|")
_LINK = re.compile(r"\[[^\]]*\]\((\S+?)\)")
_TICKS = re.compile(r"^`+\s?|\s?`+$")
INTRO = (
    "What reviewbot learnt from this repository's maintainers: findings they rejected "
    "(a reply such as *false positive* or *won't fix*, a 👎 on the comment, or a thread "
    "resolved without changing its lines). Later reviews and audits get these rows as the "
    "maintainers' instructions and drop (or downgrade to a nit) findings that match one.\n\n"
    "Edit this table to change what reviewbot does: reword a rule, widen or narrow its "
    "`files` glob, set `kind` to `*` for every finding there, delete a row to forget it "
    "(or run `reviewbot learnings forget L<n>`). Keep the first line: it is how reviewbot "
    "finds this issue."
)


@dataclass(frozen=True)
class Stored:
    learnings: tuple[Learning, ...]
    problems: tuple[str, ...]  # rows that could not be read, one line each
    seen: frozenset[str] = frozenset()  # feedback already learnt from (kept after forget)

    def next_number(self) -> int:
        numbers = [int(x.id[1:]) for x in self.learnings if x.id[1:].isdigit()]
        return max(numbers, default=0) + 1


def _cell(text: str) -> str:
    """One table cell: one line (every line separator is a space), ``\\`` and ``|`` escaped."""
    return " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|")


def _code(text: str) -> str:
    """A glob or kind as an inline code cell (a backtick, which no glob needs, becomes ?)."""
    return f"`{_cell(text.replace('`', '?'))}`"


def _plain(cell: str, *, code: bool = False) -> str:
    text = _TICKS.sub("", cell.strip()) if code else cell.strip()
    return text.replace("\\|", "|").replace("\\\\", "\\").strip()


def row(learning: Learning) -> str:
    source = f"[source]({learning.source})" if learning.source else ""
    return (
        f"| {learning.id} | {learning.action} | {_code(learning.path)} | "
        f"{_code(learning.kind)} | {_cell(learning.rule)} | {source} |"
    )


def seen_line(seen: Iterable[str]) -> str:
    """The hidden line that lists the feedback already learnt from (comment ids), so a
    forgotten learning is not learnt again from the same 👎."""
    return f"<!-- {SEEN} {' '.join(sorted(set(seen), key=_natural))} -->"


def _natural(text: str) -> tuple[int, str]:
    return (int(text), "") if text.isdigit() else (0, text)


def render(learnings: Sequence[Learning], seen: Iterable[str] = ()) -> str:
    """The issue body for ``learnings`` (the hidden marker first)."""
    lines = [f"<!-- {MARKER} -->", seen_line(seen), INTRO, "", HEADER, "|---|---|---|---|---|---|"]
    lines += [row(x) for x in learnings]
    return "\n".join(lines) + "\n"


def parse(body: str) -> Stored:
    """The learnings in an issue body; rows that cannot be read are named in ``problems``."""
    learnings: list[Learning] = []
    problems: list[str] = []
    seen: set[str] = set()
    table = False
    for number, line in enumerate(body.splitlines(), start=1):
        text = line.strip()
        if text.replace(" ", "") == HEADER.replace(" ", ""):
            table = True
            continue
        if not table or not text.startswith("|") or set(text) <= set("|-: "):
            table = table and text.startswith("|")
            continue
        cells = [c for c in _SPLIT.split(text.strip("|"))]
        if len(cells) != 6:
            problems.append(f"line {number}: {len(cells)} cells, not 6")
            continue
        ident, action, path, kind, rule, source = cells
        link = _LINK.search(source)
        found = Learning(
            id=_plain(ident),
            action=_plain(action),  # type: ignore[arg-type]  # checked by problems()
            path=_plain(path, code=True),
            kind=_plain(kind, code=True),
            rule=_plain(rule),
            source=link.group(1) if link else "",
        )
        wrong = found.problems()
        if not wrong and found.id in seen:
            wrong = [f"id {found.id} is used twice"]
        if wrong:
            problems.append(f"line {number}: {'; '.join(wrong)}")
            continue
        seen.add(found.id)
        learnings.append(found)
    sources = _SEEN.search(body)
    learnt_from = frozenset(sources.group(1).split()) if sources else frozenset()
    return Stored(tuple(learnings), tuple(problems), learnt_from)


def without(body: str, ident: str) -> str | None:
    """``body`` with learning ``ident``'s row removed (other text kept as it is), or None
    when no row has that id."""
    lines = body.splitlines(keepends=True)
    for i, line in enumerate(lines):
        cells = _SPLIT.split(line.strip().strip("|"))
        if line.strip().startswith("|") and cells and _plain(cells[0]) == ident:
            return "".join(lines[:i] + lines[i + 1 :])
    return None


def added(body: str, learning: Learning, source: str = "") -> str:
    """``body`` with ``learning``'s row appended to the table (a new body if none) and
    ``source`` (the feedback's comment id) among those learnt from."""
    stored = parse(body)
    seen = stored.seen | ({source} if source else set())
    if HEADER.replace(" ", "") not in body.replace(" ", ""):
        return render([*stored.learnings, learning], seen)
    lines = body.rstrip("\n").split("\n")
    last = max(i for i, line in enumerate(lines) if line.strip().startswith("|"))
    lines.insert(last + 1, row(learning))
    text = "\n".join(lines) + "\n"
    if _SEEN.search(text):
        return _SEEN.sub(lambda _m: seen_line(seen), text, count=1)
    first, _, rest = text.partition("\n")
    return f"{first}\n{seen_line(seen)}\n{rest}"
