"""`reviewbot review` and `reviewbot pack`: their flags, read into a job for the front end."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, get_args

import click

from reviewbot.cli.options import (
    CONTEXT,
    build_settings,
    model_flags,
    model_options,
    relative,
    require_root,
    stderr_console,
    stdout_console,
)
from reviewbot.config import FAIL_LEVELS
from reviewbot.errors import UsageError
from reviewbot.publish.output import Format
from reviewbot.repo.gitcmd import find_root


@click.command(context_settings=CONTEXT)
@click.option("--base", metavar="REF", help="Review commits not on REF (default: upstream).")
@click.option("--head", metavar="REF", help="Review up to REF instead of HEAD (commits only).")
@click.option(
    "--staged", is_flag=True, help="Review the index: staged changes (vs HEAD, or --base)."
)
@click.option(
    "--uncommitted",
    is_flag=True,
    help="Review the work tree, untracked files too (vs HEAD, or --base).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(get_args(Format)),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write output to FILE.")
@click.option("--fail-on", type=click.Choice(FAIL_LEVELS), help="Exit 1 at this severity.")
@click.option("--dry-run", is_flag=True, help="Stop before the first model call; print plan.")
@click.option("-y", "--yes", is_flag=True, help="Do not ask before a run over confirm_cost.")
@click.option("--transcript", type=click.Path(dir_okay=False), help="Write the transcript here.")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
@click.option("-v", "--verbose", is_flag=True, help="One line per step and tool call.")
@click.option(
    "--pre-push",
    is_flag=True,
    help="Review the refs being pushed (git pre-push hook stdin, or pre-commit's variables).",
)
@click.option(
    "--remote", metavar="NAME", help="With --pre-push: the remote pushed to (hook argument $1)."
)
@model_options
@click.argument("paths", nargs=-1, type=click.Path())
@click.pass_context
def review(ctx: click.Context, /, **params: Any) -> int:
    """Review the commits on HEAD that are not on the base branch.

    The base defaults to the upstream branch's merge-base, else origin/HEAD, else
    main/master; --head reviews merge-base(base, REF)..REF instead. PATHS (after `--`)
    limit the review to those files or folders. Findings go to the terminal or to
    -o FILE; the exit code is 1 when a finding is at or above --fail-on.
    On a terminal, a run whose estimated cost is over confirm_cost asks first (-y skips).
    """
    from reviewbot.commands.review import LocalReview, run
    from reviewbot.repo import Scope

    if params["staged"] and params["uncommitted"]:
        raise UsageError("--staged and --uncommitted cannot be used together", hint="pick one")
    if params.get("head") and (params["staged"] or params["uncommitted"]):
        raise UsageError(
            "--head ends a commit range; --staged and --uncommitted end at the index or "
            "the work tree",
            hint="drop one of them",
        )
    if params["pre_push"] and (
        params.get("base") or params.get("head") or params["staged"] or params["uncommitted"]
    ):
        raise UsageError(
            "--pre-push reviews the commits being pushed",
            hint="do not combine it with --base, --head, --staged or --uncommitted",
        )
    settings = build_settings(ctx, {**model_flags(params), "fail_on": params.get("fail_on")})
    root = require_root()
    scope: Scope = (
        "staged" if params["staged"] else "worktree" if params["uncommitted"] else "commits"
    )
    # --staged / --uncommitted alone: what is not committed yet (against HEAD); with --base,
    # everything since the merge-base, the index or work tree included.
    uncommitted = params["staged"] or params["uncommitted"]
    job = LocalReview(
        root=root,
        base=params.get("base") or ("HEAD" if uncommitted else None),
        head=params.get("head"),
        scope=scope,
        paths=tuple(relative(root, p) for p in params["paths"]),
        fmt=params["output_format"],
        output=Path(params["output"]) if params.get("output") else None,
        dry_run=params["dry_run"],
        quiet=params["quiet"],
        verbose=params["verbose"],
        transcript=Path(params["transcript"]) if params.get("transcript") else None,
        live=sys.stderr.isatty(),
    )
    asks = sys.stdin.isatty() and not params["yes"]
    confirm = (lambda q: click.confirm(q, default=False, err=True)) if asks else None
    if params["pre_push"]:
        from reviewbot.commands.hooks import review_push
        from reviewbot.repo.push import PushRequest

        if sys.stdin.isatty() and "PRE_COMMIT" not in os.environ:
            raise UsageError(
                "--pre-push reads the refs being pushed from standard input",
                hint="it is run by the hook `reviewbot install-hook` writes",
            )
        request = PushRequest.from_environment(
            os.environ, remote=params.get("remote"), read_stdin=sys.stdin.read
        )
        # A hook speaks on stderr (stdout may be `git push --porcelain`'s): the report too.
        return review_push(settings, job, request, out=stderr_console(), err=stderr_console())
    if not params["dry_run"]:
        settings.require_api_key()
    return run(settings, job, out=stdout_console(), err=stderr_console(), confirm=confirm)


@click.command(context_settings=CONTEXT)
@click.option("--base", metavar="REF", help="Pack for the change against REF.")
@click.option("--all", "pack_all", is_flag=True, help="Pack the whole repository by importance.")
@click.option("--budget", type=int, metavar="TOKENS", help="Token budget for the pack.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "markdown", "xml"]),
    default="table",
    show_default=True,
    help="table/json describe the pack; markdown/xml write the packed context.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write output to FILE.")
@click.pass_context
def pack(ctx: click.Context, /, **params: Any) -> int:
    """Show or write the context the model would see: files ranked by relevance to the
    change, chunked and fitted to the token budget."""
    from reviewbot.commands.pack import PackJob, run

    settings = build_settings(ctx, {"budget": params.get("budget")})
    job = PackJob(
        root=find_root(Path.cwd()) or Path.cwd(),
        base=params.get("base"),
        whole=params["pack_all"],
        fmt=params["output_format"],
        output=Path(params["output"]) if params.get("output") else None,
    )
    return run(settings, job, out=stdout_console())
