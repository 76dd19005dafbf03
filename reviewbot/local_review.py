"""`reviewbot review`: the local use, from the working copy to the terminal or a file."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.text import Text

from reviewbot.config import Settings
from reviewbot.errors import EXIT_FINDINGS, EXIT_OK, RepositoryError
from reviewbot.llm.client import ChatClient, ClientConfig
from reviewbot.pipeline import (
    Execution,
    ReviewPlan,
    execute,
    filter_paths,
    plan_review,
    run_dir_for,
)
from reviewbot.progress import Progress
from reviewbot.publish.output import Format, emit
from reviewbot.repo import RepoView, Scope, changeset_from_git, resolve_range


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


def describe_plan(plan: ReviewPlan, settings: Settings) -> list[str]:
    pack = plan.pack
    included = len(pack.included)
    return [
        f"review {plan.changes.base[:12]}..{plan.changes.head[:12]} of {plan.repository}: "
        f"{len(plan.changes.files)} changed file(s)",
        f"packed {included} file(s), {pack.used:,} of {pack.budget:,} budget tokens "
        f"({len(pack.entries) - included} ranked but not included, {len(pack.excluded)} excluded)",
        f"first request ~{plan.prompt_tokens:,} tokens to {settings.effective_model} "
        f"({settings.provider}); estimated cost ${plan.estimated_cost:.2f} over ~12 turns "
        f"(cap ${settings.max_cost:.2f})",
    ]


def run(settings: Settings, job: LocalReview, *, out: Console, err: Console) -> int:
    rev = resolve_range(job.root, job.base)
    changes = filter_paths(changeset_from_git(job.root, rev, scope=job.scope), job.paths)
    if not changes.files:
        if not job.quiet:
            err.print(Text(f"nothing to review: no changes since {rev.base_ref_label}"))
        return EXIT_OK
    ref = rev.head_sha if job.scope == "commits" else None
    view = RepoView(
        job.root, ref, deny_paths=settings.deny_paths, max_file_bytes=settings.max_file_bytes
    )
    plan = plan_review(
        settings, root=job.root, changes=changes, view=view, repository=repository_name(job.root)
    )
    if job.dry_run:
        for line in describe_plan(plan, settings):
            out.print(Text(line))
        return EXIT_OK
    config = ClientConfig.from_settings(settings)
    progress = Progress(
        err,
        live=job.live and not job.quiet,
        verbose=job.verbose,
        show_reasoning=settings.show_reasoning,
    )
    with ChatClient(config) as client, progress:
        result = execute(
            plan,
            settings,
            Execution(
                client=client,
                run_dir=run_dir_for(settings, job.root, changes.head),
                secrets=(config.api_key,),
                on_event=progress,
                transcript_path=job.transcript,
            ),
        )

    def source(path: str, first: int, last: int) -> list[tuple[int, str]]:
        try:
            text = view.read(path, first, last)
        except RepositoryError:  # context lines are a nicety, never a failure
            return []
        return list(enumerate(text.text.splitlines(), start=text.start_line))

    emit(result, job.fmt, output=job.output, console=out, source=source)
    return EXIT_FINDINGS if result.fails(settings.fail_on) else EXIT_OK
