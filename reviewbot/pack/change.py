"""The change as the packer sees it: changed paths, changed lines and their text.

Built from ``reviewbot.repo``'s ``ChangeSet`` (read through the small protocols below, so
the ranking code can be driven by any value of that shape, in tests too).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class _Line(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def old(self) -> int | None: ...
    @property
    def new(self) -> int | None: ...
    @property
    def text(self) -> str: ...


class _Hunk(Protocol):
    @property
    def section(self) -> str: ...
    @property
    def lines(self) -> Sequence[_Line]: ...


class _File(Protocol):
    @property
    def path(self) -> str: ...
    @property
    def old_path(self) -> str | None: ...
    @property
    def status(self) -> str: ...
    @property
    def binary(self) -> bool: ...
    @property
    def hunks(self) -> Sequence[_Hunk]: ...


class ChangeSetLike(Protocol):
    @property
    def base(self) -> str: ...
    @property
    def head(self) -> str: ...
    @property
    def files(self) -> Sequence[_File]: ...


@dataclass(frozen=True)
class ChangedFile:
    path: str
    old_path: str | None
    status: str
    binary: bool
    added: frozenset[int]  # new-file numbers of added lines
    removed: frozenset[int]  # old-file numbers of deleted lines
    added_text: tuple[str, ...]
    removed_text: tuple[str, ...]
    sections: tuple[str, ...]  # hunk headers' section text (enclosing function names)

    @property
    def deleted(self) -> bool:
        return self.status == "deleted"

    @property
    def touched_new(self) -> frozenset[int]:
        """New-file lines the change touches: added lines, and lines next to deletions."""
        return self.added | self._deletion_neighbours

    _deletion_neighbours: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Change:
    base: str
    head: str
    files: tuple[ChangedFile, ...]
    diff_text: str  # line-numbered hunks, ready for the prompt
    description: str = ""  # the author's words about it: PR title and body, commit messages

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(f.path for f in self.files)

    def file(self, path: str) -> ChangedFile | None:
        return next((f for f in self.files if f.path == path), None)


def changed_file(change: _File) -> ChangedFile:
    added: set[int] = set()
    removed: set[int] = set()
    near: set[int] = set()
    added_text: list[str] = []
    removed_text: list[str] = []
    sections: list[str] = []
    for hunk in change.hunks:
        if hunk.section.strip():
            sections.append(hunk.section.strip())
        last_new = 0
        for line in hunk.lines:
            if line.kind == "+" and line.new is not None:
                added.add(line.new)
                added_text.append(line.text)
            elif line.kind == "-" and line.old is not None:
                removed.add(line.old)
                removed_text.append(line.text)
                near.update((last_new, last_new + 1))
            if line.new is not None:
                last_new = line.new
    return ChangedFile(
        path=change.path,
        old_path=change.old_path,
        status=change.status,
        binary=change.binary,
        added=frozenset(added),
        removed=frozenset(removed),
        added_text=tuple(added_text),
        removed_text=tuple(removed_text),
        sections=tuple(sections),
        _deletion_neighbours=frozenset(n for n in near if n > 0),
    )


def change_from_changeset(
    changeset: ChangeSetLike, diff_text: str, description: str = ""
) -> Change:
    """``diff_text``: the numbered diff as ``reviewbot.repo.render`` prints it (the one
    renderer, whose column order the prompt states); ``description``: what the author
    says the change is (it ranks context only, it never becomes an instruction)."""
    return Change(
        base=changeset.base,
        head=changeset.head,
        files=tuple(changed_file(f) for f in changeset.files),
        diff_text=diff_text,
        description=description,
    )
