"""Choose the packer's fusion on the *tuning* repositories only, by leave-one-repository-out.

Reads the per-sample signals bench/recall.py cached for the tuning repositories (run it with
``--role tuning`` first) and searches the fusion's parameters (the constant K, one weight per
signal, the ``lead`` that lets one confident signal win, the factor on test files that no
pairing names) by coordinate ascent on the mean per-repository MRR. Each tuning repository
is held out once: parameters are chosen on the others and scored on it, which says how well
the procedure generalises; the parameters printed last are chosen on all tuning
repositories and go into reviewbot/pack/rank.py. Reporting repositories are never read.

    nice .venv/bin/python bench/recall_tune.py
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.recall_eval import code_version
from reviewbot.pack.pairing import is_test
from reviewbot.pack.rank import FUSION, Fusion

HERE = Path(__file__).resolve().parent
GRID: dict[str, Sequence[float]] = {
    "k": (1, 2, 3, 5, 8, 12, 20, 40),
    "lead": (0, 0.5, 1, 2, 4),
    "test_factor": (0.4, 0.6, 0.8, 1.0),
    "weight": (0, 0.25, 0.5, 0.75, 1, 1.5, 2, 3),
}


@dataclass(frozen=True)
class Case:
    """One sample as arrays: signal ranks of every file any signal names."""

    names: tuple[str, ...]
    ranks: np.ndarray  # files x signals, inf where a signal does not name the file
    untested: np.ndarray  # test files that no pairing names
    before: np.ndarray  # paths sorting before the hidden file
    hidden: int  # row of the hidden file, or -1
    quiet_before: int  # pool files no signal names that sort before the hidden file


def case(dump: Mapping[str, object]) -> Case | None:
    if dump["unseen"]:
        return None
    signals: Mapping[str, Mapping[str, float]] = dump["signals"]  # type: ignore[assignment]
    hidden: str = str(dump["key"]).split(":", 1)[1]
    names = tuple(sorted(signals))
    files = sorted({p for s in signals.values() for p in s})
    row = {p: i for i, p in enumerate(files)}
    ranks = np.full((len(files), len(names)), np.inf)
    for j, name in enumerate(names):
        s = signals[name]
        for r, p in enumerate(sorted(s, key=lambda p: (-s[p], p)), start=1):
            ranks[row[p], j] = r
    tests = signals.get("tests", {})
    untested = np.array([is_test(p) and p not in tests for p in files], dtype=bool)
    before = np.array([p < hidden for p in files], dtype=bool)
    pool: list[str] = dump["pool"]  # type: ignore[assignment]
    quiet = sum(1 for p in pool if p < hidden and p not in row)
    return Case(names, ranks, untested, before, row.get(hidden, -1), quiet)


def position(c: Case, f: Fusion) -> int:
    if len(c.names) == 0 or c.ranks.shape[0] == 0:
        return c.quiet_before + 1
    w = np.array([f.weights.get(n, 1.0) for n in c.names])
    contrib = w / (f.k + c.ranks)
    score = contrib.sum(1) + f.lead * contrib.max(1)
    score = np.where(c.untested, score * f.test_factor, score)
    if c.hidden < 0:  # only the path-order tail holds it
        return int((score > 0).sum()) + c.quiet_before + 1
    mine = score[c.hidden]
    ahead = (score > mine).sum() + ((score == mine) & c.before).sum()
    if mine == 0:
        ahead += c.quiet_before
    return int(ahead) + 1


def mrr(cases: Sequence[Case | None], f: Fusion) -> float:
    return sum(1 / position(c, f) for c in cases if c is not None) / max(len(cases), 1)


def objective(repos: Mapping[str, Sequence[Case | None]], f: Fusion) -> float:
    return sum(mrr(cases, f) for cases in repos.values()) / len(repos)


def ascend(repos: Mapping[str, Sequence[Case | None]], start: Fusion, sweeps: int = 3) -> Fusion:
    best, score = start, objective(repos, start)
    for _ in range(sweeps):
        improved = False
        for param in ("k", "lead", "test_factor", *(f"w:{n}" for n in sorted(start.weights))):
            values = GRID["weight"] if param.startswith("w:") else GRID[param]
            for v in values:
                if param.startswith("w:"):
                    trial = replace(best, weights={**best.weights, param[2:]: float(v)})
                else:
                    trial = replace(best, **{param: float(v)})
                got = objective(repos, trial)
                if got > score + 1e-9:
                    best, score, improved = trial, got, True
        if not improved:
            break
    return best


def load(version: str) -> dict[str, list[Case | None]]:
    spec = json.loads((HERE / "recall_repos.json").read_text())
    out: dict[str, list[Case | None]] = {}
    for repo in spec["repositories"]:
        if repo["role"] != "tuning":
            continue
        folder = HERE / "out" / "recall" / version / repo["name"].replace("/", "+")
        files = sorted(folder.glob("*.json"))
        if not files:
            raise SystemExit(
                f"{repo['name']}: no cached samples; run bench/recall.py --role tuning"
            )
        out[repo["name"]] = [case(json.loads(f.read_text())) for f in files]
    return out


def show(f: Fusion) -> str:
    weights = ", ".join(f"{n} {w:g}" for n, w in sorted(f.weights.items()))
    return f"K {f.k:g}, lead {f.lead:g}, test factor {f.test_factor:g}; weights: {weights}"


def main() -> int:
    repos = load(code_version())
    print(f"packer's fusion now: {show(FUSION)}: mean MRR {objective(repos, FUSION):.3f}")
    print("\n| held-out tuning repository | MRR, fusion chosen on the others | MRR, fusion now |")
    print("|---|---|---|")
    held = []
    for name in repos:
        rest = {n: c for n, c in repos.items() if n != name}
        chosen = ascend(rest, FUSION)
        held.append(mrr(repos[name], chosen))
        print(f"| {name} | {held[-1]:.3f} | {mrr(repos[name], FUSION):.3f} |", flush=True)
    print(f"| mean | {sum(held) / len(held):.3f} | {objective(repos, FUSION):.3f} |")
    final = ascend(repos, FUSION)
    best = objective(repos, final)
    print(f"\nchosen on all tuning repositories: {show(final)}: mean MRR {best:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
