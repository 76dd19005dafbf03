"""Fusing the signals into one deterministic ranking, with every reason kept.

Weighted reciprocal-rank fusion: a file's score is ``sum(w_s / (K + rank_s))`` over the
signals that rank it (rank from 1), plus ``lead`` times its largest single term, so one
confident signal (a direct import, a test named after the module) can win over several
lukewarm ones. Ranks, not raw scores, are fused because the signals' scales are unrelated
(BM25 sums, decayed commit counts, fixed priors). A test file that no pairing names is
scaled by ``test_factor``: tests of the changed modules otherwise outrank source files with
the same evidence. Ties are broken by path.

``FUSION`` is chosen by ``bench/recall_tune.py`` on the tuning repositories of
``bench/recall_repos.json`` only (coordinate ascent on mean MRR, checked by leaving each
tuning repository out); the reporting repositories are never used to choose it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from reviewbot.pack.pairing import is_test
from reviewbot.pack.signals import Signal, as_ranking


@dataclass(frozen=True)
class Fusion:
    k: float
    weights: Mapping[str, float] = field(default_factory=dict)
    lead: float = 0.0
    test_factor: float = 1.0


FUSION = Fusion(
    k=5.0,
    weights={
        "lexical": 1.5,
        "cochange": 1.5,
        "imports": 0.75,
        "symbols": 0.75,
        "tests": 0.75,
        "guidance": 0.1,
        "versions": 0.5,
    },
)
K = FUSION.k
WEIGHTS = FUSION.weights


@dataclass(frozen=True)
class Ranked:
    path: str
    score: float
    reasons: tuple[str, ...]


def fuse(
    signals: Mapping[str, Signal],
    weights: Mapping[str, float] = WEIGHTS,
    *,
    k: float = K,
    lead: float = 0.0,
    factor: Callable[[str], float] | None = None,
) -> list[Ranked]:
    """All paths any signal names, best first; each with ``"signal: why"`` reasons."""
    parts: dict[str, list[tuple[float, str]]] = {}
    for name in sorted(signals):
        weight = weights.get(name, 1.0)
        if weight <= 0:
            continue
        signal = signals[name]
        for position, path in enumerate(as_ranking(signal), start=1):
            contribution = weight / (k + position)
            parts.setdefault(path, []).append(
                (contribution, f"{name} #{position}: {signal[path].reason}")
            )
    scores: dict[str, float] = {}
    for path, terms in parts.items():
        values = [c for c, _ in terms]
        score = sum(values) + lead * max(values)
        scores[path] = score * factor(path) if factor is not None else score
    ordered = sorted(scores, key=lambda p: (-scores[p], p))
    return [
        Ranked(p, scores[p], tuple(r for _, r in sorted(parts[p], key=lambda x: (-x[0], x[1]))))
        for p in ordered
    ]


def rank_signals(signals: Mapping[str, Signal], fusion: Fusion = FUSION) -> list[Ranked]:
    """The packer's ranking of a change's signals (what ``bench/recall.py`` measures)."""
    paired = signals.get("tests", {})

    def factor(path: str) -> float:
        return fusion.test_factor if path not in paired and is_test(path) else 1.0

    return fuse(signals, fusion.weights, k=fusion.k, lead=fusion.lead, factor=factor)
