"""`reviewbot review`: the local use, from the working copy to the terminal or a file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.text import Text

from reviewbot.config import Settings
from reviewbot.errors import EXIT_FINDINGS, EXIT_OK, ConfigError
from reviewbot.pipeline.plan import (
    ReviewPlan,
    describe_plan,
    filter_paths,
    plan_review,
    run_dir_for,
)
from reviewbot.pipeline.run import execute
from reviewbot.pipeline.session import model_session
from reviewbot.prompts import overrides_at
from reviewbot.publish.output import Format, emit, source_of
from reviewbot.repo import RepoView, Scope, changeset_from_git, range_messages
from reviewbot.repo.refs import repository_name, review_range

# Asked on a terminal before a run whose estimate is over ``confirm_cost``; True: go on.
Confirm = Callable[[str], bool]


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
    # Plain paths narrow what git writes (the size cap counts only that); globs filter after.
    plain = () if any(set(p) & set("*?[\\") for p in job.paths) else job.paths
    whole = changeset_from_git(
        job.root, rev, scope=job.scope, max_bytes=settings.max_diff_bytes, paths=plain
    )
    changes = filter_paths(whole, job.paths)
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
    # Prompt overrides from the reviewed commit (HEAD for the index or work tree), never
    # from files on disk.
    if ref is None:
        with RepoView(job.root, rev.head_sha) as at_head:
            overrides = overrides_at(at_head)
    else:
        overrides = overrides_at(view)
    plan = plan_review(
        settings,
        changes=changes,
        view=view,
        repository=repository_name(job.root),
        overrides=overrides,
        commit_messages=range_messages(job.root, rev.merge_base_sha, rev.head_sha),
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
