"""`reviewbot learnings list|forget`: the rules in the repository's learnings issue."""

from __future__ import annotations

import os
from pathlib import Path

import click

from reviewbot.cli.options import CONTEXT, stdout_console
from reviewbot.repo.gitcmd import find_root


@click.group(context_settings=CONTEXT)
@click.option(
    "--repo", metavar="OWNER/NAME", help="Repository (default: GITHUB_REPOSITORY, origin)."
)
@click.pass_context
def learnings(ctx: click.Context, repo: str | None) -> None:
    """What maintainers taught reviewbot: the rules in the repository's learnings issue.

    Needs GITHUB_TOKEN (or GH_TOKEN); GITHUB_API_URL for GitHub Enterprise.
    """
    from reviewbot.commands.learnings import repository

    ctx.obj = repository(repo, os.environ, find_root(Path.cwd()))


@learnings.command("list", context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def learnings_list(ctx: click.Context, as_json: bool) -> int:
    """List the learnings (and any row that cannot be read)."""
    from reviewbot.commands.learnings import list_learnings

    return list_learnings(ctx.obj, dict(os.environ), out=stdout_console(), as_json=as_json)


@learnings.command("forget", context_settings=CONTEXT)
@click.argument("ident", metavar="ID")
@click.pass_context
def learnings_forget(ctx: click.Context, ident: str) -> int:
    """Remove learning ID (e.g. L3); its feedback will not teach it again."""
    from reviewbot.commands.learnings import forget

    return forget(ctx.obj, ident, dict(os.environ), out=stdout_console())
