"""Context recall on real history: would the packer have found the file a change also needed?

For commits that touch 2-10 source files, one changed file is hidden: the packer sees the
rest of the change (new versions), the hidden file as it was before the commit, and only
the history before the commit. We record where the hidden file lands in each ranking:
hit@16K/64K/256K (cumulative estimated tokens of the files ranked before it, itself
included) and the mean reciprocal rank. Baselines use the same candidates and rankings
computed by the same code: path order, BM25 on the diff alone, co-change alone, and the
reciprocal-rank fusion of those three.

    .venv/bin/python bench/recall.py REPO [REPO ...] [--commits 60] [--json out.json]

REPO is a path to a git repository (bare is fine), e.g. /work/.mirror/psf+requests/repo.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reviewbot.errors import ReviewbotError
from reviewbot.pack import signals as sig
from reviewbot.pack.change import change_from_changeset
from reviewbot.pack.packer import PackOptions, candidates, rank_change
from reviewbot.pack.rank import fuse
from reviewbot.pack.tokens import estimate_tokens
from reviewbot.repo import RepoView, changeset_from_git, render_changeset
from reviewbot.repo.diff import ChangeSet
from reviewbot.repo.tree import FileEntry

SOURCE_SUFFIXES = (".py", ".pyi", ".js", ".ts", ".tsx", ".go", ".rs", ".java", ".c", ".h")
BUDGETS = (16_000, 64_000, 256_000)
METHODS = (
    "path order",
    "BM25 (diff)",
    "co-change",
    "RRF(path,BM25,co)",
    "RRF(BM25,co)",
    "reviewbot",
)


class HiddenSource:
    """The tree at the commit, except the hidden file, which is served as it was before."""

    def __init__(self, after: RepoView, before: RepoView, hidden: str) -> None:
        self.after, self.before, self.hidden = after, before, hidden

    def tracked_files(self) -> list[FileEntry]:
        entries = {e.path: e for e in self.after.tracked_files()}
        old = {e.path: e for e in self.before.tracked_files()}
        entries[self.hidden] = old[self.hidden]
        return [entries[p] for p in sorted(entries)]

    def read_many(self, paths: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        wanted = list(paths)
        rest = [p for p in wanted if p != self.hidden]
        got = dict(self.after.read_many(rest))
        if self.hidden in wanted:
            got.update(self.before.read_many([self.hidden]))
        for p in wanted:
            yield p, got[p]

    def history(self, max_commits: int = 2000) -> list:  # type: ignore[type-arg]
        return self.before.history(max_commits)


def without(changeset: ChangeSet, hidden: str) -> ChangeSet:
    return ChangeSet(
        changeset.base, changeset.head, tuple(f for f in changeset.files if f.path != hidden)
    )


@dataclass
class Tally:
    ranks: list[int] = field(default_factory=list)
    hits: dict[int, int] = field(default_factory=lambda: dict.fromkeys(BUDGETS, 0))

    def add(self, order: Sequence[str], sizes: dict[str, int], target: str) -> None:
        cumulative = 0
        for position, path in enumerate(order, start=1):
            cumulative += estimate_tokens(sizes[path])
            if path == target:
                self.ranks.append(position)
                for b in BUDGETS:
                    self.hits[b] += cumulative <= b
                return
        self.ranks.append(0)

    def row(self) -> dict[str, float]:
        n = max(len(self.ranks), 1)
        return {
            **{f"hit@{b // 1000}K": self.hits[b] / n for b in BUDGETS},
            "MRR": sum(1 / r for r in self.ranks if r) / n,
        }


def complete(ranking: Iterable[str], candidates_: Sequence[str]) -> list[str]:
    """A ranking followed by the files it did not name, in path order."""
    seen: set[str] = set()
    out = [p for p in ranking if not (p in seen or seen.add(p))]  # type: ignore[func-returns-value]
    return out + [p for p in candidates_ if p not in seen]


def samples(root: Path, commits: int, seed: int) -> list[tuple[str, str, str]]:
    view = RepoView(root, "HEAD")
    found = []
    for c in view.history(6000):
        src = [f for f in c.files if f.endswith(SOURCE_SUFFIXES)]
        if 2 <= len(src) <= 10 and len(c.files) <= 20:
            found.append((c.sha, src))
    rng = random.Random(seed)
    rng.shuffle(found)
    out = []
    for sha, src in found[:commits]:
        out.append((sha, rng.choice(sorted(src)), ""))
    return out


def evaluate(
    root: Path,
    commits: int,
    seed: int,
    dump: list | None = None,  # type: ignore[type-arg]
) -> dict[str, dict[str, float]]:
    tallies = {m: Tally() for m in METHODS}
    options = PackOptions(budget=180_000)
    done = 0
    for sha, hidden, _ in samples(root, commits, seed):
        try:
            after = RepoView(root, sha)
            before = RepoView(root, sha + "^")
            changeset = changeset_from_git(root, base=sha + "^", head=sha)
        except ReviewbotError:
            continue
        entry = changeset.file(hidden)
        if entry is None or entry.status != "modified":
            continue
        rest = without(changeset, hidden)
        if not rest.files:
            continue
        source = HiddenSource(after, before, hidden)
        change = change_from_changeset(rest, render_changeset(rest))
        cands = candidates(source, options)
        if hidden not in cands.sizes:
            continue
        ranked, _cands, _query, result, signals = rank_change(source, change, options)
        pool = sorted(p for p in cands.sizes if p not in change.paths and p not in result.excluded)
        if hidden not in pool:
            continue
        sizes = cands.sizes
        bm25 = sig.as_ranking(signals["lexical"])
        co = sig.as_ranking(signals["cochange"])
        base_fusion = [
            r.path
            for r in fuse(
                {
                    "path": {p: sig.Evidence(-i, "") for i, p in enumerate(pool)},
                    "lexical": signals["lexical"],
                    "cochange": signals["cochange"],
                }
            )
        ]
        tallies["path order"].add(pool, sizes, hidden)
        tallies["BM25 (diff)"].add(complete(bm25, pool), sizes, hidden)
        tallies["co-change"].add(complete(co, pool), sizes, hidden)
        pair = [
            r.path for r in fuse({"lexical": signals["lexical"], "cochange": signals["cochange"]})
        ]
        tallies["RRF(path,BM25,co)"].add(complete(base_fusion, pool), sizes, hidden)
        tallies["RRF(BM25,co)"].add(complete(pair, pool), sizes, hidden)
        tallies["reviewbot"].add(complete((r.path for r in ranked), pool), sizes, hidden)
        done += 1
        if dump is not None:
            dump.append(
                {
                    "hidden": hidden,
                    "pool": pool,
                    "sizes": {p: sizes[p] for p in pool},
                    "signals": {n: {p: e.score for p, e in s.items()} for n, s in signals.items()},
                }
            )
    table = {m: t.row() for m, t in tallies.items()}
    table["_samples"] = {"n": float(done)}
    return table


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--commits", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--dump", type=Path, help="write per-sample signal scores (tuning)")
    args = parser.parse_args(argv)
    results = {}
    dumps: dict[str, list] = {}  # type: ignore[type-arg]
    for root in args.repos:
        started = time.perf_counter()
        dump: list | None = [] if args.dump else None  # type: ignore[type-arg]
        table = evaluate(root, args.commits, args.seed, dump)
        if dump is not None:
            dumps[root.name if root.name != "repo" else root.parent.name] = dump
        name = root.name if root.name != "repo" else root.parent.name
        results[name] = table
        n = int(table["_samples"]["n"])
        print(f"\n{name}: {n} hidden files ({time.perf_counter() - started:.0f} s)")
        print(f"{'method':<22}{'hit@16K':>9}{'hit@64K':>9}{'hit@256K':>10}{'MRR':>8}")
        for method in METHODS:
            row = table[method]
            print(
                f"{method:<22}{row['hit@16K']:>9.2f}{row['hit@64K']:>9.2f}"
                f"{row['hit@256K']:>10.2f}{row['MRR']:>8.3f}"
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    if args.dump:
        args.dump.write_text(json.dumps(dumps))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
