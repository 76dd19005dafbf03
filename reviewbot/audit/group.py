"""Grouping files into audit units: related files together, each unit within the budget.

1. Every folder starts as one group (its own files, not its subfolders). A folder larger
   than the cap is cut into parts in path order (``foo.c`` next to ``foo.h``); a single
   file larger than the cap is a unit of its own (packed as excerpts when it runs).
2. Groups are joined greedily, strongest link first, while the joined group fits the cap:
   * an import link (a file of one imports a file of the other) weighs 1 per link; links
     to widely imported files (``HUB_FAN_IN``) do not count: a shared dependency says
     little about which files belong together;
   * a folder and its nearest ancestor folder with files weigh ``PARENT_LINK``;
     neighbouring sibling folders and the parts of one folder ``SIBLING_LINK``.
   Ties go to the smaller joined group, then to path order, so the result is deterministic.

Every group keeps the reasons it was formed, which the plan shows.
"""

from __future__ import annotations

import heapq
import itertools
import posixpath
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

HUB_FAN_IN = 8
PARENT_LINK = 1.0
SIBLING_LINK = 0.5
MAX_REASONS = 6


@dataclass(frozen=True)
class Group:
    paths: tuple[str, ...]
    tokens: int
    reasons: tuple[str, ...]
    label: str  # the first folder (or part of one) the group grew from
    joins: int = 0  # groups joined into it
    oversized: bool = False  # one file larger than the cap


@dataclass
class _Node:
    paths: list[str]
    tokens: int
    label: str
    reasons: list[str]
    joins: int = 0
    oversized: bool = False


def folder_of(path: str) -> str:
    return posixpath.dirname(path)


def _shown(folder: str) -> str:
    return folder or "(repository root)"


def initial_groups(tokens: Mapping[str, int], cap: int) -> list[_Node]:
    """One group per folder; folders over the cap cut into parts in path order."""
    folders: dict[str, list[str]] = {}
    for path in sorted(tokens):
        folders.setdefault(folder_of(path), []).append(path)
    nodes: list[_Node] = []
    for folder in sorted(folders):
        paths = folders[folder]
        total = sum(tokens[p] for p in paths)
        if total <= cap:
            nodes.append(_Node(paths, total, _shown(folder), [f"folder {_shown(folder)}"]))
            continue
        parts: list[list[str]] = [[]]
        used = 0
        for path in paths:
            if parts[-1] and used + tokens[path] > cap:
                parts.append([])
                used = 0
            parts[-1].append(path)
            used += tokens[path]
        for i, part in enumerate(parts, start=1):
            size = sum(tokens[p] for p in part)
            label = f"{_shown(folder)} (part {i}/{len(parts)})"
            why = [
                f"part {i} of {len(parts)} of folder {_shown(folder)}: the folder is "
                f"~{total:,} tokens, over the unit budget of {cap:,}"
            ]
            big = len(part) == 1 and size > cap
            if big:
                why.append(f"{part[0]} alone is ~{size:,} tokens: it is packed as excerpts")
            nodes.append(_Node(part, size, label, why, oversized=big))
    return nodes


def group(
    tokens: Mapping[str, int],
    edges: Iterable[tuple[str, str]],
    cap: int,
    *,
    fan_in: Mapping[str, int] | None = None,
) -> list[Group]:
    """Units of related files (see the module's docstring), in no particular order."""
    nodes = initial_groups(tokens, cap)
    owner: dict[str, int] = {p: i for i, n in enumerate(nodes) for p in n.paths}
    links: dict[int, dict[int, float]] = {i: {} for i in range(len(nodes))}
    imports: dict[tuple[int, int], int] = {}

    def link(a: int, b: int, weight: float) -> None:
        if a == b:
            return
        links[a][b] = links[a].get(b, 0.0) + weight
        links[b][a] = links[b].get(a, 0.0) + weight

    counts = fan_in or {}
    for source, target in edges:
        if source not in owner or target not in owner or counts.get(target, 0) > HUB_FAN_IN:
            continue
        a, b = owner[source], owner[target]
        if a != b:
            link(a, b, 1.0)
            key = (min(a, b), max(a, b))
            imports[key] = imports.get(key, 0) + 1
    _tree_links(nodes, link)

    heap: list[tuple[float, int, str, int, int]] = []

    def push(a: int, b: int) -> None:
        joined = nodes[a].tokens + nodes[b].tokens
        if joined <= cap:
            first = min(nodes[a].paths[0], nodes[b].paths[0])
            heapq.heappush(heap, (-links[a][b], joined, first, min(a, b), max(a, b)))

    for a in links:
        for b in links[a]:
            if a < b:
                push(a, b)
    alive = set(range(len(nodes)))
    while heap:
        weight, joined, _, a, b = heapq.heappop(heap)
        if a not in alive or b not in alive or links[a].get(b) != -weight:
            continue
        if nodes[a].tokens + nodes[b].tokens != joined or joined > cap:
            continue
        _join(nodes, a, b, -weight, imports.get((a, b), 0))
        alive.discard(b)
        for n, w in links.pop(b).items():
            del links[n][b]
            if n != a:
                links[a][n] = links[a].get(n, 0.0) + w
                links[n][a] = links[a][n]
                key = (min(a, n), max(a, n))
                imports[key] = imports.get(key, 0) + imports.pop((min(b, n), max(b, n)), 0)
        links[a].pop(a, None)
        for n in links[a]:
            push(a, n)
    return [_finish(nodes[i]) for i in sorted(alive)]


def _tree_links(nodes: list[_Node], link: Callable[[int, int, float], None]) -> None:
    """Parent and sibling links between folder groups (see the module's docstring)."""
    by_folder: dict[str, list[int]] = {}
    for i, node in enumerate(nodes):
        by_folder.setdefault(folder_of(node.paths[0]), []).append(i)
    children: dict[str, list[str]] = {}
    for folder, ids in by_folder.items():
        for x, y in itertools.pairwise(ids):  # parts of one folder
            link(x, y, SIBLING_LINK)
        if not folder:
            continue
        parent = folder_of(folder)
        while parent not in by_folder and parent:
            parent = folder_of(parent)
        if parent in by_folder:
            link(ids[0], by_folder[parent][0], PARENT_LINK)
        children.setdefault(parent, []).append(folder)
    for kids in children.values():
        kids.sort()
        for left, right in itertools.pairwise(kids):
            link(by_folder[left][0], by_folder[right][0], SIBLING_LINK)


def _join(nodes: list[_Node], a: int, b: int, weight: float, import_links: int) -> None:
    keep, gone = nodes[a], nodes[b]
    if import_links:
        why = f"joined with {gone.label}: {import_links} import link(s)"
    elif weight >= PARENT_LINK:
        why = f"joined with {gone.label}: parent and subfolder"
    else:
        why = f"joined with {gone.label}: neighbouring folder"
    keep.joins += 1
    if len(keep.reasons) < MAX_REASONS:
        keep.reasons.append(why)
    keep.reasons.extend(r for r in gone.reasons[:1] if len(keep.reasons) < MAX_REASONS)
    keep.paths = sorted(keep.paths + gone.paths)
    keep.tokens += gone.tokens


def _finish(node: _Node) -> Group:
    reasons = list(node.reasons)
    hidden = node.joins - sum(1 for r in reasons if r.startswith("joined with"))
    if hidden > 0:
        reasons.append(f"(+{hidden} more join(s))")
    return Group(
        tuple(node.paths), node.tokens, tuple(reasons), node.label, node.joins, node.oversized
    )
