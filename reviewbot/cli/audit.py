"""`reviewbot audit` and `reviewbot audit merge`: their flags, read into a job for the front end."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from reviewbot.cli.options import (
    CONTEXT,
    build_settings,
    model_flags,
    model_options,
    require_root,
    stderr_console,
    stdout_console,
)


@click.group(context_settings=CONTEXT, invoke_without_command=True)
@click.option("--shard", metavar="I/N", help="Run the I-th of N deterministic shards (1-based).")
@click.option("--plan", is_flag=True, help="Print the audit plan without calling the model.")
@click.option("--since", metavar="REF", help="Audit only units touched since REF.")
@click.option("--issue", is_flag=True, help="Upsert one tracking issue on GitHub.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["sarif", "markdown", "json", "text"]),
    default="sarif",
    show_default=True,
    help="Output format.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write output to FILE.")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
@click.option("-v", "--verbose", is_flag=True, help="One line per unit and step.")
@model_options
@click.pass_context
def audit(ctx: click.Context, /, **params: Any) -> int | None:
    """Audit the whole repository, ranked by risk, optionally as one shard of N.

    `reviewbot audit merge FILES... -o OUT` combines shard outputs.
    """
    if ctx.invoked_subcommand is not None:
        return None
    from reviewbot.commands.audit import AuditRun, run

    # The API key is asked for only when a unit is about to run: a --since refresh that
    # finds nothing touched, or --plan, needs none.
    settings = build_settings(ctx, model_flags(params))
    job = AuditRun(
        root=require_root(),
        shard=params.get("shard"),
        plan_only=params["plan"],
        since=params.get("since"),
        issue=params["issue"],
        fmt=params["output_format"],
        output=Path(params["output"]) if params.get("output") else None,
        quiet=params["quiet"],
        verbose=params["verbose"],
        live=sys.stderr.isatty(),
    )
    return run(settings, job, dict(os.environ), out=stdout_console(), err=stderr_console())


@audit.command("merge", context_settings=CONTEXT)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["sarif", "markdown", "json"]),
    help="Output format (default: from the -o suffix, else json).",
)
@click.option("--issue", is_flag=True, help="Upsert the tracking issue from the merged result.")
def audit_merge(files: tuple[str, ...], output: str, output_format: str | None, issue: bool) -> int:
    """Combine the outputs of sharded audits into one, deduplicated by fingerprint."""
    from reviewbot.commands.audit import merge

    return merge(
        [Path(f) for f in files],
        Path(output),
        output_format,
        issue=issue,
        environ=dict(os.environ),
        out=stderr_console(),
    )
