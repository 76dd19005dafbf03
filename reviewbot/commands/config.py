"""`reviewbot config`: the effective settings and where each value came from (keys masked)."""

from __future__ import annotations

from rich.console import Console

from reviewbot.config import Settings, effective_rows
from reviewbot.errors import EXIT_OK
from reviewbot.publish.output import write_text

VALUE_WIDTH = 48


def run(settings: Settings, *, out: Console) -> int:
    rows = effective_rows(settings)
    width_key = max(len(r[0]) for r in rows)
    width_value = min(max(len(r[1]) for r in rows), VALUE_WIDTH)
    lines = [f"{key:<{width_key}}  {value:<{width_value}}  {source}" for key, value, source in rows]
    write_text("".join(line + "\n" for line in lines), None, out)
    return EXIT_OK
