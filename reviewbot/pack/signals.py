"""Relevance signals. Each maps a path to a score and a sentence saying why.

* ``references``: imports both ways and symbols the change defines or uses (tree-sitter
  on the changed files, the streaming scan on the rest);
* ``lexical``: BM25 of each file against the diff's identifiers;
* ``cochange``: files committed together with the changed files, recent commits first,
  bulk commits ignored;
* ``tests``: tests of the changed modules (and the module under a changed test);
* ``guidance``: AGENTS.md, CLAUDE.md, REVIEW.md, CONTRIBUTING.md and friends.
"""

from __future__ import annotations

import math
import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

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


def references(query: Query, scan: ScanResult) -> Signal:
    n = max(scan.scanned, 1)
    out: Signal = {}
    paths = set(query.forward) | {p for p, e in scan.evidence.items() if e.uses or e.defines}
    paths |= {p for p, e in scan.evidence.items() if e.imports_changed}
    for path in sorted(paths - query.changed):
        ev = scan.evidence.get(path)
        score = 0.0
        why: list[str] = []
        importers = query.forward.get(path)
        if importers:
            score += 4.0
            why.append(f"imported by {_names(importers)}")
        if ev is not None and ev.imports_changed:
            score += 4.0
            why.append(f"imports {_names(ev.imports_changed)}")
        if ev is not None and ev.defines:
            weight = sum(idf(scan.df.get(s.encode(), 1), n) for s in ev.defines)
            score += 1.5 * weight
            why.append(f"defines {_names(ev.defines)} used by the change")
        if ev is not None and ev.uses:
            weight = sum(idf(scan.df.get(s.encode(), 1), n) for s in ev.uses)
            score += weight
            why.append(f"uses {_names(ev.uses)} changed by the change")
        if score > 0:
            out[path] = Evidence(score, "; ".join(why))
    return out


def lexical(query: Query, scan: ScanResult, *, k1: float = 1.2, b: float = 0.75) -> Signal:
    n = max(scan.scanned, 1)
    avg = scan.total_words / n if n else 1.0
    weights = {t: idf(df, n) for t, df in scan.df.items()}
    out: Signal = {}
    for path, ev in scan.evidence.items():
        if not ev.tf or path in query.changed:
            continue
        norm = k1 * (1 - b + b * ev.words / max(avg, 1.0))
        parts = {
            t: weights[t] * query.terms.get(t, 1.0) * tf * (k1 + 1) / (tf + norm)
            for t, tf in ev.tf.items()
        }
        score = sum(parts.values())
        top = sorted(parts, key=lambda t: (-parts[t], t))[:3]
        out[path] = Evidence(
            score, "shares identifiers with the diff: " + _names((t.decode() for t in top), 3)
        )
    return out


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


_TEST_DIRS = ("tests", "test", "__tests__", "spec", "testing")


def _test_names(path: str) -> set[str]:
    p = PurePosixPath(path)
    stem, suffix = p.stem, p.suffix
    if suffix in (".py", ".pyi"):
        return {f"test_{stem}.py", f"{stem}_test.py", f"tests_{stem}.py", f"test{stem}.py"}
    if suffix == ".go":
        return {f"{stem}_test.go"}
    if suffix in (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs"):
        return {
            f"{stem}.{kind}{ext}"
            for kind in ("test", "spec")
            for ext in (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs")
        }
    if suffix == ".java":
        return {f"{stem}Test.java", f"{stem}Tests.java", f"Test{stem}.java", f"{stem}IT.java"}
    if suffix == ".rs":
        return {f"{stem}_test.rs", f"test_{stem}.rs", f"{stem}.rs"}
    return {f"test_{stem}{suffix}", f"{stem}_test{suffix}"}


def _is_test(path: str) -> bool:
    name = posixpath.basename(path)
    parts = path.split("/")
    return (
        name.startswith("test_")
        or any(marker in name for marker in ("_test.", ".test.", ".spec.", "Test.java"))
        or any(part in _TEST_DIRS for part in parts[:-1])
    )


def _subject(path: str) -> str | None:
    """The module name a test file is about (``test_x.py`` -> ``x``)."""
    name = PurePosixPath(path).name
    stem = name.split(".")[0]
    for prefix in ("test_", "tests_"):
        if stem.startswith(prefix):
            return stem[len(prefix) :]
    for suffix in ("_test", "Test", "Tests", "IT"):
        if stem.endswith(suffix) and len(stem) > len(suffix):
            return stem[: -len(suffix)]
    if ".test." in name or ".spec." in name:
        return stem
    return None


def tests(changed: Iterable[str], paths: Iterable[str]) -> Signal:
    """Tests named after a changed module, and the module a changed test is about."""
    changed = [c for c in changed]
    by_name: dict[str, list[str]] = {}
    for path in paths:
        by_name.setdefault(posixpath.basename(path), []).append(path)
    out: Signal = {}
    for source in changed:
        if _is_test(source):
            subject = _subject(source)
            ext = PurePosixPath(source).suffix
            for path in by_name.get(f"{subject}{ext}", []) if subject else []:
                if path not in changed:
                    out[path] = Evidence(0.8, f"module under test of {source}")
            continue
        src_dir = posixpath.dirname(source)
        for name in sorted(_test_names(source)):
            for path in by_name.get(name, []):
                if path == source or path in changed or not _is_test(path):
                    continue
                score = 1.0 if _mirrors(src_dir, posixpath.dirname(path)) else 0.7
                if path not in out or out[path].score < score:
                    out[path] = Evidence(score, f"tests {source}")
    return out


def _mirrors(src_dir: str, test_dir: str) -> bool:
    """``pkg/a`` vs ``tests/pkg/a``, ``pkg/a/tests``, ``pkg/a`` itself and the like."""
    src = [p for p in src_dir.split("/") if p and p != "src"]
    tst = [p for p in test_dir.split("/") if p and p not in _TEST_DIRS]
    return not src or not tst or src[-1] == tst[-1] or src[-len(tst) :] == tst


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
