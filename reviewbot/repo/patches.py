"""A ``ChangeSet`` from the files of a GitHub pull request (``GET .../pulls/{n}/files``).

GitHub's ``status`` values map onto ours: ``removed`` -> deleted, ``changed`` (a mode or
type change without a patch) -> mode_changed, ``unchanged`` -> modified with no hunks.
A file without ``patch`` (binary, or too large for GitHub to show) has no commentable
line: GitHub refuses comments on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from reviewbot.repo.diff import ChangeSet, FileChange, Status
from reviewbot.repo.hunkparse import parse_hunks


@dataclass(frozen=True)
class PatchFile:
    """One entry of GitHub's ``GET /repos/{o}/{r}/pulls/{n}/files``.

    ``status``: added, removed, modified, renamed, copied, changed, unchanged. ``patch`` is
    the diff body from the first ``@@`` on, or ``None`` (binary or too large).
    """

    filename: str
    status: str
    patch: str | None = None
    previous_filename: str | None = None


_STATUSES: dict[str, Status] = {
    "added": "added",
    "removed": "deleted",
    "modified": "modified",
    "renamed": "renamed",
    "copied": "copied",
    "changed": "mode_changed",
    "unchanged": "modified",
}


def file_change(entry: PatchFile) -> FileChange:
    status = _STATUSES.get(entry.status, "modified")
    moved = status in ("renamed", "copied")
    return FileChange(
        path=entry.filename,
        old_path=entry.previous_filename if moved else None,
        status=status,
        hunks=parse_hunks(entry.patch or "", entry.filename),
    )


def changeset_from_patches(
    files: Iterable[PatchFile], *, base: str = "", head: str = ""
) -> ChangeSet:
    """A ``ChangeSet`` from GitHub's pull-request files."""
    return ChangeSet(base=base, head=head, files=tuple(file_change(entry) for entry in files))
