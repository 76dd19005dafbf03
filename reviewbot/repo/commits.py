"""One commit, shown: its message and its diff, for the model's ``show_commit`` tool.

Only commits in the history of the reviewed commit can be shown (a hex sha the model read in
``git_log`` or a blame), and only the files the path guard allows: the diff of a denied file
(a secret) is left out and named as withheld.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from reviewbot.errors import RepositoryError
from reviewbot.repo.gitcmd import GitRunner
from reviewbot.repo.history import CommitInfo, git_log
from reviewbot.repo.refs import resolve_commit

_SHA = re.compile(r"[0-9a-fA-F]{7,64}")


@dataclass(frozen=True)
class CommitShown:
    info: CommitInfo
    patch: str  # the diff of the allowed files (of ``path`` only, when given)
    withheld: tuple[str, ...]  # changed files the guard hides


def show_commit(
    runner: GitRunner,
    sha: str,
    within: str | None,
    path: str | None,
    allowed: Callable[[str], bool],
) -> CommitShown:
    """Commit ``sha`` (an ancestor of ``within``, or of HEAD when ``None``), its message and
    its diff, optionally of ``path`` only."""
    if not _SHA.fullmatch(sha):
        raise RepositoryError(f"{sha!r} is not a commit sha; take one from git_log")
    full = resolve_commit(runner, sha)
    tip = within or resolve_commit(runner, "HEAD")
    if full is None or tip is None:
        raise RepositoryError(f"no commit {sha!r} in this repository")
    status, _, _ = runner.run(["merge-base", "--is-ancestor", full, tip], ok=(0, 1))
    if status != 0:
        raise RepositoryError(f"commit {sha} is not in the history of the reviewed commit")
    (info,) = git_log(runner, full, None, 1, lambda _: True)
    shown = [f for f in info.files if allowed(f) and (path is None or _under(f, path))]
    withheld = tuple(f for f in info.files if not allowed(f))
    patch = b""
    if shown:
        args = ["--literal-pathspecs", "show", "--no-color", "--no-ext-diff", "--no-textconv"]
        patch = runner.out(
            [*args, "--format=", "--patch", "-m", "--first-parent", full, "--", *shown]
        )
    visible = CommitInfo(info.sha, info.author, info.date_iso, info.subject,
                         tuple(f for f in info.files if allowed(f)), info.body)  # fmt: skip
    return CommitShown(visible, patch.decode("utf-8", errors="replace"), withheld)


def _under(name: str, path: str) -> bool:
    folder = path.rstrip("/")
    return name == folder or name.startswith(folder + "/")
