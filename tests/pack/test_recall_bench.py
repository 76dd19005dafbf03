"""The recall benchmark's bookkeeping: unseen files are misses, tuning and reporting apart."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from bench.recall_eval import Tally, record

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_a_file_the_packer_cannot_see_is_a_miss_for_the_method() -> None:
    tally = Tally()
    tally.add(["a.py", "b.py"], {"a.py": 400, "b.py": 400}, "b.py")  # found second
    tally.miss(unseen=True)
    assert (tally.n, tally.unseen) == (2, 1)
    assert tally.row()["MRR"] == 0.25  # (1/2 + 0) / 2: the unseen sample stays in the mean


def test_every_method_counts_an_unseen_sample_as_a_miss() -> None:
    tallies = {"path order": Tally(), "reviewbot": Tally()}
    seen = {"unseen": False, "sizes": {"a.py": 400}}
    record(tallies, seen, {"path order": ["a.py"], "reviewbot": ["a.py"]}, "a.py")
    record(tallies, {"unseen": True, "sizes": {}}, {}, "gen.py")
    for tally in tallies.values():
        assert (tally.n, tally.unseen, tally.row()["MRR"]) == (2, 1, 0.5)


def test_reporting_repositories_are_never_tuning_ones() -> None:
    spec = json.loads((BENCH / "recall_repos.json").read_text())
    roles: dict[str, set[str]] = {}
    for repo in spec["repositories"]:
        roles.setdefault(repo["name"], set()).add(repo["role"])
    assert all(len(r) == 1 for r in roles.values())
    reporting = Counter(r["language"] for r in spec["repositories"] if r["role"] == "reporting")
    assert set(reporting) == {"python", "go", "typescript", "rust", "java"}
    assert min(reporting.values()) >= 2
    samples = json.loads((BENCH / "recall_samples.json").read_text())
    assert set(samples) == set(roles)
