"""Hunk bodies -> ``Hunk`` values, with ``unidiff`` doing the line counting.

Both constructors of a ``ChangeSet`` feed this one function the text from the first
``@@`` on (for git: each file's block cut out of the ``git diff`` output; for GitHub: the
``patch`` field), so they give identical line maps for the same change.

unidiff is used only for the hunks, not for file headers: its ``diff --git a/X b/X``
regex cannot split paths that contain `` b/`` and it does not decode git's C-quoted
names, so paths, modes and statuses come from git's ``--raw -z`` records instead
(see ``gitdiff``). Lines are split on ``\\n`` only (``StringIO`` with its default
``newline="\\n"``), so ``\\r``, form feeds and U+2028 inside a line do not shift numbers.
"""

from __future__ import annotations

from io import StringIO

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchSet

from reviewbot.errors import RepositoryError
from reviewbot.repo.diff import DiffLine, Hunk, LineKind

_KINDS: dict[str, LineKind] = {"+": "+", "-": "-", " ": " "}


def _strip_newline(value: str) -> str:
    return value[:-1] if value.endswith("\n") else value


def parse_hunks(body: str, path: str) -> tuple[Hunk, ...]:
    """Parse ``body`` (hunks only, starting at ``@@``) of the file ``path``."""
    if not body.strip():
        return ()
    if not body.endswith("\n"):
        body += "\n"  # GitHub's patch strings end without one
    try:
        patch = PatchSet(StringIO("--- a/f\n+++ b/f\n" + body))
    except UnidiffParseError as exc:
        raise RepositoryError(f"cannot parse the diff of {path!r}: {exc}") from exc
    if len(patch) != 1:
        raise RepositoryError(f"cannot parse the diff of {path!r}: unexpected file headers")
    hunks: list[Hunk] = []
    for index, raw in enumerate(patch[0]):
        lines: list[DiffLine] = []
        for line in raw:
            kind = _KINDS.get(line.line_type)
            if kind is None:  # "\ No newline at end of file" belongs to the line before it
                if line.line_type == "\\" and lines:
                    last = lines[-1]
                    lines[-1] = DiffLine(last.kind, last.old, last.new, last.text, True)
                continue
            lines.append(
                DiffLine(kind, line.source_line_no, line.target_line_no, _strip_newline(line.value))
            )
        hunks.append(
            Hunk(
                index=index,
                old_start=raw.source_start,
                old_count=raw.source_length,
                new_start=raw.target_start,
                new_count=raw.target_length,
                section=raw.section_header.rstrip("\n"),
                lines=tuple(lines),
            )
        )
    return tuple(hunks)
