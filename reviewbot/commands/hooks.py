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
from dataclasses import replace
from pathlib import Path

from rich.console import Console
from rich.text import Text

from reviewbot.commands.review import LocalReview, run
from reviewbot.config import Settings
from reviewbot.errors import EXIT_FINDINGS, EXIT_OK, ReviewbotError, UsageError
from reviewbot.repo.gitcmd import GitRunner, open_repo
from reviewbot.repo.push import PushRequest, pushed_ranges

HOOK = "pre-push"
BACKUP = "pre-push.reviewbot-backup"
MARKER = "# reviewbot-hook: pre-push"
BYPASS = "to push anyway once: git push --no-verify (or REVIEWBOT_SKIP=1 git push)"


# Installing ---------------------------------------------------------------------------------
def hooks_dir(root: Path) -> Path:
    """The folder git runs this repository's hooks from."""
    runner = GitRunner(open_repo(root), real_hooks_path=True)
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
