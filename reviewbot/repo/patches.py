"""A ``ChangeSet`` from the files of a GitHub pull request (``GET .../pulls/{n}/files``).

GitHub's ``status`` values map onto ours: ``removed`` -> deleted, ``changed`` (a mode or
type change without a patch) -> mode_changed, ``unchanged`` -> modified with no hunks.
A file without ``patch`` (binary, or too large for GitHub to show) has no commentable
line: GitHub refuses comments on it.
"""

from __future__ import annotations

from collections.abc import Iterable

from reviewbot.repo.diff import ChangeSet, FileChange, PatchFile, Status
from reviewbot.repo.hunkparse import parse_hunks

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


def changeset_from_patch_files(files: Iterable[PatchFile], *, base: str, head: str) -> ChangeSet:
    return ChangeSet(base=base, head=head, files=tuple(file_change(entry) for entry in files))
