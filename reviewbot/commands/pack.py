"""`reviewbot pack`: show or write the context the model would see."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rich.console import Console

from reviewbot.config import Settings
from reviewbot.errors import EXIT_OK, UsageError
from reviewbot.pack.api import pack_repository
from reviewbot.pack.report import as_document, as_json, as_table
from reviewbot.publish.output import write_text

PackFormat = Literal["table", "json", "markdown", "xml"]


@dataclass(frozen=True)
class PackJob:
    root: Path
    base: str | None = None
    whole: bool = False
    fmt: PackFormat = "table"
    output: Path | None = None


def run(settings: Settings, job: PackJob, *, out: Console) -> int:
    """Pack, then print or write the description (table, json) or the pack (markdown, xml)."""
    if job.whole and job.base:
        raise UsageError("--base and --all cannot be used together", hint="pick one")
    result = pack_repository(
        job.root,
        settings,
        base=job.base,
        whole=job.whole,
        style="xml" if job.fmt == "xml" else "markdown",
    )
    if job.fmt == "json":
        text = as_json(result)
    elif job.fmt == "table":
        text = as_table(result)
    else:
        text = as_document(result, job.fmt)
    write_text(text, job.output, out)
    return EXIT_OK
