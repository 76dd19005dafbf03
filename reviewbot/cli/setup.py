"""`reviewbot install-hook` and `reviewbot config`."""

from __future__ import annotations

import click

from reviewbot.cli.options import (
    CONTEXT,
    build_settings,
    require_root,
    stdout_console,
)
from reviewbot.config import FAIL_LEVELS


@click.command("install-hook", context_settings=CONTEXT)
@click.option("--force", is_flag=True, help="Replace an existing hook (kept as a backup).")
@click.option("--uninstall", is_flag=True, help="Remove the hook and restore the previous one.")
@click.option("--fail-on", type=click.Choice(FAIL_LEVELS), help="Block the push at this severity.")
def install_hook(force: bool, uninstall: bool, fail_on: str | None) -> int:
    """Install a git pre-push hook that reviews the commits being pushed.

    The hook blocks the push when a finding is at or above --fail-on (default: critical).
    Bypass it once with `git push --no-verify` or REVIEWBOT_SKIP=1.
    """
    from reviewbot.commands.hooks import install
    from reviewbot.commands.hooks import uninstall as remove

    root = require_root()
    if uninstall:
        return remove(root, out=stdout_console())
    return install(root, force=force, fail_on=fail_on or "critical", out=stdout_console())


@click.command("config", context_settings=CONTEXT)
@click.pass_context
def config_command(ctx: click.Context) -> int:
    """Print the effective settings and where each value came from (keys masked)."""
    from reviewbot.commands.config import run

    return run(build_settings(ctx, {}), out=stdout_console())
