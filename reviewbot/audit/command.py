"""`reviewbot audit` and `reviewbot audit merge` (land with issue 8)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from reviewbot.config import Settings
from reviewbot.errors import NotAvailableError


@dataclass(frozen=True)
class AuditRun:
    root: Path
    shard: str | None
    plan_only: bool
    since: str | None
    issue: bool
    fmt: str
    output: Path | None
    quiet: bool
    verbose: bool
    live: bool


def _later(what: str) -> NotAvailableError:
    return NotAvailableError(
        f"`reviewbot {what}` is not available in this version yet",
        hint="`reviewbot --help` lists what works now",
    )


def run(
    settings: Settings, job: AuditRun, environ: Mapping[str, str], *, out: Console, err: Console
) -> int:
    raise _later("audit")


def merge(files: list[Path], output: Path, fmt: str | None) -> int:
    raise _later("audit merge")
