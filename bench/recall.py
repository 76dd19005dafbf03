"""Context recall on real history: would the packer have found the file a change also needed?

For a commit touching 2-10 code files, one modified file of the repository's language is
hidden: the packer sees the rest of the change (new versions), the hidden file as it was
before the commit, and only the history before the commit. We record where the hidden file
lands in each ranking: hit@16K/64K/256K (estimated tokens of the files ranked before it,
itself included) and the mean reciprocal rank. A hidden file the packer cannot see (a path
or content rule drops it) is a miss for every method. Baselines use the same candidates
and are computed here: path order, BM25 over the diff, co-change, their reciprocal-rank
fusion, the same with the commit message's words (the message stands for a pull request's
description, which the packer reads too), and aider's repository map (PageRank over tags,
run in aider's own venv by bench/recall_aider.py when ``--aider-python`` is given). Each
MRR comes with its 95 % bootstrap interval, and reviewbot's lead over the best baseline with
the paired interval (the same samples resampled for both), per repository and pooled per
role and language, and per part of a role (hidden tests or other code; commits that follow
the author's own commit, and the rest, whose history is more like a pull request's).

Repositories, their language and role come from bench/recall_repos.json: the fusion is
fitted on the *tuning* ones only (bench/recall_tune.py); a variant that gains there is run
on the *validation* ones, never fitted on, and lands only if the gain holds; the
*reporting* ones are never used to fit or choose anything. The sampled commits are data in
bench/recall_samples.json (``--resample`` draws them again). Per-sample signals are cached
under bench/out/recall/.

    nice .venv/bin/python bench/recall.py --repos /work/scratch/recall \\
        [--only NAME ...] [--role tuning|validation|reporting ...] [--aider-python PY] \\
        [--json out.json]

With both the validation and the reporting repositories run (``--role validation --role
reporting``), a last table pools them: every sample never fitted on, per language.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.recall_eval import (
    BUDGETS,
    Tally,
    code_version,
    complete,
    evaluate_sample,
    method_rankings,
    paired_difference,
    record,
)
from bench.recall_samples import (
    CACHE,
    REPOS,
    SAMPLES,
    Sample,
    cache_file,
    draw_samples,
    follows_own_commit,
    repo_path,
)
from reviewbot.pack.pairing import is_test

BASELINES = (
    "path order",
    "BM25 (diff)",
    "co-change",
    "RRF(path,BM25,co)",
    "RRF(BM25,co)",
    "BM25 (diff+message)",
    "RRF(BM25+message,co)",
)
METHODS = (*BASELINES, "aider repo map", "reviewbot")
ROLES = ("tuning", "validation", "reporting")
ROLE_NOTE = {"validation": " (never fitted on)", "reporting": " (never tuned on)"}
# Validation and reporting together: every sample the model was never fitted on, pooled
# per language (40 samples a repository leave wide intervals; this pool the narrowest).
UNFITTED = "never fitted on (validation and reporting)"


def pools(role: str) -> tuple[str, ...]:
    """The pools a sample of ``role`` counts in; each is also pooled per language
    (``"pool, language"``) and per part of ``SPLITS`` (``"pool / split: kind"``)."""
    return (role, UNFITTED) if role != "tuning" else (role,)


def absorb(pooled: dict[str, dict[str, Tally]], group: str, tallies: Mapping[str, Tally]) -> None:
    """Add reviewbot's and the baselines' tallies to the pooled ``group``."""
    into = pooled.setdefault(group, {})
    for method in ("reviewbot", *BASELINES):
        into.setdefault(method, Tally()).absorb(tallies[method])


def load_samples(
    repos: list[dict[str, str]], root: Path, commits: int, seed: int, resample: bool
) -> dict[str, list[Sample]]:
    stored = json.loads(SAMPLES.read_text()) if SAMPLES.exists() else {}
    changed = False
    for repo in repos:
        name = repo["name"]
        if resample or name not in stored:
            path = repo_path(root, name)
            drawn = draw_samples(path, repo["language"], commits, seed)
            stored[name] = [[s.sha, s.hidden] for s in drawn]
            changed = True
    if changed:
        SAMPLES.write_text(json.dumps(stored, indent=1, sort_keys=True) + "\n")
    return {r["name"]: [Sample(sha, hidden) for sha, hidden in stored[r["name"]]] for r in repos}


def cached_dump(root: Path, name: str, sample: Sample, version: str) -> dict:  # type: ignore[type-arg]
    file = cache_file(version, name, sample)
    key = f"{sample.sha}:{sample.hidden}"
    if file.exists():
        data = json.loads(file.read_text())
        if data.get("key") == key:
            return data  # type: ignore[no-any-return]
    data = {"key": key, **evaluate_sample(repo_path(root, name), sample)}
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(json.dumps(data))
    return data


def aider_rankings(
    python: str | None,
    root: Path,
    name: str,
    samples: list[Sample],
    dumps: list[dict],  # type: ignore[type-arg]
) -> dict[str, list[str]]:
    if not python:
        return {}
    from bench.recall_aider_call import run_aider

    return run_aider(python, repo_path(root, name), name, samples, dumps, CACHE / "aider")


# Parts of a repository's samples: hidden tests against other code, and commits that follow
# the author's own (their history holds the author's earlier steps, see
# ``follows_own_commit``) against the rest, whose history is like a pull request's.
SPLITS = {
    "hidden file": ("tests", "other code"),
    "the commit before": ("the author's own", "another's or older"),
}


def split_kinds(root: Path, name: str, sample: Sample) -> list[str]:
    """The sample's part of each of ``SPLITS``, as ``"split: kind"``."""
    own = follows_own_commit(repo_path(root, name), sample.sha)
    return [
        f"hidden file: {'tests' if is_test(sample.hidden) else 'other code'}",
        f"the commit before: {SPLITS['the commit before'][0 if own else 1]}",
    ]


def table(
    name: str,
    tallies: Mapping[str, Tally],
    splits: Mapping[str, Mapping[str, Tally]],  # "split: kind" -> method -> tally
    seconds: float,
    methods: Sequence[str],
) -> str:
    n = tallies["reviewbot"].n
    unseen = tallies["reviewbot"].unseen
    lines = [
        f"\n{name}: {n} hidden files, {unseen} of them unseen by the packer ({seconds:.0f} s)",
        "| method | hit@16K | hit@64K | hit@256K | MRR | MRR, 95 % interval |",
        "|---|---|---|---|---|---|",
    ]
    for method in methods:
        row = tallies[method].row()
        lines.append(
            f"| {method} | {row['hit@16K']:.2f} | {row['hit@64K']:.2f} | "
            f"{row['hit@256K']:.2f} | {row['MRR']:.3f} | "
            f"{row['MRR low']:.3f}-{row['MRR high']:.3f} |"
        )
    for split, kinds in SPLITS.items():
        parts = [(k, splits[f"{split}: {k}"]["reviewbot"]) for k in kinds]
        told = ", ".join(f"{kind} {t.n} (MRR {t.mrr:.3f})" for kind, t in parts if t.n)
        lines.append(f"reviewbot by {split}: {told}")
    best, diff, low, high = lead(tallies)
    lines.append(
        f"reviewbot minus the best baseline ({best}): {diff:+.3f} MRR, "
        f"paired 95 % interval {low:+.3f} to {high:+.3f}"
    )
    return "\n".join(lines)


def lead(tallies: Mapping[str, Tally]) -> tuple[str, float, float, float]:
    """The baseline with the best MRR, and reviewbot's MRR minus its, with the paired 95 %
    interval."""
    best = max(BASELINES, key=lambda m: tallies[m].mrr)
    return best, *paired_difference(tallies["reviewbot"], tallies[best])


def pooled_table(group: str, pooled: Mapping[str, Mapping[str, Tally]]) -> str:
    """Every sample of a group (a role, or ``UNFITTED``) together, then per language:
    reviewbot against each baseline on the same samples, with the paired interval (40
    samples per repository leave wide intervals for one repository alone)."""
    every = pooled[group]
    lines = [
        f"\n{group} repositories pooled: {every['reviewbot'].n} samples, reviewbot MRR "
        f"{every['reviewbot'].mrr:.3f}",
        "| baseline | MRR | reviewbot minus it | paired 95 % interval |",
        "|---|---|---|---|",
    ]
    for method in BASELINES:
        diff, low, high = paired_difference(every["reviewbot"], every[method])
        lines.append(
            f"| {method} | {every[method].mrr:.3f} | {diff:+.3f} | {low:+.3f} to {high:+.3f} |"
        )
    lines += _lead_header("language")
    lines += [
        _lead_row(n[len(group) + 2 :], t) for n, t in pooled.items() if n.startswith(group + ", ")
    ]
    lines += _lead_header("part")
    lines += [
        _lead_row(n[len(group) + 3 :], t)
        for n, t in pooled.items()
        if n.startswith(group + " / ") and t["reviewbot"].n
    ]
    return "\n".join(lines)


def _lead_header(first: str) -> list[str]:
    return [
        "",
        f"| {first} | samples | reviewbot MRR | best baseline, MRR | reviewbot minus it | "
        "paired 95 % interval |",
        "|---|---|---|---|---|---|",
    ]


def _lead_row(label: str, tallies: Mapping[str, Tally]) -> str:
    best, diff, low, high = lead(tallies)
    return (
        f"| {label} | {tallies['reviewbot'].n} | {tallies['reviewbot'].mrr:.3f} | "
        f"{best}, {tallies[best].mrr:.3f} | {diff:+.3f} | {low:+.3f} to {high:+.3f} |"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repos", type=Path, required=True, help="folder of fetched repositories")
    parser.add_argument("--only", nargs="*", help="repository names (owner/name) to run")
    parser.add_argument("--role", choices=ROLES, action="append", help="(repeatable)")
    parser.add_argument("--resample", action="store_true", help="draw the commits again")
    parser.add_argument("--aider-python", help="python of a venv where aider-chat is installed")
    parser.add_argument("--json", type=Path, help="write the tables as JSON")
    args = parser.parse_args(argv)
    spec = json.loads(REPOS.read_text())
    repos = [
        r
        for r in spec["repositories"]
        if (not args.only or r["name"] in args.only) and (not args.role or r["role"] in args.role)
    ]
    samples = load_samples(repos, args.repos, spec["commits"], spec["seed"], args.resample)
    version = code_version()
    results: dict[str, dict] = {}  # type: ignore[type-arg]
    pooled: dict[str, dict[str, Tally]] = {}
    for role in ROLES:
        chosen = [r for r in repos if r["role"] == role]
        if chosen:
            print(f"\n## {role} repositories{ROLE_NOTE.get(role, '')}")
        for repo in chosen:
            name, started = repo["name"], time.perf_counter()
            dumps = [cached_dump(args.repos, name, s, version) for s in samples[name]]
            aider = aider_rankings(args.aider_python, args.repos, name, samples[name], dumps)
            methods = [m for m in METHODS if m != "aider repo map" or aider]
            tallies = {m: Tally() for m in methods}
            splits = {
                f"{split}: {kind}": {m: Tally() for m in ("reviewbot", *BASELINES)}
                for split, kinds in SPLITS.items()
                for kind in kinds
            }
            for sample, dump in zip(samples[name], dumps, strict=True):
                orders = {} if dump["unseen"] else method_rankings(dump)
                if aider and not dump["unseen"]:
                    orders["aider repo map"] = complete(aider[sample.key], dump["pool"])
                record(tallies, dump, orders, sample.hidden)
                for part in split_kinds(args.repos, name, sample):
                    record(splits[part], dump, orders, sample.hidden)
            for group in pools(role):
                absorb(pooled, group, tallies)
                absorb(pooled, f"{group}, {repo['language']}", tallies)
                for part, part_tallies in splits.items():
                    absorb(pooled, f"{group} / {part}", part_tallies)
            seconds = time.perf_counter() - started
            print(table(name, tallies, splits, seconds, methods), flush=True)
            results[name] = {
                "language": repo["language"],
                "role": role,
                "n": tallies["reviewbot"].n,
                "unseen": tallies["reviewbot"].unseen,
                "methods": {m: t.row() for m, t in tallies.items()},
                "reviewbot by part": {
                    part: {"n": t["reviewbot"].n, **t["reviewbot"].row()}
                    for part, t in splits.items()
                },
            }
        if pooled.get(role):
            print(pooled_table(role, pooled), flush=True)
    if {"validation", "reporting"} <= {r["role"] for r in repos}:
        print(pooled_table(UNFITTED, pooled), flush=True)
    if args.json:
        results["pooled"] = {
            group: {m: {"n": t.n, **t.row()} for m, t in tallies.items()}
            for group, tallies in pooled.items()
        }
        args.json.write_text(json.dumps(results, indent=2))
    print(f"\nbudgets: {', '.join(f'{b // 1000}K' for b in BUDGETS)}; code version {version}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
