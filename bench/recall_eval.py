"""One leave-one-out sample of bench/recall.py: the packer's signals, and every method's order."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.recall_samples import Sample
from reviewbot.pack import signals as sig
from reviewbot.pack.change import change_from_changeset
from reviewbot.pack.packer import PackOptions, rank_change
from reviewbot.pack.query import IDENT
from reviewbot.pack.rank import fuse, rank_signals
from reviewbot.pack.tokens import estimate_tokens
from reviewbot.repo import RepoView, changeset_from_git, range_messages, render_changeset
from reviewbot.repo.diff import ChangeSet
from reviewbot.repo.tree import FileEntry

BUDGETS = (16_000, 64_000, 256_000)
DRAWS = 4000  # bootstrap resamples behind each MRR interval
# The packer's fusion before the learned model (reciprocal-rank fusion, K = 5).
RRF_WEIGHTS = {
    "lexical": 1.5,
    "cochange": 1.5,
    "imports": 0.75,
    "symbols": 0.75,
    "tests": 0.75,
    "guidance": 0.1,
    "versions": 0.5,
}
NOT_SIGNALS = frozenset(
    {"rank.py", "learned.py", "fill.py", "render.py", "chunk.py", "report.py", "api.py", "model.py"}
    | {"tokens.py"}
)
PACK = Path(__file__).resolve().parents[1] / "reviewbot" / "pack"


def code_version() -> str:
    """A hash of the packer's signal code: cached signals stay valid while only the fusion
    (run again on every table) or the budget filling and rendering change."""
    digest = hashlib.sha256()
    for file in sorted(PACK.glob("*.py")):
        if file.name not in NOT_SIGNALS:
            digest.update(file.name.encode() + file.read_bytes())
    return digest.hexdigest()[:12]


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


def evaluate_sample(root: Path, sample: Sample) -> dict[str, Any]:
    """The packer's view of one sample, as plain data (cached by bench/recall.py)."""
    sha, hidden = sample.sha, sample.hidden
    after, before = RepoView(root, sha), RepoView(root, sha + "^")
    changeset = changeset_from_git(root, base=sha + "^", head=sha)
    rest = without(changeset, hidden)
    source = HiddenSource(after, before, hidden)
    # The commit's message stands for the pull request's description (every method that
    # reads text gets it: the packer, the message baselines, aider's chat).
    message = range_messages(root, sha + "^", sha)
    change = change_from_changeset(rest, render_changeset(rest), message)
    options = PackOptions(budget=180_000)
    ranked, cands, _query, result, signals = rank_change(source, change, options)
    pool = sorted(p for p in cands.sizes if p not in change.paths and p not in result.excluded)
    words = sorted({w for f in change.files for line in f.added_text + f.removed_text
                    for w in IDENT.findall(line)})  # fmt: skip
    dump = {
        "unseen": hidden not in pool,
        "why_unseen": cands.excluded.get(hidden) or result.excluded.get(hidden) or "",
        "changed": list(change.paths),
        "pool": pool,
        "sizes": {p: cands.sizes[p] for p in pool},
        "signals": {n: {p: e.score for p, e in s.items()} for n, s in signals.items()},
        "words": words,
        "message": message,
    }
    assert [r.path for r in ranked] == [r.path for r in _ranked(dump)]
    return dump


def _ranked(dump: Mapping[str, Any]) -> list[Any]:
    signals = {
        n: {p: sig.Evidence(v, "") for p, v in s.items()} for n, s in dump["signals"].items()
    }
    return rank_signals(signals, dump["changed"])


def complete(ranking: Iterable[str], pool: Sequence[str]) -> list[str]:
    """A ranking restricted to ``pool``, followed by the pool files it did not name."""
    allowed = set(pool)
    seen: set[str] = set()
    out = []
    for p in ranking:
        if p in allowed and p not in seen:
            seen.add(p)
            out.append(p)
    return out + [p for p in pool if p not in seen]


_NONE = sig.Evidence(0.0, "")


def method_rankings(dump: Mapping[str, Any]) -> dict[str, list[str]]:
    pool: list[str] = dump["pool"]
    signals = {
        n: {p: sig.Evidence(v, "") for p, v in s.items()} for n, s in dump["signals"].items()
    }
    path_order = {p: sig.Evidence(-i, "") for i, p in enumerate(pool)}
    lexical, cochange = signals["lexical"], signals["cochange"]
    # BM25 is a sum over query terms: the diff's part plus the message's is BM25 over both.
    described = signals.get("description", {})
    worded = {
        p: sig.Evidence(lexical.get(p, _NONE).score + described.get(p, _NONE).score, "")
        for p in lexical.keys() | described.keys()
    }
    return {
        "path order": list(pool),
        "BM25 (diff)": complete(sig.as_ranking(lexical), pool),
        "co-change": complete(sig.as_ranking(cochange), pool),
        "RRF(path,BM25,co)": complete(
            (
                r.path
                for r in fuse(
                    {"path": path_order, "lexical": lexical, "cochange": cochange},
                    {"path": 1.0, "lexical": 1.5, "cochange": 1.5},
                )
            ),
            pool,
        ),
        "RRF(BM25,co)": complete(
            (r.path for r in fuse({"lexical": lexical, "cochange": cochange})), pool
        ),  # equal weights: the same as 1.5 each
        "BM25 (diff+message)": complete(sig.as_ranking(worded), pool),
        "RRF(BM25+message,co)": complete(
            (r.path for r in fuse({"lexical": worded, "cochange": cochange})), pool
        ),
        "RRF(all signals)": complete((r.path for r in fuse(signals, RRF_WEIGHTS)), pool),
        "reviewbot": complete((r.path for r in _ranked(dump)), pool),
    }


@dataclass
class Tally:
    ranks: list[int] = field(default_factory=list)
    hits: dict[int, int] = field(default_factory=lambda: dict.fromkeys(BUDGETS, 0))
    unseen: int = 0

    @property
    def n(self) -> int:
        return len(self.ranks)

    def miss(self, *, unseen: bool = False) -> None:
        self.ranks.append(0)
        self.unseen += unseen

    def add(self, order: Sequence[str], sizes: Mapping[str, int], target: str) -> None:
        cumulative = 0
        for position, path in enumerate(order, start=1):
            cumulative += estimate_tokens(sizes[path])
            if path == target:
                self.ranks.append(position)
                for b in BUDGETS:
                    self.hits[b] += cumulative <= b
                return
        self.miss()

    def absorb(self, other: Tally) -> None:
        """Add ``other``'s samples to these (pooling repositories)."""
        self.ranks += other.ranks
        self.unseen += other.unseen
        for b in BUDGETS:
            self.hits[b] += other.hits[b]

    def reciprocal(self) -> list[float]:
        """One reciprocal rank per sample, in sample order (0 for a miss)."""
        return [1 / r if r else 0.0 for r in self.ranks]

    @property
    def mrr(self) -> float:
        return sum(self.reciprocal()) / max(len(self.ranks), 1)

    def row(self) -> dict[str, float]:
        """hit@budget and MRR, with the MRR's bootstrap interval (4,000 resamples: call
        ``mrr`` where only the MRR is wanted)."""
        n = max(len(self.ranks), 1)
        low, high = mean_interval(self.reciprocal())
        return {
            **{f"hit@{b // 1000}K": self.hits[b] / n for b in BUDGETS},
            "MRR": self.mrr,
            "MRR low": low,
            "MRR high": high,
        }


def mean_interval(
    values: Sequence[float], *, draws: int = DRAWS, seed: int = 7
) -> tuple[float, float]:
    """The 95 % bootstrap interval of the mean of ``values``, one per sample (resampled
    with replacement; percentiles 2.5 and 97.5). For an MRR over 40 samples it is about
    0.2 wide: two tables differing by a few hundredths do not differ. Given per-sample
    differences of two methods on the same samples, it is the paired interval."""
    if not values:
        return 0.0, 0.0
    pick = random.Random(seed).choices
    n = len(values)
    means = sorted(sum(pick(values, k=n)) / n for _ in range(draws))
    return means[int(0.025 * draws)], means[int(0.975 * draws) - 1]


def paired_difference(a: Tally, b: Tally) -> tuple[float, float, float]:
    """MRR of ``a`` minus MRR of ``b`` on the same samples, with its paired 95 % interval."""
    diffs = [x - y for x, y in zip(a.reciprocal(), b.reciprocal(), strict=True)]
    low, high = mean_interval(diffs)
    return sum(diffs) / max(len(diffs), 1), low, high


def record(
    tallies: Mapping[str, Tally],
    dump: Mapping[str, Any],
    orders: Mapping[str, Sequence[str]],
    hidden: str,
) -> None:
    """One sample into every method's tally: a hidden file the packer cannot see (a path or
    content rule dropped it) is a miss for every method, and stays in the count."""
    for method, tally in tallies.items():
        if dump["unseen"]:
            tally.miss(unseen=True)
        else:
            tally.add(orders[method], dump["sizes"], hidden)
