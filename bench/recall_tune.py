"""Fit the packer's ranking model on the *tuning* repositories only, by leave-one-repository-out.

Reads the per-sample signals bench/recall.py cached for the tuning repositories (run it with
``--role tuning`` first), turns each sample into the feature rows of
``reviewbot.pack.learned`` and fits the linear model by softmax regression (the hidden file
is the answer among the files the signals name; L2-regularised). Each tuning repository is
held out once: the model is fitted on the others and scored (MRR) on it, beside plain
reciprocal-rank fusion of the same signals, which says how well the procedure generalises.
The model printed last is fitted on all tuning repositories and goes into
reviewbot/pack/learned.py. Reporting repositories are never read.

    nice .venv/bin/python bench/recall_tune.py      (needs numpy: pip install numpy)
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.recall_eval import code_version, mean_interval, method_rankings
from bench.recall_samples import cache_file, tuning_samples
from reviewbot.pack import signals as sig
from reviewbot.pack.learned import FEATURES, feature_rows

L2 = 0.001
STEPS = 1000


@dataclass(frozen=True)
class Case:
    rows: np.ndarray  # files any signal names x FEATURES
    before: np.ndarray  # those paths sorting before the hidden file
    hidden: int  # row of the hidden file, or -1
    quiet_before: int  # pool files no signal names that sort before the hidden file
    fused: int  # the hidden file's position under plain reciprocal-rank fusion (1-based)


def case(dump: Mapping[str, Any]) -> Case | None:
    if dump["unseen"]:
        return None
    hidden = str(dump["key"]).split(":", 1)[1]
    signals = {
        n: {p: sig.Evidence(v, "") for p, v in s.items()} for n, s in dump["signals"].items()
    }
    paths, rows = feature_rows(signals, dump["changed"])
    named = set(paths)
    return Case(
        np.array(rows, dtype=float).reshape(len(paths), len(FEATURES)),
        np.array([p < hidden for p in paths], dtype=bool),
        paths.index(hidden) if hidden in named else -1,
        sum(1 for p in dump["pool"] if p < hidden and p not in named),
        method_rankings(dump)["RRF(all signals)"].index(hidden) + 1,
    )


def position(c: Case, w: np.ndarray) -> int:
    if c.hidden < 0:
        return c.rows.shape[0] + c.quiet_before + 1
    score = c.rows @ w
    mine = score[c.hidden]
    return int((score > mine).sum() + ((score == mine) & c.before).sum()) + 1


def reciprocal(cases: Sequence[Case | None], w: np.ndarray) -> list[float]:
    return [0.0 if c is None else 1 / position(c, w) for c in cases]


def fused_reciprocal(cases: Sequence[Case | None]) -> list[float]:
    return [0.0 if c is None else 1 / c.fused for c in cases]


def mrr(cases: Sequence[Case | None], w: np.ndarray) -> float:
    return sum(reciprocal(cases, w)) / max(len(cases), 1)


def fused_mrr(cases: Sequence[Case | None]) -> float:
    return sum(fused_reciprocal(cases)) / max(len(cases), 1)


def fit(cases: Sequence[Case | None]) -> np.ndarray:
    """Softmax regression with Adam: maximise the hidden file's share of each sample. It
    starts from zero, not from ``MODEL``: that was fitted on every tuning repository, the
    held-out one included, and starting there would leak it into the held-out score."""
    usable = [c for c in cases if c is not None and c.hidden >= 0]
    w = np.zeros(len(FEATURES))
    m, v = np.zeros_like(w), np.zeros_like(w)
    for step in range(1, STEPS + 1):
        grad = 2 * L2 * w
        for c in usable:
            logits = c.rows @ w
            p = np.exp(logits - logits.max())
            p /= p.sum()
            grad += (p @ c.rows - c.rows[c.hidden]) / len(usable)
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        w -= 0.05 * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return np.round(w, 2)


def load(version: str) -> dict[str, list[Case | None]]:
    """The cached dump of every sampled commit of each tuning repository, exactly those."""
    out: dict[str, list[Case | None]] = {}
    for name, samples in tuning_samples().items():
        files = [cache_file(version, name, s) for s in samples]
        if not all(f.exists() for f in files):
            raise SystemExit(f"{name}: samples not cached; run bench/recall.py --role tuning")
        out[name] = [case(json.loads(f.read_text())) for f in files]
    return out


def main() -> int:
    repos = load(code_version())
    print(
        "| held-out tuning repository | MRR, model fitted on the others | MRR, RRF of the signals |"
    )
    print("|---|---|---|")
    held, fused, diffs = [], [], []
    for name in repos:
        w = fit([c for n, cases in repos.items() if n != name for c in cases])
        held.append(mrr(repos[name], w))
        fused.append(fused_mrr(repos[name]))
        mine, theirs = reciprocal(repos[name], w), fused_reciprocal(repos[name])
        diffs += [a - b for a, b in zip(mine, theirs, strict=True)]
        print(f"| {name} | {held[-1]:.3f} | {fused[-1]:.3f} |", flush=True)
    print(f"| mean | {np.mean(held):.3f} | {np.mean(fused):.3f} |")
    low, high = mean_interval(diffs)
    print(
        f"\nheld-out model minus RRF over all {len(diffs)} samples: "
        f"{np.mean(diffs):+.3f} MRR, paired 95 % interval {low:+.3f} to {high:+.3f}"
    )
    w = fit([c for cases in repos.values() for c in cases])
    inside = np.mean([mrr(cases, w) for cases in repos.values()])
    print(f"\nfitted on all tuning repositories (mean MRR on them {inside:.3f}):")
    print("MODEL: Mapping[str, float] = {")
    for f, x in zip(FEATURES, w, strict=True):
        if x != 0:
            print(f'    "{f}": {x:g},')
    print("}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
