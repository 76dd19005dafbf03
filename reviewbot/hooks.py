"""`reviewbot install-hook`: a git pre-push hook (lands with issue 10)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from reviewbot.errors import NotAvailableError


def install(root: Path, *, force: bool, fail_on: str, out: Console) -> int:
    raise NotAvailableError(
        "`reviewbot install-hook` is not available in this version yet",
        hint="`reviewbot --help` lists what works now",
    )


def uninstall(root: Path, *, out: Console) -> int:
    return install(root, force=False, fail_on="critical", out=out)
