"""`reviewbot review`: the local use, from the working copy to the terminal or a file."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.text import Text

from reviewbot.config import Settings
from reviewbot.errors import EXIT_FINDINGS, EXIT_OK, ConfigError, RepositoryError
from reviewbot.pipeline.plan import ReviewPlan, filter_paths, plan_notes, plan_review, run_dir_for
from reviewbot.pipeline.run import execute
from reviewbot.pipeline.session import model_session
from reviewbot.publish.output import Format, emit, source_of
from reviewbot.repo import RepoView, RevRange, Scope, changeset_from_git, resolve_range
from reviewbot.repo.gitcmd import GitRunner, open_repo
from reviewbot.repo.refs import merge_base_of, resolve_commit
from reviewbot.review.sanitize import printable

# Asked on a terminal before a run whose estimate is over ``confirm_cost``; True: go on.
Confirm = Callable[[str], bool]

DRY_RUN_FILES_SHOWN = 20


@dataclass(frozen=True)
class LocalReview:
    root: Path
    base: str | None
    scope: Scope = "commits"
    paths: tuple[str, ...] = ()
    fmt: Format = "text"
    output: Path | None = None
    dry_run: bool = False
    quiet: bool = False
    verbose: bool = False
    transcript: Path | None = None
    live: bool = False  # draw a status line (stderr is a terminal)
    head: str | None = None  # review merge-base(base, head)..head instead of ..HEAD


def repository_name(root: Path) -> str:
    """``owner/name`` from the origin remote's URL, else the folder's name."""
    done = subprocess.run(
        ["git", "-C", str(root), "config", "--get", "remote.origin.url"],
        capture_output=True,
        text=True,
        check=False,
    )
    match = re.search(r"[:/]([^/:]+/[^/]+?)(?:\.git)?/?$", done.stdout.strip())
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


def describe_plan(plan: ReviewPlan, settings: Settings) -> list[str]:
    pack = plan.pack
    included = len(pack.included)
    files = plan.changes.files
    lines = [
        f"review {plan.changes.base[:12]}..{plan.changes.head[:12]} of {plan.repository}: "
        f"{len(files)} changed file(s)",
    ]
    lines += [f"  {f.status:<9} {printable(f.path)}" for f in files[:DRY_RUN_FILES_SHOWN]]
    if len(files) > DRY_RUN_FILES_SHOWN:
        lines.append(f"  ... and {len(files) - DRY_RUN_FILES_SHOWN} more")
    lines += [
        f"packed {included} file(s), {pack.used:,} of {pack.budget:,} budget tokens "
        f"({len(pack.entries) - included} ranked but not included, {len(pack.excluded)} excluded)",
        cost_line(plan, settings),
    ]
    return lines + [f"note: {note}" for note in plan_notes(plan)]


def cost_line(plan: ReviewPlan, settings: Settings) -> str:
    return (
        f"first request ~{plan.prompt_tokens:,} tokens to {settings.effective_model} "
        f"({settings.provider}); estimated cost ${plan.estimated_cost:.2f} over ~12 turns "
        f"(cap ${settings.max_cost:.2f})"
    )


def check_cost(plan: ReviewPlan, settings: Settings, confirm: Confirm | None) -> None:
    """Ask before a run whose estimate is over ``confirm_cost`` (only when we can ask)."""
    if confirm is None or plan.estimated_cost <= settings.confirm_cost:
        return
    question = (
        f"Estimated cost ${plan.estimated_cost:.2f} is over confirm_cost "
        f"${settings.confirm_cost:.2f}. Run the review?"
    )
    if not confirm(question):
        raise ConfigError(
            "review not started: its estimated cost was not confirmed",
            hint="pass --yes, raise confirm_cost, or narrow it with PATHS or --budget",
        )


def run(
    settings: Settings,
    job: LocalReview,
    *,
    out: Console,
    err: Console,
    confirm: Confirm | None = None,
) -> int:
    """Review, publish, and return the exit code (0, or 1 at ``fail_on``)."""
    rev = review_range(job.root, job.base, job.head)
    changes = filter_paths(changeset_from_git(job.root, rev, scope=job.scope), job.paths)
    if not changes.files:
        if not job.quiet:
            err.print(Text(f"nothing to review: no changes since {rev.base_ref_label}"))
        return EXIT_OK
    if not job.dry_run:
        settings.require_api_key()  # only once there is something to send
    ref = rev.head_sha if job.scope == "commits" else None
    view = RepoView(
        job.root, ref, deny_paths=settings.deny_paths, max_file_bytes=settings.max_file_bytes
    )
    plan = plan_review(
        settings, root=job.root, changes=changes, view=view, repository=repository_name(job.root)
    )
    if job.dry_run:
        for line in describe_plan(plan, settings):
            out.print(Text(line), soft_wrap=True)
        return EXIT_OK
    check_cost(plan, settings, confirm)
    if (job.live or job.verbose) and not job.quiet:
        err.print(
            Text(
                f"reviewing {len(changes.files)} file(s), {rev.merge_base_sha[:8]}.."
                f"{changes.head[:8]} · first request ~{plan.prompt_tokens:,} tokens · "
                f"estimated ${plan.estimated_cost:.2f} (cap ${settings.max_cost:.2f})",
                style="dim",
            ),
            soft_wrap=True,
        )
    run_dir = run_dir_for(settings, job.root, changes.head)
    with model_session(
        settings, err, live=job.live, quiet=job.quiet, verbose=job.verbose
    ) as session:
        result = execute(plan, settings, session.execution(run_dir, job.transcript))

    emit(result, job.fmt, output=job.output, console=out, source=source_of(view))
    return EXIT_FINDINGS if result.fails(settings.fail_on) else EXIT_OK
