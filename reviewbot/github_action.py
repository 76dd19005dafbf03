"""`reviewbot github`: review a pull request inside GitHub Actions (lands with issue 7)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from reviewbot.config import Settings
from reviewbot.errors import NotAvailableError


@dataclass(frozen=True)
class GitHubRun:
    dry_run: bool
    workdir: Path


def run(
    settings: Settings, job: GitHubRun, environ: Mapping[str, str], *, out: Console, err: Console
) -> int:
    settings.require_api_key()
    raise NotAvailableError(
        "`reviewbot github` is not available in this version yet",
        hint="`reviewbot --help` lists what works now",
    )
