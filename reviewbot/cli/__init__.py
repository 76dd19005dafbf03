"""Command line: flags, environment and config files merged once; errors -> exit codes.

This package is the only reader of flags and ``os.environ``: one module per command reads
its flags into ``Settings`` and a job value and calls the command's front end in
``reviewbot.commands``; ``main`` turns every failure into one line and an exit code.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence

import click

from reviewbot import __version__
from reviewbot.cli.audit import audit
from reviewbot.cli.eval import eval_command
from reviewbot.cli.github import github
from reviewbot.cli.learnings import learnings
from reviewbot.cli.options import CONTEXT
from reviewbot.cli.review import pack, review
from reviewbot.cli.setup import config_command, install_hook
from reviewbot.errors import EXIT_RUNTIME, EXIT_USAGE, ReviewbotError


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "--version", "-V", prog_name="reviewbot")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="The repository's config file (default: .reviewbot.toml or [tool.reviewbot] in "
    "pyproject.toml); trusted like it.",
)
def cli(debug: bool, config_file: str | None) -> None:
    """reviewbot: code review by Kimi K2 Thinking, on pull requests, before you push,
    and as scheduled whole-repository audits.

    \b
    Settings come from defaults < your ~/.config/reviewbot/config.toml < the repository's
    .reviewbot.toml (or [tool.reviewbot] in pyproject.toml) < REVIEWBOT_* environment
    variables < flags. Provider, base URL, run_dir, tokenizer and prices never come from a
    repository's file. `reviewbot config` shows the result.
    Exit codes: 0 ok, 1 findings at or above --fail-on, 2 usage or configuration error,
    3 runtime failure (model, git, GitHub).
    """


for _command in (
    review,
    pack,
    github,
    audit,
    eval_command,
    install_hook,
    learnings,
    config_command,
):
    cli.add_command(_command)


def _wants_debug(argv: Sequence[str]) -> bool:
    return "--debug" in argv or os.environ.get("REVIEWBOT_DEBUG", "") not in ("", "0")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the command and turn every failure into one line and an exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = _wants_debug(args)
    try:
        result = cli.main(args=args, prog_name="reviewbot", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("reviewbot: aborted", err=True)
        return 130
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else "reviewbot"
        message = " ".join(exc.format_message().split())
        click.echo(f"reviewbot: {message} (see `{where} --help`)", err=True)
        return EXIT_USAGE
    except click.ClickException as exc:
        click.echo(f"reviewbot: {' '.join(exc.format_message().split())}", err=True)
        return EXIT_USAGE
    except ReviewbotError as exc:
        if debug:
            traceback.print_exc()
        click.echo(f"reviewbot: {exc.one_line()}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("reviewbot: interrupted", err=True)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last resort: one line, never a traceback
        if debug:
            traceback.print_exc()
        click.echo(
            f"reviewbot: internal error: {type(exc).__name__}: {exc}; "
            "rerun with --debug and report it",
            err=True,
        )
        return EXIT_RUNTIME
    return result if isinstance(result, int) else 0
