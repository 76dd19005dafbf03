"""The packer's entry points: ``pack_change`` for a review, ``pack_all`` for an audit.

Data flows one way: tracked files -> path rules -> the change's query (tree-sitter on the
changed files) -> one streaming scan of the candidates' bytes (content rules and evidence)
-> signals -> fused ranking -> budget filling. git is reached only through
``reviewbot.repo`` (a ``Source``: ``RepoView`` or anything shaped like it). The tokenizer
is built on a background thread while git streams the repository.
"""

from __future__ import annotations

import posixpath
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from reviewbot.pack import signals as sig
from reviewbot.pack.attributes import evaluate
from reviewbot.pack.candidates import PathRules
from reviewbot.pack.change import Change
from reviewbot.pack.fill import FillInput, fill
from reviewbot.pack.imports import PathIndex
from reviewbot.pack.learned import shared_prefix
from reviewbot.pack.manifests import is_manifest, read_roots
from reviewbot.pack.model import ContextPack, Excluded
from reviewbot.pack.parallel import PARALLEL_BYTES, Forked, can_fork, merge, split
from reviewbot.pack.query import Query, build_query
from reviewbot.pack.rank import Ranked, fuse, rank_signals
from reviewbot.pack.render import Style
from reviewbot.pack.scan import ScanResult, scan
from reviewbot.pack.tokens import TokenCounter

SCAN_BYTES = 160_000_000  # text read for evidence; beyond it, files nearest the change win
HISTORY_COMMITS = 2000


class _Entry(Protocol):
    @property
    def path(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def kind(self) -> str: ...


class _Commit(Protocol):
    @property
    def sha(self) -> str: ...
    @property
    def date_iso(self) -> str: ...
    @property
    def files(self) -> Sequence[str]: ...


class Source(Protocol):
    """What the packer reads: ``reviewbot.repo.RepoView`` has this shape."""

    def tracked_files(self) -> Sequence[_Entry]: ...
    def read_many(self, paths: Iterable[str]) -> Iterator[tuple[str, bytes]]: ...
    def history(self, max_commits: int = ...) -> Sequence[_Commit]: ...


@dataclass(frozen=True)
class PackOptions:
    budget: int
    max_file_bytes: int = 1_000_000
    exclude: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    style: Style = "markdown"
    scan_bytes: int = SCAN_BYTES
    history_commits: int = HISTORY_COMMITS
    parallel_bytes: int = PARALLEL_BYTES


@dataclass(frozen=True)
class Candidates:
    sizes: dict[str, int]  # packable by path rules
    excluded: dict[str, str]


def candidates(source: Source, options: PackOptions) -> Candidates:
    entries = [e for e in source.tracked_files()]
    excluded: dict[str, str] = {}
    files = {e.path: e.size for e in entries if e.kind == "file"}
    for e in entries:
        if e.kind != "file":
            excluded[e.path] = e.kind
    attr_files = [p for p in files if posixpath.basename(p) == ".gitattributes"]
    texts = {p: d.decode("utf-8", "replace") for p, d in source.read_many(attr_files)}
    attributes = evaluate(texts, files)
    rules = PathRules.build(
        max_file_bytes=options.max_file_bytes, exclude=options.exclude, deny=options.deny
    )
    sizes: dict[str, int] = {}
    for path, size in files.items():
        reason = rules.reason(path, size, attributes.get(path))
        if reason is None:
            sizes[path] = size
        else:
            excluded[path] = reason
    return Candidates(sizes, excluded)


def scan_order(paths: Iterable[str], first: Iterable[str], near: Iterable[str]) -> list[str]:
    """``first`` paths, then the rest by how much folder they share with ``near``."""
    anchors = [p.split("/")[:-1] for p in near]
    head = [p for p in first]
    seen = set(head)

    def closeness(path: str) -> int:
        parts = path.split("/")[:-1]
        return max((shared_prefix(parts, a) for a in anchors), default=0)

    rest = sorted((p for p in paths if p not in seen), key=lambda p: (-closeness(p), p))
    return head + rest


# Text that is rarely review context and costly to scan: candidates still, ranked by path.
UNSCANNED = (".po", ".pot", ".svg", ".csv", ".tsv", ".ipynb", ".xliff", ".resx")


def _within(order: list[str], sizes: dict[str, int], limit: int) -> list[str]:
    out: list[str] = []
    total = 0
    for path in order:
        if path.lower().endswith(UNSCANNED):
            continue
        total += sizes[path]
        if total > limit and out:
            break
        out.append(path)
    return out


class _Background:
    """Runs ``git log`` on a thread: it waits on a pipe while the scan uses the CPU."""

    def __init__(self, source: Source, commits: int) -> None:
        self.result: list[sig.Commit] = []
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(source, commits), daemon=True)
        self.thread.start()

    def _run(self, source: Source, commits: int) -> None:
        try:
            self.result = [
                sig.Commit(c.sha, c.date_iso, tuple(c.files)) for c in source.history(commits)
            ]
        except BaseException as exc:  # noqa: BLE001 - re-raised on the caller's thread
            self.error = exc

    def get(self) -> list[sig.Commit]:
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.result


def _index(source: Source, cands: Candidates) -> PathIndex:
    """Tracked paths, and where the repository's own modules live (go.mod, Cargo.toml,
    tsconfig.json, package.json): what import resolution needs."""
    manifests = [p for p in cands.sizes if is_manifest(p)]
    return PathIndex(cands.sizes, read_roots(source.read_many(manifests)))


@dataclass(frozen=True)
class _Plan:
    cands: Candidates
    index: PathIndex
    query: Query
    others: list[str]
    chosen: list[str]


def _plan(source: Source, change: Change, options: PackOptions) -> _Plan:
    """Candidates, the query and the files to scan: the same in the worker and here."""
    cands = candidates(source, options)
    present = [p for p in change.paths if p in cands.sizes]
    contents = dict(source.read_many(present))
    index = _index(source, cands)
    query = build_query(change, contents, index)
    others = [p for p in cands.sizes if p not in query.changed]
    order = scan_order(others, sorted(p for p in query.forward if p in cands.sizes), present)
    return _Plan(cands, index, query, others, _within(order, cands.sizes, options.scan_bytes))


def _their_part(source: Source, change: Change, options: PackOptions) -> ScanResult:
    plan = _plan(source, change, options)
    _, theirs = split(plan.chosen, plan.cands.sizes, options.parallel_bytes)
    return scan(source.read_many(theirs), plan.query, plan.index)


def rank_change(
    source: Source,
    change: Change,
    options: PackOptions,
    *,
    history: Sequence[sig.Commit] | None = None,
    counter: TokenCounter | None = None,
    parallel: bool = False,
) -> tuple[list[Ranked], Candidates, Query, ScanResult, dict[str, sig.Signal]]:
    """Signals and fused ranking for ``change`` (the changed files themselves excluded).

    With ``parallel``, a forked worker (started before any thread of ours) plans the same
    scan and takes its share of it while this process builds the tokenizer, reads the
    history and scans the rest.
    """
    worker = Forked(lambda: _their_part(source, change, options)) if parallel else None
    if counter is not None:
        counter.start()
    background = _Background(source, options.history_commits) if history is None else None
    plan = _plan(source, change, options)
    mine, _ = split(plan.chosen, plan.cands.sizes, options.parallel_bytes if worker else None)
    result = scan(source.read_many(mine), plan.query, plan.index)
    if worker is not None:
        result = merge(result, worker.result())
    commits = background.get() if background is not None else list(history or ())
    paths = [p for p in plan.others if p not in result.excluded]
    signals: dict[str, sig.Signal] = {
        "imports": sig.imports(plan.query, result),
        "symbols": sig.symbols(plan.query, result),
        "versions": sig.versions(result),
        "lexical": sig.lexical(plan.query, result),
        "description": sig.description(plan.query, result),
        "mentions": sig.mentions(plan.query, paths),
        "cochange": sig.cochange(commits, change.paths),
        "tests": sig.tests(change.paths, paths),
        "guidance": sig.guidance(paths, change.paths),
    }
    allowed = set(paths)
    signals = {name: {p: e for p, e in s.items() if p in allowed} for name, s in signals.items()}
    return rank_signals(signals, change.paths), plan.cands, plan.query, result, signals


def pack_change(
    source: Source,
    change: Change,
    options: PackOptions,
    counter: TokenCounter,
    *,
    history: Sequence[sig.Commit] | None = None,
) -> ContextPack:
    """The context for reviewing ``change``: changed files and diff, ranked context."""
    ranked, cands, query, result, signals = rank_change(
        source, change, options, history=history, counter=counter, parallel=can_fork()
    )
    excluded = {**cands.excluded, **result.excluded}
    sizes = {p: s for p, s in cands.sizes.items() if p not in result.excluded}
    focus = {f.path: f.touched_new for f in change.files}
    return fill(
        FillInput(
            budget=options.budget,
            ranked=ranked,
            sizes=sizes,
            read=source.read_many,
            counter=counter,
            style=options.style,
            changed=[f.path for f in change.files if not f.deleted and f.path in sizes],
            focus_lines=focus,
            focus_names=query.symbols,
            terms=query.terms,
            guidance=frozenset(signals["guidance"]),
            diff_text=change.diff_text,
            excluded=[Excluded(p, r) for p, r in sorted(excluded.items())],
            mode="change",
            base=change.base,
            head=change.head,
        )
    )


def importance(result: ScanResult, *, damping: float = 0.85, rounds: int = 30) -> sig.Signal:
    """PageRank over the import graph (an import passes weight to what it imports)."""
    nodes = sorted(result.evidence)
    edges = {
        p: sorted(t for t in result.evidence[p].imports if t in result.evidence and t != p)
        for p in nodes
    }
    fan_in: dict[str, int] = {p: 0 for p in nodes}
    for targets in edges.values():
        for t in targets:
            fan_in[t] += 1
    n = max(len(nodes), 1)
    rank = {p: 1.0 / n for p in nodes}
    for _ in range(rounds):
        sink = sum(rank[p] for p in nodes if not edges[p]) / n
        nxt = {p: (1 - damping) / n + damping * sink for p in nodes}
        for p in nodes:
            if edges[p]:
                share = damping * rank[p] / len(edges[p])
                for t in edges[p]:
                    nxt[t] += share
        rank = nxt
    return {
        p: sig.Evidence(rank[p] * n, f"imported by {fan_in[p]} file(s) (import-graph centrality)")
        for p in nodes
        if fan_in[p] > 0
    }


def pack_all(source: Source, options: PackOptions, counter: TokenCounter) -> ContextPack:
    """The whole repository by importance (no diff): for audits."""

    def plan() -> tuple[Candidates, PathIndex, list[str]]:
        cands = candidates(source, options)
        order = sorted(cands.sizes, key=lambda p: (p.count("/"), p))  # shallow files first
        return cands, _index(source, cands), _within(order, cands.sizes, options.scan_bytes)

    def their_part() -> ScanResult:
        cands, index, chosen = plan()
        _, theirs = split(chosen, cands.sizes, options.parallel_bytes)
        return scan(source.read_many(theirs), None, index, want_imports=True)

    worker = Forked(their_part) if can_fork() else None
    counter.start()
    cands, index, chosen = plan()
    mine, _ = split(chosen, cands.sizes, options.parallel_bytes if worker else None)
    result = scan(source.read_many(mine), None, index, want_imports=True)
    if worker is not None:
        result = merge(result, worker.result())
    paths = [p for p in cands.sizes if p not in result.excluded]
    small = {
        p: sig.Evidence(1.0 / (1 + cands.sizes[p] / 4000), "small, self-contained file")
        for p in paths
    }
    signals = {
        "references": importance(result),
        "guidance": sig.guidance(paths, ()),
        "size": small,
    }
    ranked = fuse(signals, {"references": 2.0, "guidance": 1.0, "size": 0.3})
    excluded = {**cands.excluded, **result.excluded}
    sizes = {p: s for p, s in cands.sizes.items() if p not in result.excluded}
    return fill(
        FillInput(
            budget=options.budget,
            ranked=ranked,
            sizes=sizes,
            read=source.read_many,
            counter=counter,
            style=options.style,
            guidance=frozenset(signals["guidance"]),
            excluded=[Excluded(p, r) for p, r in sorted(excluded.items())],
            mode="all",
        )
    )
