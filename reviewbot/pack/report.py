"""``reviewbot pack`` output: a table or JSON describing the pack, or the pack itself."""

from __future__ import annotations

import json

from reviewbot.pack.model import ContextPack

TABLE_ROWS = 200


def as_json(pack: ContextPack) -> str:
    return json.dumps(pack.to_json(), indent=2, ensure_ascii=False) + "\n"


def as_table(pack: ContextPack, *, rows: int = TABLE_ROWS, width: int = 160) -> str:
    """Plain aligned text (the same bytes on a terminal and in a pipe)."""
    included = len(pack.included)
    lines = [
        f"{pack.mode} pack: {pack.used:,} of {pack.budget:,} tokens used, "
        f"{included} of {len(pack.entries)} candidate files included, "
        f"{len(pack.excluded)} excluded"
    ]
    shown = pack.entries[:rows]
    path_w = min(max((len(e.path) for e in shown), default=4), 60)
    lines.append(f"{'rank':>4}  {'path':<{path_w}}  {'tokens':>8}  {'in':<8}  why")
    for i, e in enumerate(shown, start=1):
        path = e.path if len(e.path) <= path_w else "…" + e.path[-(path_w - 1) :]
        tokens = f"{e.tokens:,}" if e.exact else f"~{e.tokens:,}"
        state: str = (e.role or "yes") if e.included else "no"
        if e.chunks:
            state = "chunks"
        why = e.reasons[0] if e.reasons else ""
        row = f"{i:>4}  {path:<{path_w}}  {tokens:>8}  {state:<8}  {why}"
        lines.append(row if len(row) <= width else row[: width - 1] + "…")
    if len(pack.entries) > rows:
        lines.append(f"… {len(pack.entries) - rows} more (use --format json for all)")
    return "\n".join(lines) + "\n"


def as_document(pack: ContextPack, style: str) -> str:
    """The packed context itself, in the style it was rendered in."""
    text = pack.text
    if style == "xml":
        return f'<context budget="{pack.budget}" used="{pack.used}">\n{text}</context>\n'
    return text
