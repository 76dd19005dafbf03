"""Ranking: the change's signals through the learned model, with every reason kept.

``rank_signals`` is the packer's ranking of a change (``reviewbot.pack.learned``: a linear
model over per-signal evidence, fitted on the tuning repositories only). ``fuse`` is plain
weighted reciprocal-rank fusion, ``sum(w_s / (K + rank_s))`` over the signals that name a
file: the audit's ranking (no change to learn from) and the benchmark's fusion baselines.
Ties are broken by path.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from reviewbot.pack.learned import MODEL, feature_rows, score_rows
from reviewbot.pack.signals import Signal, as_ranking

K = 5.0


@dataclass(frozen=True)
class Ranked:
    path: str
    score: float
    reasons: tuple[str, ...]


def fuse(
    signals: Mapping[str, Signal], weights: Mapping[str, float] | None = None, *, k: float = K
) -> list[Ranked]:
    """All paths any signal names, best first; each with ``"signal: why"`` reasons."""
    scores: dict[str, float] = {}
    parts: dict[str, list[tuple[float, str]]] = {}
    for name in sorted(signals):
        weight = (weights or {}).get(name, 1.0)
        if weight <= 0:
            continue
        signal = signals[name]
        for position, path in enumerate(as_ranking(signal), start=1):
            contribution = weight / (k + position)
            scores[path] = scores.get(path, 0.0) + contribution
            parts.setdefault(path, []).append(
                (contribution, f"{name} #{position}: {signal[path].reason}")
            )
    ordered = sorted(scores, key=lambda p: (-scores[p], p))
    return [
        Ranked(p, scores[p], tuple(r for _, r in sorted(parts[p], key=lambda x: (-x[0], x[1]))))
        for p in ordered
    ]


def rank_signals(
    signals: Mapping[str, Signal],
    changed: Iterable[str] = (),
    model: Mapping[str, float] = MODEL,
) -> list[Ranked]:
    """The packer's ranking of a change's signals (what ``bench/recall.py`` measures): the
    linear model of ``reviewbot.pack.learned`` over every file a signal names. Scores are
    shown through the logistic function, in (0, 1): below the listing's changed files."""
    paths, rows = feature_rows(signals, changed)
    scores = dict(zip(paths, score_rows(rows, model), strict=True))
    positions = {n: {p: i for i, p in enumerate(as_ranking(s), 1)} for n, s in signals.items()}
    out = []
    for path in sorted(paths, key=lambda p: (-scores[p], p)):
        named = [n for n in sorted(signals) if path in signals[n]]
        named.sort(key=lambda n: -model.get(f"{n}:rr", 0.0) / positions[n][path])
        reasons = tuple(f"{n} #{positions[n][path]}: {signals[n][path].reason}" for n in named)
        out.append(Ranked(path, 1.0 / (1.0 + math.exp(-scores[path])), reasons))
    return out
