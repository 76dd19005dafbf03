"""Mermaid flowcharts built from values, never from pasted text.

Every label goes through ``label``: characters outside a small safe set become Mermaid
entity codes (``#35;``), so no label can close its quotes, open a directive (``%%{``),
start Markdown (a backtick), inject HTML or end the Markdown code fence the diagram sits
in. Identifiers of nodes and groups are generated (``n1``, ``g1``), never taken from
the repository.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

MAX_LABEL = 60
_SAFE = re.compile(r"[A-Za-z0-9 _.,:/()\-]")
NodeStyle = Literal["added", "changed", "context"]

# Colours readable on GitHub's light and dark themes (GitHub's own diff palette).
_CLASSES = {
    "added": "fill:#dafbe1,stroke:#1a7f37,color:#0b3d1c",
    "changed": "fill:#fff8c5,stroke:#9a6700,color:#3b2300",
    "context": "fill:#f6f8fa,stroke:#57606a,color:#24292f",
}


def label(text: str, limit: int = MAX_LABEL) -> str:
    """``text`` as a quoted Mermaid label: one line, at most ``limit`` characters shown,
    everything but letters, digits and ``_.,:/()- `` written as an entity code."""
    flat = " ".join(text.split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    shown = "".join(c if _SAFE.fullmatch(c) else f"#{ord(c)};" for c in flat)
    return '"' + (shown or "#160;") + '"'  # Mermaid refuses an empty label


@dataclass(frozen=True)
class Node:
    key: str  # the caller's own key (any text); the diagram's ids are generated
    text: str
    group: str  # the group's title, e.g. a file path ("" for none)
    style: NodeStyle = "context"


@dataclass(frozen=True)
class Edge:
    source: str  # Node.key
    target: str


def flowchart(nodes: Sequence[Node], edges: Sequence[Edge], direction: str = "LR") -> str:
    """A flowchart: nodes grouped in subgraphs by ``group``, edges between known keys."""
    if direction not in ("LR", "TD", "RL", "BT"):
        raise ValueError(f"unknown direction {direction!r}")
    ids = {node.key: f"n{i}" for i, node in enumerate(nodes, start=1)}
    groups: dict[str, list[Node]] = {}
    for node in nodes:
        groups.setdefault(node.group, []).append(node)
    out = [f"flowchart {direction}"]
    for number, (title, members) in enumerate(groups.items(), start=1):
        indent = "  "
        if title:
            out.append(f"  subgraph g{number}[{label(title, 80)}]")
            indent = "    "
        out += [f"{indent}{ids[n.key]}[{label(n.text)}]" for n in members]
        if title:
            out.append("  end")
    seen: set[tuple[str, str]] = set()
    for edge in edges:
        pair = (ids.get(edge.source, ""), ids.get(edge.target, ""))
        if "" in pair or pair in seen:
            continue
        seen.add(pair)
        out.append(f"  {pair[0]} --> {pair[1]}")
    used = {n.style for n in nodes}
    out += [f"  classDef {name} {css}" for name, css in _CLASSES.items() if name in used]
    for name in _CLASSES:
        styled = [ids[n.key] for n in nodes if n.style == name]
        if styled:
            out.append(f"  class {','.join(styled)} {name}")
    return "\n".join(out) + "\n"
