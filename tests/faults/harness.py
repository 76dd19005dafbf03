"""Reading what a reviewbot run left behind (run directories, saved findings, memory)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def run_dirs(root: Path) -> list[Path]:
    """The run directories under the default place (``.git/reviewbot/runs``), oldest first."""
    base = root / ".git" / "reviewbot" / "runs"
    return sorted(base.iterdir()) if base.is_dir() else []


def saved(root: Path) -> dict[str, Any] | None:
    """``findings.json`` of the latest run in ``root``, or None when there is none."""
    dirs = run_dirs(root)
    if not dirs or not (dirs[-1] / "findings.json").is_file():
        return None
    data: dict[str, Any] = json.loads((dirs[-1] / "findings.json").read_text(encoding="utf-8"))
    return data


def tree_bytes(folder: Path) -> bytes:
    """Every file under ``folder`` concatenated (to search for leaked values)."""
    if not folder.exists():
        return b""
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def rss_kib(pid: int) -> int:
    """The resident set size of a running process now (``VmRSS``), 0 when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0
