"""Running git through GitPython: one place that opens repositories and translates failures.

Every git process reviewbot starts goes through ``GitRunner``. Output is bytes (paths may
be any bytes; we decode them with ``os.fsdecode``). Failures become ``RepositoryError``
with a one-line message; a traceback never reaches the user.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, cast

import git

from reviewbot.errors import RepositoryError

# Settings a user's git config could set that would change the output we parse. Passed on
# every command line so that the diff we read is the same on every machine.
_CONFIG_OVERRIDES = (
    "core.quotePath=true",
    "diff.noprefix=false",
    "diff.mnemonicPrefix=false",
    "diff.context=3",
    "diff.interHunkContext=0",
    "diff.relative=false",
    "diff.suppressBlankEmpty=false",
    "diff.submodule=short",
    "color.ui=false",
    "log.showSignature=false",
    "grep.lineNumber=false",
    "grep.fullName=true",
    "grep.column=false",
)
# Never take optional locks (git status-like index refreshes): we only read.
_ENV = {"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat"}


def open_repo(root: Path) -> git.Repo:
    """The repository containing ``root`` (searching parent folders)."""
    try:
        return git.Repo(root, search_parent_directories=True)
    except git.NoSuchPathError as exc:
        raise RepositoryError(
            f"{root} does not exist", hint="pass an existing repository folder"
        ) from exc
    except git.InvalidGitRepositoryError as exc:
        raise RepositoryError(
            f"{root} is not inside a git repository",
            hint="run reviewbot inside a clone (or pass its folder)",
        ) from exc


def git_failure(args: Sequence[str], stderr: str) -> RepositoryError:
    """A one-line error for a failed git command, with advice for the common causes."""
    detail = " ".join(stderr.strip().replace("fatal: ", "").replace("error: ", "").split())
    verb = args[0] if args else "git"
    if "dubious ownership" in detail:
        return RepositoryError(
            "git refuses this repository because another user owns it",
            hint="run: git config --global --add safe.directory <repo>",
        )
    return RepositoryError(f"git {verb} failed: {detail[:300] or 'no message'}")


class GitRunner:
    """Runs git commands in one repository, with a fixed, predictable configuration."""

    def __init__(self, repo: git.Repo) -> None:
        self.repo = repo
        self.git_dir = Path(repo.git_dir)
        work = repo.working_tree_dir
        self.work_tree: Path | None = Path(work) if work is not None else None

    def argv(self, args: Sequence[str]) -> list[str]:
        overrides = [part for item in _CONFIG_OVERRIDES for part in ("-c", item)]
        return ["git", *overrides, *args]

    def run(
        self,
        args: Sequence[str],
        *,
        ok: Sequence[int] = (0,),
        env: Mapping[str, str] | None = None,
    ) -> tuple[int, bytes, str]:
        """Run ``git args``; return (status, stdout, stderr). Other statuses raise."""
        try:
            status, out, err = self.repo.git.execute(
                self.argv(args),
                with_extended_output=True,
                with_exceptions=False,
                stdout_as_string=False,
                strip_newline_in_stdout=False,
                env={**_ENV, **(env or {})},
            )
        except git.GitCommandNotFound as exc:
            raise RepositoryError(
                "git is not installed or not on PATH", hint="install git 2.30 or newer"
            ) from exc
        if status not in ok:
            raise git_failure(args, err)
        return status, out, err

    def out(self, args: Sequence[str], *, env: Mapping[str, str] | None = None) -> bytes:
        return self.run(args, env=env)[1]

    def text(self, args: Sequence[str]) -> str:
        """Output of a command whose answer is one short line (a sha, a ref name)."""
        return os.fsdecode(self.out(args)).strip()

    def try_text(self, args: Sequence[str]) -> str | None:
        """Like ``text``, but ``None`` when git exits non-zero (e.g. a missing ref)."""
        status, out, _ = self.run(args, ok=range(256))
        return os.fsdecode(out).strip() if status == 0 else None

    def popen(self, args: Sequence[str], *, stdin: bool = False) -> subprocess.Popen[bytes]:
        """A streaming git process (stdout and stderr are pipes; stdin one if asked)."""
        try:
            handle = self.repo.git.execute(
                self.argv(args),
                istream=subprocess.PIPE if stdin else None,
                as_process=True,
                env=dict(_ENV),
            )
        except git.GitCommandNotFound as exc:
            raise RepositoryError(
                "git is not installed or not on PATH", hint="install git 2.30 or newer"
            ) from exc
        proc = handle.proc
        assert proc is not None
        handle.proc = None  # we own the process now: AutoInterrupt must not kill it later
        return cast("subprocess.Popen[bytes]", proc)


def read_exact(stream: IO[bytes], size: int) -> bytes:
    """Read exactly ``size`` bytes (a pipe may return fewer per call)."""
    data = stream.read(size)
    if len(data) == size:
        return data
    parts = [data]
    got = len(data)
    while got < size:
        chunk = stream.read(size - got)
        if not chunk:
            raise RepositoryError("git stopped writing in the middle of an object")
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def find_root(start: Path) -> Path | None:
    """The top of the git work tree holding ``start`` (a ``.git`` folder or file), if any;
    no git process."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None
