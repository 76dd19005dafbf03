"""Running git: one place that starts git processes, hardened, and translates failures.

Every git process reviewbot starts goes through ``GitRunner`` (GitPython finds and opens
the repository; the processes are started here, because GitPython always hands git the
whole environment). Output is bytes (paths may be any bytes; we decode them with
``os.fsdecode``). Failures become ``RepositoryError`` with a one-line message; a traceback
never reaches the user.

A repository is not trusted (a clone's ``.git/config`` and its ``.gitattributes`` are
whatever its author made them), so nothing it names is run: no fsmonitor, no hooks, no
clean/smudge/process filter, no textconv or external diff program (each driver the config
defines is blanked on the command line, which beats every config file). And git gets a
minimal environment: locale, PATH, HOME and git's own location variables, never API keys,
tokens or the rest of the user's environment. A process that outlives the caller's time
limit (``reviewbot.timelimit``) is stopped.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import IO, cast

import git

from reviewbot.errors import RepositoryError
from reviewbot.timelimit import remaining

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
    # Programs a repository's config can name: none of them runs (hooks: see GitRunner).
    "core.fsmonitor=false",
    "core.untrackedCache=false",
)
# diff.external (any config file) names a program too; it cannot be blanked, only refused.
_DIFF_COMMANDS = frozenset({"diff", "log", "show", "diff-tree", "diff-index", "diff-files"})
# Per-driver keys that name a program (filter.<driver>.clean, diff.<driver>.textconv, ...).
_DRIVER_PROGRAMS = re.compile(
    rb"^(filter\.(.+)\.(?:clean|smudge|process)|diff\.(.+)\.(?:textconv|command))$", re.DOTALL
)
# The only variables git is given: what it needs to find itself, the repository and the
# user's own git config, and the certificates to reach a server. Never keys or tokens.
_PASSED = frozenset(
    {
        "PATH", "HOME", "USER", "LOGNAME", "TMPDIR", "TEMP", "TMP", "TZ", "SYSTEMROOT",
        "XDG_CONFIG_HOME", "SSL_CERT_FILE", "SSL_CERT_DIR", "GIT_SSL_CAINFO", "GIT_SSL_CAPATH",
        "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES",
        "GIT_DISCOVERY_ACROSS_FILESYSTEM", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM",
        "GIT_CONFIG_NOSYSTEM", "GIT_EXEC_PATH", "GIT_QUARANTINE_PATH",
    }
)  # fmt: skip
# Fixed: plain English messages (parsed in places), no prompts, no pager, no optional locks
# (git status-like index refreshes: we only read).
_FIXED = {
    "LANGUAGE": "C",
    "LC_ALL": "C",
    "GIT_OPTIONAL_LOCKS": "0",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_PAGER": "cat",
    "GIT_ASKPASS": "",
    "SSH_ASKPASS": "",
}


def git_environment(
    environ: Mapping[str, str] | None = None, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment of a git process: the passed-through variables of ``environ``
    (default: this process's), the fixed ones, then ``extra``."""
    source = os.environ if environ is None else environ
    return {
        **{k: v for k, v in source.items() if k in _PASSED},
        **_FIXED,
        **(extra or {}),
    }


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

    def __init__(self, repo: git.Repo, *, real_hooks_path: bool = False) -> None:
        self.repo = repo
        # Only for asking git where hooks live (install-hook): nothing it runs may run one.
        self._hooks_override = () if real_hooks_path else ("core.hooksPath=/dev/null",)
        self.git_dir = Path(repo.git_dir)
        work = repo.working_tree_dir
        self.work_tree: Path | None = Path(work) if work is not None else None
        self.cwd = self.work_tree or self.git_dir

    def argv(self, args: Sequence[str]) -> list[str]:
        overrides = [*_CONFIG_OVERRIDES, *self._hooks_override, *self._blank_drivers]
        at = _subcommand(args)
        if at is not None and args[at] in _DIFF_COMMANDS:
            args = [*args[: at + 1], "--no-ext-diff", "--no-textconv", *args[at + 1 :]]
        return ["git", *[part for item in overrides for part in ("-c", item)], *args]

    @cached_property
    def _blank_drivers(self) -> tuple[str, ...]:
        """``-c`` values that blank every filter and diff program the config defines."""
        args = ["git", "-c", "core.hooksPath=/dev/null", "config", "-z", "--get-regexp"]
        status, out, _ = self._execute([*args, r"^(filter|diff)\."], None)
        if status not in (0, 1):
            return ()
        blanks: list[str] = []
        for record in out.split(b"\0"):
            key = record.split(b"\n", 1)[0]
            found = _DRIVER_PROGRAMS.match(key)
            if found is None:
                continue
            blanks.append(os.fsdecode(key) + "=")
            if found.group(2) is not None:
                blanks.append(f"filter.{os.fsdecode(found.group(2))}.required=false")
        return tuple(dict.fromkeys(blanks))

    def _execute(self, argv: list[str], env: Mapping[str, str] | None) -> tuple[int, bytes, str]:
        at = _subcommand(argv[1:])
        verb = argv[1 + at] if at is not None else "git"
        limit = remaining()
        try:
            proc = subprocess.Popen(
                argv,
                cwd=self.cwd,
                env=git_environment(extra=env),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except FileNotFoundError as exc:
            raise RepositoryError(
                "git is not installed or not on PATH", hint="install git 2.30 or newer"
            ) from exc
        try:
            out, err = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise RepositoryError(f"git {verb} did not finish within the time limit") from None
        return proc.returncode, out, err.decode("utf-8", "replace")

    def run(
        self,
        args: Sequence[str],
        *,
        ok: Sequence[int] = (0,),
        env: Mapping[str, str] | None = None,
    ) -> tuple[int, bytes, str]:
        """Run ``git args``; return (status, stdout, stderr). Other statuses raise."""
        status, out, err = self._execute(self.argv(args), env)
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

    def popen(
        self,
        args: Sequence[str],
        *,
        stdin: bool = False,
        env: Mapping[str, str] | None = None,
    ) -> subprocess.Popen[bytes]:
        """A streaming git process (stdout and stderr are pipes; stdin one if asked). It is
        killed when the caller's time limit passes (the reader then sees the end early)."""
        try:
            proc = subprocess.Popen(
                self.argv(args),
                cwd=self.cwd,
                env=git_environment(extra=env),
                stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except FileNotFoundError as exc:
            raise RepositoryError(
                "git is not installed or not on PATH", hint="install git 2.30 or newer"
            ) from exc
        limit = remaining()
        if limit is not None:
            timer = threading.Timer(limit, _stop, args=(proc,))
            timer.daemon = True
            timer.start()
        return proc


def out_capped(
    runner: GitRunner,
    args: Sequence[str],
    cap: int,
    too_large: Callable[[], Exception],
    *,
    env: Mapping[str, str] | None = None,
) -> bytes:
    """The output of ``git args``, read as it streams; once it passes ``cap`` bytes git is
    stopped and ``too_large()`` is raised (nothing larger is ever held in memory)."""
    proc = runner.popen(args, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    stdout = cast(io.BufferedReader, proc.stdout)
    parts: list[bytes] = []
    size = 0
    try:
        while chunk := stdout.read1(1 << 20):
            size += len(chunk)
            if size > cap:
                proc.kill()
                raise too_large()
            parts.append(chunk)
        err = proc.stderr.read().decode("utf-8", "replace")
    finally:
        proc.stdout.close()
        proc.stderr.close()
        status = proc.wait()
    if status != 0:
        raise git_failure(args, err)
    return b"".join(parts)


def _subcommand(args: Sequence[str]) -> int | None:
    """The index of git's subcommand in ``args`` (after options such as ``-c key=value``)."""
    at = 0
    while at < len(args):
        if args[at] in ("-c", "-C"):
            at += 2
        elif args[at].startswith("-"):
            at += 1
        else:
            return at
    return None


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()


def origin_url(root: Path) -> str:
    """The URL of the ``origin`` remote of the repository at ``root`` ("" when none)."""
    try:
        return GitRunner(open_repo(root)).try_text(["config", "--get", "remote.origin.url"]) or ""
    except RepositoryError:
        return ""


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
