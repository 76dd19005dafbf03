"""The packer's ranking: a small linear model over per-signal evidence.

Every file that a signal names gets a few numbers per signal (its reciprocal rank in that
signal, and its score relative to that signal's best), whether it is a test no pairing
names, how close its folder is to a changed file's, how many signals name it, whether it is
source code, and whether it is a test while the change has none (or the reverse). The
ranking is by ``MODEL · features``, ties by path. A linear score lets one confident signal
win (a direct import or a paired test carries a large weight on its own) where a
reciprocal-rank sum spreads the weight over many lukewarm ones.

``MODEL`` is fitted by ``bench/recall_tune.py`` on the *tuning* repositories of
``bench/recall_repos.json`` only (softmax over each sample's candidates, the hidden file as
the answer; the procedure is checked by leaving each tuning repository out); reporting
repositories are never used to fit it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from reviewbot.pack.imports import family
from reviewbot.pack.pairing import is_test
from reviewbot.pack.signals import Signal, as_ranking

SIGNALS = (
    "imports",
    "symbols",
    "lexical",
    "cochange",
    "tests",
    "guidance",
    "versions",
    "description",
    "mentions",
)
FEATURES = (
    *(f"{s}:{kind}" for s in SIGNALS for kind in ("rr", "score")),
    "test_unpaired",
    "near",
    "count",
    "code",
    "test_for_code_change",
    "code_for_test_change",
)

MODEL: Mapping[str, float] = {  # bench/recall_tune.py, fitted on the tuning repositories
    "imports:rr": 0.31,
    "imports:score": 0.25,
    "symbols:rr": -0.09,
    "symbols:score": 1.14,
    "lexical:rr": 0.27,
    "lexical:score": 2.57,
    "cochange:rr": -0.03,
    "cochange:score": 1.79,
    "tests:rr": 0.89,
    "tests:score": 0.06,
    "guidance:rr": -0.04,
    "guidance:score": -0.04,
    "versions:rr": -0.01,
    "versions:score": 0.07,
    "description:rr": 0.51,
    "description:score": 1.03,
    "mentions:rr": 0.54,
    "mentions:score": 1.1,
    "test_unpaired": -0.01,
    "near": 0.79,
    "count": 2.24,
    "code": 3.61,
    "test_for_code_change": 0.92,
    "code_for_test_change": 0.55,
}


def _folders(path: str) -> list[str]:
    return path.split("/")[:-1]


def shared_prefix(a: Sequence[str], b: Sequence[str]) -> int:
    """How many leading items ``a`` and ``b`` have in common."""
    same = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        same += 1
    return same


def nearness(path: str, changed: Sequence[list[str]]) -> float:
    """Shared leading folders with the nearest changed file, as a share of the deeper one."""
    mine = _folders(path)
    best = 0.0
    for other in changed:
        best = max(best, (shared_prefix(mine, other) + 1) / (max(len(mine), len(other)) + 1))
    return best


def feature_rows(
    signals: Mapping[str, Signal], changed: Iterable[str]
) -> tuple[list[str], list[list[float]]]:
    """(paths any signal names, sorted; one feature row per path, in ``FEATURES`` order)."""
    ranks: dict[str, dict[str, int]] = {}
    best: dict[str, float] = {}
    for name in SIGNALS:
        signal = signals.get(name, {})
        order = as_ranking(signal)
        ranks[name] = {p: i for i, p in enumerate(order, start=1)}
        best[name] = max((signal[p].score for p in order[:1]), default=1.0) or 1.0
    paths = sorted({p for s in signals.values() for p in s})
    changed = list(changed)
    folders = [_folders(c) for c in changed]
    paired = signals.get("tests", {})
    code_changed = [c for c in changed if family(c) is not None]
    tests_changed = sum(is_test(c) for c in code_changed)
    only_code = float(bool(code_changed) and tests_changed == 0)
    only_tests = float(bool(code_changed) and tests_changed == len(code_changed))
    rows = []
    for path in paths:
        row: list[float] = []
        count = 0
        for name in SIGNALS:
            rank = ranks[name].get(path)
            if rank is None:
                row += [0.0, 0.0]
                continue
            count += 1
            score = signals[name][path].score / best[name]
            row += [1.0 / rank, max(0.0, min(score, 1.0))]
        test = is_test(path)
        row += [
            float(path not in paired and test),
            nearness(path, folders),
            count / len(SIGNALS),
            float(family(path) is not None),
            float(test) * only_code,
            float(not test) * only_tests,
        ]
        rows.append(row)
    return paths, rows


def score_rows(rows: Sequence[Sequence[float]], model: Mapping[str, float]) -> list[float]:
    weights = [model.get(f, 0.0) for f in FEATURES]
    return [sum(w * x for w, x in zip(weights, row, strict=True)) for row in rows]
