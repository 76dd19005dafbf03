"""`reviewbot github`: its flags, read into a job for the front end."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from reviewbot.cli.options import (
    CONTEXT,
    model_flags,
    model_options,
    stderr_console,
    stdout_console,
)
from reviewbot.config import FAIL_LEVELS, SEVERITIES, load_settings


@click.command(context_settings=CONTEXT)
@click.option("--fail-on", type=click.Choice(FAIL_LEVELS), help="Fail the job at this severity.")
@click.option("--max-comments", type=int, metavar="N", help="Most inline comments to post.")
@click.option("--min-severity", type=click.Choice(SEVERITIES), help="Drop findings below this.")
@click.option(
    "--dry-run", is_flag=True, help="Review but post nothing; print what would be posted."
)
@model_options
@click.pass_context
def github(ctx: click.Context, /, **params: Any) -> int:
    """Review a pull request inside GitHub Actions and post one review.

    Reads GITHUB_EVENT_PATH, GITHUB_EVENT_NAME, GITHUB_REPOSITORY, GITHUB_TOKEN and
    GITHUB_API_URL; writes GITHUB_STEP_SUMMARY and GITHUB_OUTPUT.
    """
    from reviewbot.commands.github import run
    from reviewbot.github.action import GitHubRun

    flags = {
        **model_flags(params),
        "fail_on": params.get("fail_on"),
        "max_comments": params.get("max_comments"),
        "min_severity": params.get("min_severity"),
    }
    # The checkout holds the pull request's head: config files (and --config FILE) are read
    # from its base commit by `github.action`, so only the environment and flags count here.
    settings = load_settings(root=None, env=os.environ, flags=flags)
    config_file = ctx.find_root().params.get("config_file")
    job = GitHubRun(dry_run=params["dry_run"], workdir=Path.cwd(), config_path=config_file)
    return run(settings, job, dict(os.environ), out=stdout_console(), err=stderr_console())
