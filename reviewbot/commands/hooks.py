"""The git pre-push hook: installing it, removing it, and reviewing what a push sends.

``install`` writes ``pre-push`` into the folder git runs hooks from (``git rev-parse
--git-path hooks``: honours ``core.hooksPath`` and linked worktrees). The hook is a small
POSIX shell script that runs the Python that installed it (``python -P -m reviewbot review
--pre-push``), so it works from any shell, without a TTY and without reviewbot on PATH.
A hook that reviewbot did not write is only replaced with ``force``; it is kept next to the
new one as ``pre-push.reviewbot-backup`` and ``uninstall`` puts it back byte for byte.

``review_push`` is what the hook runs: for each ref being pushed (git writes ``<local ref>
<local sha> <remote ref> <remote sha>`` lines on the hook's stdin) it reviews exactly the
pushed commits (``remote sha..local sha``; for a new branch, from the parent of the first
commit the remote does not have), skips deletions, and returns 1 -- the push is refused --
when a finding is at or above ``fail_on``. Under the pre-commit framework the range comes
from ``PRE_COMMIT_FROM_REF``/``PRE_COMMIT_TO_REF`` instead.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from rich.console import Console
from rich.text import Text

from reviewbot.commands.review import LocalReview, run
from reviewbot.config import Settings
from reviewbot.errors import EXIT_FINDINGS, EXIT_OK, ReviewbotError, UsageError
from reviewbot.repo.gitcmd import GitRunner, open_repo
from reviewbot.repo.refs import resolve_commit

HOOK = "pre-push"
BACKUP = "pre-push.reviewbot-backup"
MARKER = "# reviewbot-hook: pre-push"
BYPASS = "to push anyway once: git push --no-verify (or REVIEWBOT_SKIP=1 git push)"
_FALLBACK_BASES = ("main", "master")


# Installing ---------------------------------------------------------------------------------
def hooks_dir(root: Path) -> Path:
    """The folder git runs this repository's hooks from."""
    runner = GitRunner(open_repo(root))
    path = Path(runner.text(["rev-parse", "--path-format=absolute", "--git-path", "hooks"]))
    return path if path.is_absolute() else (root / path)


def hook_script(python: str, fail_on: str) -> str:
    """The hook's text: skip on REVIEWBOT_SKIP, else run ``python -m reviewbot``."""
    py = shlex.quote(python)
    level = shlex.quote(fail_on)
    return f"""#!/bin/sh
{MARKER} (written by `reviewbot install-hook`; v1)
# Reviews the commits being pushed and refuses the push when a finding is at or above
# {fail_on}. Remove it with `reviewbot install-hook --uninstall`.
# {BYPASS[0].upper() + BYPASS[1:]}
case "${{REVIEWBOT_SKIP:-}}" in
  "" | 0 | [Ff][Aa][Ll][Ss][Ee] | [Nn][Oo]) ;;
  *) echo "reviewbot: REVIEWBOT_SKIP is set; the push is not reviewed" >&2; exit 0 ;;
esac
if [ ! -x {py} ]; then
  echo "reviewbot: "{py}" is gone; reinstall the hook (reviewbot install-hook)," \\
    "or push with git push --no-verify" >&2
  exit 1
fi
exec {py} -P -m reviewbot review --pre-push --remote "$1" --fail-on {level}
"""


def is_ours(path: Path) -> bool:
    try:
        return MARKER.encode() in path.read_bytes()[:4096]
    except OSError:
        return False


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _write_hook(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.reviewbot-tmp")
    temporary.write_text(text, encoding="utf-8", newline="\n")
    temporary.chmod(0o755)
    os.replace(temporary, path)


def install(root: Path, *, force: bool, fail_on: str, out: Console) -> int:
    if not sys.executable:
        raise UsageError("cannot tell which Python runs reviewbot", hint="run it with python -m")
    folder = hooks_dir(root)
    hook, backup = folder / HOOK, folder / BACKUP
    try:
        folder.mkdir(parents=True, exist_ok=True)
        script = hook_script(sys.executable, fail_on)
        if _exists(hook) and is_ours(hook):
            _write_hook(hook, script)
            out.print(Text(f"updated the reviewbot pre-push hook at {hook} (fails on {fail_on})"))
            return EXIT_OK
        if _exists(hook):
            if not force:
                raise UsageError(
                    f"{hook} already exists and was not written by reviewbot",
                    hint=f"pass --force to replace it (it is kept as {BACKUP} and "
                    "`reviewbot install-hook --uninstall` restores it)",
                )
            if _exists(backup):
                raise UsageError(
                    f"{backup} already exists", hint="move it away first; reviewbot keeps one"
                )
            os.replace(hook, backup)
            out.print(Text(f"kept the previous hook as {backup}"))
        _write_hook(hook, script)
    except OSError as exc:
        raise UsageError(f"cannot write the hook in {folder}: {exc.strerror}") from exc
    out.print(Text(f"installed the reviewbot pre-push hook at {hook}"))
    out.print(Text(f"pushes with a finding at or above {fail_on} are refused; {BYPASS}"))
    return EXIT_OK


def uninstall(root: Path, *, out: Console) -> int:
    folder = hooks_dir(root)
    hook, backup = folder / HOOK, folder / BACKUP
    if _exists(hook) and not is_ours(hook):
        raise UsageError(
            f"{hook} was not written by reviewbot; leaving it as it is",
            hint="remove it by hand if you no longer want it",
        )
    try:
        removed = _exists(hook)
        if removed:
            hook.unlink()
        if _exists(backup):
            os.replace(backup, hook)
            out.print(Text(f"removed the reviewbot hook and restored the previous one at {hook}"))
        elif removed:
            out.print(Text(f"removed the reviewbot pre-push hook at {hook}"))
        else:
            out.print(Text(f"no reviewbot pre-push hook in {folder}; nothing to do"))
    except OSError as exc:
        raise UsageError(f"cannot change the hook in {folder}: {exc.strerror}") from exc
    return EXIT_OK


# What is pushed -----------------------------------------------------------------------------
def _is_zero(sha: str) -> bool:
    return not sha.strip("0")


@dataclass(frozen=True)
class RefUpdate:
    """One line of the pre-push hook's stdin."""

    local_ref: str
    local_sha: str
    remote_ref: str
    remote_sha: str


@dataclass(frozen=True)
class PushRequest:
    """What the hook was told: the updates, the remote, and whether to skip."""

    updates: tuple[RefUpdate, ...]
    remote: str
    skip: bool = False
    note: str = ""  # why there are no updates, when that needs saying

    @classmethod
    def from_environment(
        cls, env: Mapping[str, str], *, remote: str | None, read_stdin: Callable[[], str]
    ) -> PushRequest:
        skip = env.get("REVIEWBOT_SKIP", "").strip().lower() not in ("", "0", "false", "no")
        name = remote or env.get("PRE_COMMIT_REMOTE_NAME") or "origin"
        if skip:
            return cls((), name, skip=True)
        start, end = env.get("PRE_COMMIT_FROM_REF"), env.get("PRE_COMMIT_TO_REF")
        if start and end:  # run by pre-commit: it read git's stdin and worked out the range
            local = env.get("PRE_COMMIT_LOCAL_BRANCH") or end
            update = RefUpdate(local, end, env.get("PRE_COMMIT_REMOTE_BRANCH", ""), start)
            return cls((update,), name)
        if env.get("PRE_COMMIT") == "1":
            return cls((), name, note="pre-commit gave no range (a new history is being pushed)")
        return cls(parse_updates(read_stdin()), name)


def parse_updates(text: str) -> tuple[RefUpdate, ...]:
    updates = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = line.rsplit(maxsplit=3)
        if len(parts) != 4:
            raise UsageError(
                f"unexpected pre-push line {line[:80]!r}",
                hint="expected '<local ref> <local sha> <remote ref> <remote sha>'",
            )
        updates.append(RefUpdate(*parts))
    return tuple(updates)


@dataclass(frozen=True)
class PushRange:
    ref: str  # the local ref, for messages
    base: str  # the last commit the remote already has
    head: str  # the commit being pushed


def pushed_ranges(root: Path, request: PushRequest) -> tuple[list[PushRange], list[str]]:
    """The ranges to review, and a note for each update that needs no review."""
    runner = GitRunner(open_repo(root))
    ranges: list[PushRange] = []
    notes: list[str] = [request.note] if request.note else []
    for u in request.updates:
        if _is_zero(u.local_sha):
            notes.append(f"{u.remote_ref} is being deleted; nothing to review")
            continue
        if u.local_sha == u.remote_sha:
            notes.append(f"{u.remote_ref} is up to date; nothing to review")
            continue
        known = not _is_zero(u.remote_sha) and resolve_commit(runner, u.remote_sha) is not None
        ancestor = (
            known
            and runner.run(["merge-base", "--is-ancestor", u.remote_sha, u.local_sha], ok=(0, 1))[0]
            == 0
        )
        base = u.remote_sha if ancestor else _new_commits_base(runner, u.local_sha, request.remote)
        if base is None:
            notes.append(
                f"{u.local_ref}: nothing to compare with (no commit the remote has); "
                f"review it with `reviewbot review --base REF --head {u.local_sha[:12]}`"
            )
        elif base == u.local_sha:
            notes.append(f"{u.local_ref}: every commit is on {request.remote} already")
        else:
            ranges.append(PushRange(u.local_ref, base, u.local_sha))
    return ranges, notes


def _new_commits_base(runner: GitRunner, head: str, remote: str) -> str | None:
    """For a new branch (or a forced push): the parent of the first commit ``remote`` lacks;
    when even the root commit is new, the merge-base with the remote's default branch or a
    local main/master. ``head`` itself when the remote has every commit."""
    listed = runner.text(
        ["rev-list", "--topo-order", "--reverse", head, "--not", f"--remotes={remote}"]
    )
    if not listed:
        return head
    first = listed.splitlines()[0]
    parent = runner.try_text(["rev-parse", "--verify", "--quiet", f"{first}^"])
    if parent:
        return parent
    for ref in (f"refs/remotes/{remote}/HEAD", *_FALLBACK_BASES):
        sha = resolve_commit(runner, ref)
        merge_base = runner.try_text(["merge-base", sha, head]) if sha else None
        if merge_base and merge_base != head:
            return merge_base
    return None


def review_push(
    settings: Settings, job: LocalReview, request: PushRequest, *, out: Console, err: Console
) -> int:
    """Review each pushed range; 1 (refuse the push) when a finding reaches ``fail_on``."""

    def say(text: str) -> None:  # wrapped at words on a terminal, whole lines elsewhere
        if not job.quiet:
            err.print(Text(text), soft_wrap=not err.is_terminal)

    if request.skip:
        say("reviewbot: REVIEWBOT_SKIP is set; the push is not reviewed")
        return EXIT_OK
    ranges, notes = pushed_ranges(job.root, request)
    for note in notes:
        say(f"reviewbot: {note}")
    code = EXIT_OK
    try:
        for r in ranges:
            say(f"reviewbot: reviewing {r.ref} ({r.base[:8]}..{r.head[:8]}) before the push")
            code = max(
                code, run(settings, replace(job, base=r.base, head=r.head), out=out, err=err)
            )
    except ReviewbotError as exc:
        exc.hint = f"{exc.hint}; {BYPASS}" if exc.hint else BYPASS
        raise
    if code == EXIT_FINDINGS:
        err.print(
            Text(f"reviewbot: push refused: findings at or above {settings.fail_on}; {BYPASS}"),
            soft_wrap=not err.is_terminal,
        )
    return code
