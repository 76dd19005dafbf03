"""What a ``git push`` sends, as the pre-push hook is told it: the ref updates (git's stdin,
or pre-commit's variables) and, for each, the commits the remote does not have yet."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from reviewbot.errors import UsageError
from reviewbot.repo.gitcmd import GitRunner, open_repo
from reviewbot.repo.refs import resolve_commit

_FALLBACK_BASES = ("main", "master")


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
