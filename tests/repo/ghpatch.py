"""GitHub-style ``patch`` strings for a local change, made the way GitHub shows them.

GitHub's ``pulls/{n}/files`` gives, per file, the diff body from the first ``@@`` on with
no file headers and no final newline; binary files have no patch. Here each file gets its
own ``git diff`` process (plain output, no ``-z``, no raw part), independent of the one
``changeset_from_git`` parses.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from reviewbot.repo import PatchFile
from reviewbot.repo.diff import ChangeSet

GITHUB_STATUS = {
    "added": "added",
    "deleted": "removed",
    "modified": "modified",
    "renamed": "renamed",
    "copied": "copied",
    "mode_changed": "changed",
}


def github_patch(root: Path, base: str, head: str, paths: list[str]) -> str | None:
    out = subprocess.run(
        ["git", "diff", "-M", "--no-color", base, head, "--", *paths],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8", errors="replace")
    at = out.find("\n@@ ")
    if at < 0:
        return None
    body = out[at + 1 :]
    return body[:-1] if body.endswith("\n") else body


def github_files(root: Path, changes: ChangeSet) -> list[PatchFile]:
    """One ``PatchFile`` per file of ``changes`` (type changes are left out: GitHub's
    rendering of those is not documented)."""
    files = []
    for change in changes.files:
        if change.status == "type_changed":
            continue
        paths = [change.old_path, change.path] if change.old_path else [change.path]
        patch = None if change.binary else github_patch(root, changes.base, changes.head, paths)
        files.append(PatchFile(change.path, GITHUB_STATUS[change.status], patch, change.old_path))
    return files
