"""What every command shares: where the repository is, the consoles, settings from flags
and environment, and the model flags."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from reviewbot.config import Settings, load_settings
from reviewbot.errors import UsageError
from reviewbot.llm.providers import PROVIDERS
from reviewbot.repo.gitcmd import find_root

F = TypeVar("F", bound=Callable[..., Any])

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def require_root() -> Path:
    root = find_root(Path.cwd())
    if root is None:
        raise UsageError(
            f"{Path.cwd()} is not inside a git repository", hint="run reviewbot in a checkout"
        )
    return root


def relative(root: Path, path: str) -> str:
    """A path argument as a repository-relative path (it may be given from a subfolder)."""
    absolute = (Path.cwd() / path).resolve()
    try:
        return absolute.relative_to(root.resolve()).as_posix()
    except ValueError:
        raise UsageError(f"{path} is outside the repository {root}") from None


def _color_ok() -> bool:
    return "NO_COLOR" not in os.environ


def stdout_console() -> Console:
    # Off a terminal nothing is wrapped: logs and pipes get whole lines.
    return Console(no_color=not _color_ok(), highlight=False, soft_wrap=not sys.stdout.isatty())


def stderr_console() -> Console:
    return Console(stderr=True, no_color=not _color_ok(), highlight=False)


def build_settings(ctx: click.Context, flags: dict[str, Any]) -> Settings:
    """Settings for this invocation: the file, then REVIEWBOT_* env, then ``flags``."""
    config_file = ctx.find_root().params.get("config_file")
    root = find_root(Path.cwd())
    return load_settings(
        root=root,
        env=os.environ,
        flags=flags,
        config_file=Path(config_file) if config_file else None,
    )


def model_options(func: F) -> F:
    """Flags shared by every command that talks to the model."""
    decorators = [
        click.option("--provider", type=click.Choice(sorted(PROVIDERS)), help="Provider preset."),
        click.option("--model", metavar="ID", help="Model id (default: the preset's K2 Thinking)."),
        click.option("--base-url", metavar="URL", help="OpenAI-compatible API base URL."),
        click.option("--max-steps", type=int, metavar="N", help="Most model turns per review."),
        click.option("--max-cost", type=float, metavar="USD", help="Stop when spend reaches this."),
        click.option("--budget", type=int, metavar="TOKENS", help="Tokens for packed context."),
        click.option(
            "--no-verify", "no_verify", is_flag=True, default=None, help="Skip verification pass."
        ),
        click.option(
            "--show-reasoning", is_flag=True, default=None, help="Stream the model's reasoning."
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def model_flags(params: dict[str, Any]) -> dict[str, Any]:
    """Map the shared flags to settings keys (``None`` = flag not given)."""
    return {
        "provider": params.get("provider"),
        "model": params.get("model"),
        "base_url": params.get("base_url"),
        "max_steps": params.get("max_steps"),
        "max_cost": params.get("max_cost"),
        "budget": params.get("budget"),
        "verify": False if params.get("no_verify") else None,
        "show_reasoning": params.get("show_reasoning"),
    }
