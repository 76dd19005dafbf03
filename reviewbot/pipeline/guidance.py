"""Guidance from the base commit: in a pull-request review, the packer reads AGENTS.md and
the other guidance files from the base, so a pull request cannot rewrite the guidance it is
reviewed by (its edits to them are reviewed in the diff like any other change).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from reviewbot.pack.signals import is_guidance
from reviewbot.repo import ChangeSet, RepoView


class BaseGuidance:
    """A packer source: the head's files, except guidance files, read from the base (a
    guidance file the base does not have is not read at all)."""

    def __init__(self, head: RepoView, base: RepoView) -> None:
        self.head = head
        self.base = base

    def tracked_files(self) -> Sequence[Any]:
        return self.head.tracked_files()

    def history(self, max_commits: int = 2000) -> Sequence[Any]:
        return self.head.history(max_commits)

    def read_many(self, paths: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        wanted = list(paths)
        guides = [p for p in wanted if is_guidance(p)]
        if not guides:
            yield from self.head.read_many(wanted)
            return
        present = {e.path for e in self.base.tracked_files()}
        yield from self.base.read_many([p for p in guides if p in present])
        yield from self.head.read_many([p for p in wanted if not is_guidance(p)])


def without_guidance(changes: ChangeSet) -> ChangeSet:
    """The change as the packer sees it in pull-request mode: guidance files it edits are
    not packed as changed files (their base version is the guidance; the diff shows the
    edit)."""
    return replace(changes, files=tuple(f for f in changes.files if not is_guidance(f.path)))
