"""The changed call paths, from the packer's own parsing (tree-sitter definitions,
imports resolved to tracked paths, references on lines): no model text.

A node is a definition in a changed file: changed by the pull request (``added`` when all
its lines are new, else ``changed``) or an unchanged definition of a changed file
(``context``). An edge ``A -> B`` says that ``A``'s lines refer to ``B``'s name, that
``A``'s file is ``B``'s file or imports it, and that the call is on a changed path: made
on a changed line, or reaching a changed definition. Test files
are left out: the table lists them, and their calls would crowd the picture.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from reviewbot.pack.change import ChangedFile, ChangeSetLike, changed_file
from reviewbot.pack.imports import PathIndex, resolve
from reviewbot.pack.langs import LANGUAGES, Definition, Syntax, spec_for
from reviewbot.pack.signals import _is_test as is_test
from reviewbot.walkthrough.mermaid import Edge, Node, NodeStyle, flowchart

MAX_FILES = 40  # changed files parsed for the graph
MAX_NODES = 24
MAX_EDGES = 40
MAX_FILE_BYTES = 512_000


class _Entry(Protocol):
    @property
    def path(self) -> str: ...


class Source(Protocol):
    """What is read: ``reviewbot.repo.RepoView`` has this shape."""

    def tracked_files(self) -> Sequence[_Entry]: ...
    def read_many(self, paths: Iterable[str]) -> Iterator[tuple[str, bytes]]: ...


@dataclass(frozen=True)
class Symbol:
    path: str
    name: str  # as other code refers to it
    shown: str  # qualified by its class for a method: Cart.total
    kind: str  # function, method, class, ... (the packer's kinds)
    start_line: int
    style: NodeStyle

    @property
    def key(self) -> str:
        return f"{self.path}:{self.start_line}:{self.name}"

    @property
    def text(self) -> str:
        types = ("class", "struct", "type", "interface", "trait", "enum")
        return self.shown if self.kind in types else self.shown + "()"


@dataclass(frozen=True)
class CallGraph:
    symbols: tuple[Symbol, ...]
    calls: tuple[tuple[str, str], ...]  # (caller key, callee key)

    @property
    def files(self) -> frozenset[str]:
        keys = {k for pair in self.calls for k in pair}
        return frozenset(s.path for s in self.symbols if s.key in keys)

    @property
    def crosses_modules(self) -> bool:
        """Whether some call goes from one changed file to another."""
        where = {s.key: s.path for s in self.symbols}
        return any(where[a] != where[b] for a, b in self.calls)

    def mermaid(self) -> str:
        nodes = [Node(s.key, s.text, s.path, s.style) for s in self.symbols]
        return flowchart(nodes, [Edge(a, b) for a, b in self.calls])


@dataclass(frozen=True)
class _Parsed:
    change: ChangedFile
    syntax: Syntax
    imports: frozenset[str]  # tracked paths this file imports
    identifiers: frozenset[str]


def call_graph(source: Source, changes: ChangeSetLike) -> CallGraph:
    """The call paths through the changed definitions of ``changes`` (head side)."""
    files = [changed_file(f) for f in changes.files if not f.binary][:MAX_FILES]
    wanted = [
        f.path
        for f in files
        if not f.deleted and spec_for(f.path) is not None and not is_test(f.path)
    ]
    if not wanted:
        return CallGraph((), ())
    index = PathIndex(e.path for e in source.tracked_files())
    by_path = {f.path: f for f in files}
    parsed: dict[str, _Parsed] = {}
    for path, data in source.read_many(wanted):
        syntax = LANGUAGES.parse(path, data) if len(data) <= MAX_FILE_BYTES else None
        spec = spec_for(path)
        if syntax is None or spec is None:
            continue
        targets = {t for text in syntax.imports for t in resolve(path, text, index)}
        parsed[path] = _Parsed(by_path[path], syntax, frozenset(targets), spec.identifiers)
    return _graph(parsed)


def _own_lines(d: Definition, defs: Sequence[Definition]) -> frozenset[int]:
    """``d``'s lines without those of the definitions directly inside it (a class's
    methods speak for themselves)."""
    lines = set(range(d.start_line, d.end_line + 1))
    for inner in defs:
        if inner.depth == d.depth + 1 and d.start_line < inner.start_line <= d.end_line:
            lines.difference_update(range(inner.start_line, inner.end_line + 1))
    return frozenset(lines)


def _parent(d: Definition, defs: Sequence[Definition]) -> Definition | None:
    if d.depth == 0:
        return None
    return next(
        (o for o in defs if o.depth == d.depth - 1 and o.start_line < d.start_line <= o.end_line),
        None,
    )


def _style(d: Definition, own: frozenset[int], change: ChangedFile) -> NodeStyle:
    """``added`` for a new definition, ``changed`` when its own lines (not those of the
    definitions inside it) were touched, else ``context``."""
    existed = any(d.name in text for text in change.removed_text)
    if all(n in change.added for n in own) and not existed:
        return "added"
    nested = len(own) < d.end_line - d.start_line + 1
    # Lines next to a deletion count for a definition without nested ones: in a class,
    # they are the blank lines between methods, whose own changes speak for themselves.
    touched = change.added if nested else change.touched_new
    return "changed" if any(n in touched for n in own) else "context"


@dataclass(frozen=True)
class _Refs:
    anywhere: frozenset[str]  # names a definition's own lines refer to
    on_changed: frozenset[str]  # names its added lines refer to


def _graph(parsed: dict[str, _Parsed]) -> CallGraph:
    symbols: dict[str, Symbol] = {}
    refs: dict[str, _Refs] = {}
    by_name: dict[str, list[Symbol]] = {}
    for path in sorted(parsed):
        p = parsed[path]
        defs = p.syntax.definitions
        for d in defs:
            if d.depth > 1:
                continue
            own = _own_lines(d, defs)
            outer = _parent(d, defs)
            shown = f"{outer.name}.{d.name}" if outer is not None else d.name
            symbol = Symbol(path, d.name, shown, d.kind, d.start_line, _style(d, own, p.change))
            symbols[symbol.key] = symbol
            by_name.setdefault(d.name, []).append(symbol)
            used = p.syntax.identifiers_on(own, p.identifiers) - {d.name}
            added = p.syntax.identifiers_on(own & p.change.added, p.identifiers)
            refs[symbol.key] = _Refs(frozenset(used), frozenset(added & used))

    def reaches(caller: Symbol, callee: Symbol) -> bool:
        return caller.path == callee.path or callee.path in parsed[caller.path].imports

    # A call is on a changed path when the changed lines make it, or when it reaches a
    # changed definition (the unchanged callers of changed code).
    calls: set[tuple[str, str]] = set()
    for key, names in refs.items():
        caller = symbols[key]
        for name in names.anywhere:
            for callee in by_name.get(name, ()):
                on_path = name in names.on_changed or callee.style != "context"
                if callee.key != key and on_path and reaches(caller, callee):
                    calls.add((key, callee.key))
    return _trim(symbols, calls)


def _trim(symbols: dict[str, Symbol], calls: set[tuple[str, str]]) -> CallGraph:
    """At most MAX_EDGES calls between at most MAX_NODES symbols: calls between files
    first (they are what the diagram is for), then calls within a file."""
    where = {k: s.path for k, s in symbols.items()}
    ordered = sorted(calls, key=lambda c: (where[c[0]] == where[c[1]], c))
    kept: list[tuple[str, str]] = []
    nodes: dict[str, None] = {}
    for a, b in ordered:
        new = [k for k in (a, b) if k not in nodes]
        if len(nodes) + len(new) > MAX_NODES or len(kept) >= MAX_EDGES:
            continue
        nodes.update(dict.fromkeys(new))
        kept.append((a, b))
    chosen = sorted((symbols[k] for k in nodes), key=lambda s: (s.path, s.start_line))
    return CallGraph(tuple(chosen), tuple(sorted(kept)))
