"""Relevance signals. Each maps a path to a score and a sentence saying why.

* ``imports``: imports both ways, and the change's Go or Java package (tree-sitter on the
  changed files, line patterns on the rest, resolved with the repository's manifests);
* ``symbols``: files defining what the change uses (string keys included) or using what
  it defines or takes away;
* ``versions``: files naming a version string the change replaces;
* ``lexical``: BM25 of each file against the diff's identifiers;
* ``description``: BM25 of each file against the words of the change's description (a
  pull request's title and body, or the commit messages);
* ``mentions``: files the description names (``client`` names ``client.py``);
* ``cochange``: files committed together with the changed files, recent commits first,
  bulk commits ignored;
* ``tests``: tests of the changed modules (and the module under a changed test);
* ``guidance``: AGENTS.md, CLAUDE.md, REVIEW.md, CONTRIBUTING.md and friends.

Scores summed over sets use ``math.fsum``: a set iterates in an order salted per process,
and a plain sum would then differ in its last bits from one run to the next, enough to
swap two files whose evidence ties (and change the prompt a second review would send).
"""

from __future__ import annotations

import math
import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from reviewbot.pack.pairing import TestIndex, is_test, pair_signal
from reviewbot.pack.query import Query
from reviewbot.pack.scan import ScanResult


@dataclass(frozen=True)
class Evidence:
    score: float
    reason: str


Signal = dict[str, Evidence]


def idf(df: int, n: int) -> float:
    return math.log((n - df + 0.5) / (df + 0.5) + 1.0)


def _names(items: Iterable[str], limit: int = 3) -> str:
    ordered = sorted(items)
    more = f" (+{len(ordered) - limit})" if len(ordered) > limit else ""
    return ", ".join(ordered[:limit]) + more


def imports(query: Query, scan: ScanResult) -> Signal:
    """Direct links to the change: files a changed file imports, files importing a changed
    file, and files of a changed file's Go or Java package (linked without an import)."""
    paths = set(query.forward) | set(query.mates)
    paths |= {p for p, e in scan.evidence.items() if e.imports_changed}
    out: Signal = {}
    for path in sorted(paths - query.changed):
        ev = scan.evidence.get(path)
        score = 0.0
        why: list[str] = []
        importers = query.forward.get(path)
        if importers:
            score += 4.0 + len(importers) / 4
            why.append(f"imported by {_names(importers)}")
        if ev is not None and ev.imports_changed:
            score += 4.0 + len(ev.imports_changed) / 4
            why.append(f"imports {_names(ev.imports_changed)}")
        mates = query.mates.get(path)
        if mates:
            score += 1.0
            why.append(f"same package as {_names(mates)}")
        out[path] = Evidence(score, "; ".join(why))
    return out


def symbols(query: Query, scan: ScanResult) -> Signal:
    """Files defining what the change uses (callees) or using what it defines (callers),
    weighted by how rare each name is."""
    n = max(scan.scanned, 1)
    out: Signal = {}
    for path, ev in sorted(scan.evidence.items()):
        if path in query.changed or not (ev.defines or ev.uses):
            continue
        score = 0.0
        why: list[str] = []
        if ev.defines:
            score += 1.5 * math.fsum(idf(scan.df.get(s.encode(), 1), n) for s in ev.defines)
            why.append(f"defines {_names(ev.defines)} used by the change")
        if ev.uses:
            score += math.fsum(idf(scan.df.get(s.encode(), 1), n) for s in ev.uses)
            why.append(f"uses {_names(ev.uses)} changed by the change")
        if score > 0:
            out[path] = Evidence(score, "; ".join(why))
    return out


def versions(scan: ScanResult) -> Signal:
    """Files naming a version the change replaces (version files, install docs)."""
    return {
        p: Evidence(
            len(e.versions), f"names version {_names(e.versions)}, which the change replaces"
        )
        for p, e in scan.evidence.items()
        if e.versions
    }


def _bm25(
    terms: Mapping[bytes, float], query: Query, scan: ScanResult, k1: float, b: float
) -> dict[str, dict[bytes, float]]:
    """Per file, each of ``terms``' BM25 part (files with none of them left out)."""
    n = max(scan.scanned, 1)
    avg = scan.total_words / n if n else 1.0
    out: dict[str, dict[bytes, float]] = {}
    for path, ev in scan.evidence.items():
        if not ev.tf or path in query.changed:
            continue
        norm = k1 * (1 - b + b * ev.words / max(avg, 1.0))
        parts = {
            t: idf(scan.df[t], n) * terms[t] * tf * (k1 + 1) / (tf + norm)
            for t, tf in ev.tf.items()
            if t in terms  # the scan counts the diff's and the description's terms
        }
        if parts:
            out[path] = parts
    return out


def _top(parts: Mapping[bytes, float]) -> str:
    return _names((t.decode() for t in sorted(parts, key=lambda t: (-parts[t], t))[:3]), 3)


def lexical(query: Query, scan: ScanResult, *, k1: float = 1.2, b: float = 0.75) -> Signal:
    """BM25 of each file against the diff's identifiers."""
    return {
        path: Evidence(
            math.fsum(parts.values()), "shares identifiers with the diff: " + _top(parts)
        )
        for path, parts in _bm25(query.terms, query, scan, k1, b).items()
    }


# A description word in more than this share of the scanned files (and in more than two)
# names none of them: prose ("when", "also", "memory") would put every file in the signal.
DESCRIPTION_MAX_DF = 0.05
# Files the description signal names at most, best first: more than a window holds, and
# in a large tree its long tail would only cost time in the ranking.
DESCRIPTION_FILES = 500


def description(
    query: Query,
    scan: ScanResult,
    *,
    k1: float = 1.2,
    b: float = 0.75,
    limit: int = DESCRIPTION_FILES,
) -> Signal:
    """BM25 of each file against the description's words that few files have (a word
    counts once per file: ``scan`` finds prose words, it does not count them); the best
    ``limit`` files."""
    most = max(DESCRIPTION_MAX_DF * scan.scanned, 2)
    rare = {t: w for t, w in query.described.items() if scan.df.get(t, 0) <= most}
    found = _bm25(rare, query, scan, k1, b)
    score = {path: math.fsum(parts.values()) for path, parts in found.items()}
    best = sorted(score, key=lambda p: (-score[p], p))[:limit]
    return {
        p: Evidence(score[p], "shares words with the description: " + _top(found[p])) for p in best
    }


# Stems too common to name one file: "fix main" or "update index" names none of them.
_UNNAMEABLE = frozenset(["__init__", "__main__", "conftest", "index", "main", "mod", "lib"])


def stem(path: str) -> str:
    """A file's name as prose would say it: ``client`` for ``src/Client.test.ts``."""
    return path.rpartition("/")[2].split(".", 1)[0].lower()


def mentions(query: Query, paths: Iterable[str]) -> Signal:
    """Files the description names (``"retry logic in client.py"`` names ``client.*``),
    shared by all files of that name; changed files and entry-point names left out."""
    words = {w.decode().lower() for w in query.described}
    if not words:
        return {}
    groups: dict[str, list[str]] = {}
    for path in paths:
        name = stem(path)
        nameable = len(name) >= 4 and name not in _UNNAMEABLE
        if nameable and name in words and path not in query.changed:
            groups.setdefault(name, []).append(path)
    return {
        p: Evidence(1.0 / len(group), f"the description names {name}")
        for name, group in groups.items()
        for p in group
    }


@dataclass(frozen=True)
class Commit:
    sha: str
    date: str
    files: tuple[str, ...]


def cochange(
    history: Sequence[Commit],
    changed: Iterable[str],
    *,
    bulk: int = 50,
    half_life: float = 250.0,
) -> Signal:
    """``history`` newest first. A commit of ``n`` files adds ``decay / (n - 1)`` to each
    partner of a changed file: small focused commits say more than big ones."""
    targets = set(changed)
    score: dict[str, float] = {}
    count: dict[str, int] = {}
    last: dict[str, str] = {}
    for age, commit in enumerate(history):
        files = set(commit.files)
        if len(files) > bulk or len(files) < 2:
            continue
        hit = files & targets
        if not hit:
            continue
        decay = 0.5 ** (age / half_life)
        for path in files - targets:
            score[path] = score.get(path, 0.0) + decay * len(hit) / (len(files) - 1)
            count[path] = count.get(path, 0) + 1
            last.setdefault(path, commit.sha[:10])
    return {
        p: Evidence(
            s, f"changed together with the change's files in {count[p]} commit(s), latest {last[p]}"
        )
        for p, s in score.items()
    }


def tests(changed: Iterable[str], paths: Iterable[str]) -> Signal:
    """Tests of the changed modules, and the modules changed tests are about
    (``reviewbot.pack.pairing`` knows each language's conventions)."""
    found = pair_signal(changed, TestIndex(paths))
    return {p: Evidence(pair.score, pair.reason) for p, pair in found.items()}


_is_test = is_test  # the name other packages import


GUIDANCE = (
    "AGENTS.md",
    "CLAUDE.md",
    "REVIEW.md",
    "REVIEWING.md",
    "CONTRIBUTING.md",
    "CONTRIBUTING.rst",
    ".github/copilot-instructions.md",
    ".github/CONTRIBUTING.md",
    "docs/CONTRIBUTING.md",
)
_NESTED = ("AGENTS.md", "CLAUDE.md", "REVIEW.md")


def is_guidance(path: str) -> bool:
    """Whether ``path`` is a guidance file (root or nested) that the packer may show."""
    return path in GUIDANCE or posixpath.basename(path) in _NESTED


def guidance(paths: Iterable[str], changed: Iterable[str]) -> Signal:
    """Repository guidance: root files, and nested AGENTS.md/CLAUDE.md above a change."""
    present = set(paths)
    out: Signal = {}
    for i, name in enumerate(GUIDANCE):
        if name in present:
            out[name] = Evidence(1.0 - i * 0.01, "repository guidance for reviewers and agents")
    for source in changed:
        folder = posixpath.dirname(source)
        while folder:
            for name in _NESTED:
                candidate = f"{folder}/{name}"
                if candidate in present:
                    out[candidate] = Evidence(1.0, f"guidance for the folder of {source}")
            folder = posixpath.dirname(folder)
    return out


def as_ranking(signal: Mapping[str, Evidence]) -> list[str]:
    """Paths by descending score, ties by path."""
    return sorted(signal, key=lambda p: (-signal[p].score, p))
