"""What to review: the base and head of the range, resolved the way a user expects.

``resolve_range(root, base)`` picks the base commit:

1. ``base`` when given: any commit-ish (branch, tag, sha, ``origin/main``, ``HEAD~3``);
2. else the current branch's upstream (``@{upstream}``);
3. else ``origin/HEAD`` (the remote's default branch);
4. else a local ``main`` or ``master`` (then ``origin/main``, ``origin/master``).

The review covers ``merge-base(base, HEAD)..HEAD``: the commits on HEAD that are not on
the base. Every way this can fail (not a repository, no commits yet, detached HEAD without
``--base``, an unknown ref, a shallow clone that lacks the history) is a
``RepositoryError`` whose one line says what to do.

The ``scope`` of a review (see ``reviewbot.repo.gitdiff``) only moves the *new* side:
``commits`` ends at HEAD, ``staged`` at the index, ``worktree`` at the files on disk; the
old side is always the merge-base. ``--base HEAD --scope staged`` is therefore exactly
"what I am about to commit".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from reviewbot.errors import RepositoryError
from reviewbot.repo.gitcmd import GitRunner, open_repo, origin_url

Scope = Literal["commits", "staged", "worktree"]
SCOPES: tuple[Scope, ...] = ("commits", "staged", "worktree")

FALLBACK_BASES = ("main", "master", "origin/main", "origin/master")

_SHALLOW_HINT = (
    "this is a shallow clone; fetch the history: `git fetch --unshallow` "
    "(in GitHub Actions: actions/checkout with `fetch-depth: 0`)"
)


@dataclass(frozen=True)
class RevRange:
    """The commits under review: ``merge_base_sha..head_sha``.

    ``base_sha`` is the base ref's own commit, ``base_ref_label`` how it was chosen
    (``"origin/main (upstream)"``, ``"main (fallback)"``, or the user's ``--base``).
    """

    base_sha: str
    head_sha: str
    base_ref_label: str
    merge_base_sha: str


def is_shallow(runner: GitRunner) -> bool:
    return (runner.git_dir / "shallow").exists() or (
        runner.try_text(["rev-parse", "--is-shallow-repository"]) == "true"
    )


def head_sha(runner: GitRunner) -> str:
    """The commit HEAD points at; a clear error on a branch without commits."""
    sha = runner.try_text(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])
    if sha:
        return sha
    branch = runner.try_text(["symbolic-ref", "--short", "--quiet", "HEAD"]) or "HEAD"
    raise RepositoryError(
        f"branch {branch!r} has no commits yet", hint="commit your work first, then review it"
    )


def resolve_commit(runner: GitRunner, ref: str) -> str | None:
    """The commit sha ``ref`` names, or ``None``. Refs that look like options are refused."""
    if not ref or ref.startswith("-") or "\0" in ref:
        return None
    return runner.try_text(
        ["rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}"]
    )


def _default_base(runner: GitRunner) -> tuple[str, str]:
    """(sha, label) of the base when the user gave none."""
    branch = runner.try_text(["symbolic-ref", "--short", "--quiet", "HEAD"])
    if branch is None:
        raise RepositoryError(
            "HEAD is detached, so there is no branch to compare with",
            hint="pass --base REF (for example --base origin/main)",
        )
    upstream = runner.try_text(["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"])
    if upstream:
        sha = resolve_commit(runner, upstream)
        if sha:
            return sha, f"{upstream} (upstream)"
    origin_head = runner.try_text(
        ["symbolic-ref", "--short", "--quiet", "refs/remotes/origin/HEAD"]
    )
    if origin_head:
        sha = resolve_commit(runner, origin_head)
        if sha:
            return sha, f"{origin_head} (origin/HEAD)"
    for name in FALLBACK_BASES:
        sha = resolve_commit(runner, name)
        if sha:
            return sha, f"{name} (fallback)"
    hint = _SHALLOW_HINT if is_shallow(runner) else "pass --base REF (a branch, tag or commit)"
    raise RepositoryError(
        f"cannot tell what {branch!r} should be compared with: no upstream, "
        "no origin/HEAD, no main or master",
        hint=hint,
    )


def merge_base_of(runner: GitRunner, base_sha: str, head: str, label: str) -> str:
    """The best common ancestor of ``base_sha`` and ``head``, or a clear error."""
    merge_base = runner.try_text(["merge-base", base_sha, head])
    if merge_base:
        return merge_base
    if is_shallow(runner):
        raise RepositoryError(f"{label} and HEAD share no commit in this clone", hint=_SHALLOW_HINT)
    raise RepositoryError(
        f"{label} and HEAD have no common history",
        hint="pass --base with a commit that HEAD descends from",
    )


def resolve_range(root: Path, base: str | None = None) -> RevRange:
    """Resolve the review range in the repository at (or above) ``root``."""
    runner = GitRunner(open_repo(root))
    return resolve_range_with(runner, base)


def resolve_range_with(runner: GitRunner, base: str | None) -> RevRange:
    head = head_sha(runner)
    if base is not None:
        base_sha = resolve_commit(runner, base)
        if base_sha is None:
            hint = (
                _SHALLOW_HINT
                if is_shallow(runner)
                else "pass a branch, tag or commit that exists here "
                "(for a remote branch run `git fetch` first)"
            )
            raise RepositoryError(f"unknown ref {base!r}", hint=hint)
        label = base
    else:
        base_sha, label = _default_base(runner)
    merge_base = merge_base_of(runner, base_sha, head, label)
    return RevRange(
        base_sha=base_sha, head_sha=head, base_ref_label=label, merge_base_sha=merge_base
    )


def repository_name(root: Path) -> str:
    """``owner/name`` from the origin remote's URL, else the folder's name."""
    match = re.search(r"[:/]([^/:]+/[^/]+?)(?:\.git)?/?$", origin_url(root))
    return match.group(1) if match else root.resolve().name


def review_range(root: Path, base: str | None, head: str | None) -> RevRange:
    """``merge-base(base, head)..head``; ``head`` defaults to HEAD, ``base`` as ``review``
    picks it (upstream, origin/HEAD, main/master)."""
    if head is None:
        return resolve_range(root, base)
    runner = GitRunner(open_repo(root))
    head_sha = resolve_commit(runner, head)
    if head_sha is None:
        raise RepositoryError(
            f"unknown ref {head!r} for --head", hint="pass a branch, tag or commit that exists here"
        )
    if base is None:
        default = resolve_range(root, None)
        base_sha, label = default.base_sha, default.base_ref_label
    else:
        found = resolve_commit(runner, base)
        if found is None:
            raise RepositoryError(
                f"unknown ref {base!r}", hint="pass a branch, tag or commit that exists here"
            )
        base_sha, label = found, base
    merge_base = merge_base_of(runner, base_sha, head_sha, label)
    return RevRange(
        base_sha=base_sha, head_sha=head_sha, base_ref_label=label, merge_base_sha=merge_base
    )
