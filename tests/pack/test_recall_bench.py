"""The recall benchmark's bookkeeping: unseen files are misses, tuning and reporting apart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bench.recall import BASELINES, UNFITTED, lead, pooled_table, pools
from bench.recall_eval import Tally, mean_interval, method_rankings, paired_difference, record
from bench.recall_samples import cache_file, follows_own_commit, tuning_samples
from tests.helpers.gitrepo import GitRepo

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
    assert {r["role"] for r in spec["repositories"]} == {"tuning", "validation", "reporting"}
    reporting = Counter(r["language"] for r in spec["repositories"] if r["role"] == "reporting")
    assert set(reporting) == {"python", "go", "typescript", "rust", "java"}
    assert min(reporting.values()) >= 2
    samples = json.loads((BENCH / "recall_samples.json").read_text())
    assert set(samples) == set(roles)


def test_the_mrr_interval_holds_the_mrr_and_is_the_same_on_every_run() -> None:
    tally = Tally()
    for rank in (1, 1, 2, 5, 0, 3, 1, 10):
        if rank:
            tally.ranks.append(rank)
        else:
            tally.miss()
    row = tally.row()
    assert row["MRR low"] < row["MRR"] < row["MRR high"]
    assert mean_interval(tally.reciprocal()) == mean_interval(tally.reciprocal())
    assert mean_interval([0.5] * 40) == (0.5, 0.5)  # no spread, no width


def test_the_paired_difference_is_zero_for_equal_methods_and_signed_otherwise() -> None:
    a, b = Tally(), Tally()
    a.ranks += [1, 1, 2, 1, 1, 4]
    b.ranks += [2, 3, 2, 1, 5, 4]
    assert paired_difference(a, a) == (0.0, 0.0, 0.0)
    diff, low, high = paired_difference(a, b)
    assert diff == a.row()["MRR"] - b.row()["MRR"] > 0
    assert 0.0 <= low <= diff <= high  # never worse on any sample: the interval stays >= 0
    assert paired_difference(b, a)[0] == -diff


def test_a_sample_is_cached_under_the_same_name_in_every_process() -> None:
    """``hash()`` of a str is salted per process: a name built from it made each run write
    a new copy of every sample, and the tuning read every copy."""
    code = "from bench.recall_samples import Sample; print(Sample('ab' * 20, 'src/x.py').file_name)"
    names = {
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=BENCH.parent,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(names) == 1 and names.pop().startswith("abababababab-")


def test_pooling_keeps_every_sample_hit_and_miss() -> None:
    sizes = {"a.py": 400, "big.py": 4_000_000}
    one, two, pooled = Tally(), Tally(), Tally()
    one.add(["a.py"], sizes, "a.py")
    two.add(["big.py", "a.py"], sizes, "a.py")  # past 256K tokens: a rank, no hit
    two.miss(unseen=True)
    pooled.absorb(one)
    pooled.absorb(two)
    assert (pooled.n, pooled.unseen) == (3, 1)
    assert pooled.row()["hit@256K"] == 1 / 3
    assert pooled.row()["MRR"] == (1 + 1 / 2) / 3


def test_the_never_fitted_pool_holds_validation_and_reporting_samples_only() -> None:
    assert pools("tuning") == ("tuning",)
    for role in ("validation", "reporting"):
        assert pools(role) == (role, UNFITTED)


def test_a_pooled_table_has_a_row_per_language_and_per_part_of_its_group() -> None:
    def tallies(ranks: list[int]) -> dict[str, Tally]:
        out = {m: Tally() for m in ("reviewbot", *BASELINES)}
        for tally in out.values():
            tally.ranks += [9] * len(ranks)
        out["reviewbot"].ranks[:] = ranks
        return out

    pooled = {
        "reporting": tallies([1, 2]),
        "reporting, go": tallies([1, 2]),
        "reporting / the commit before: the author's own": tallies([2]),
        "validation / the commit before: the author's own": tallies([4]),
    }
    rows = [line.split(" | ")[0] for line in pooled_table("reporting", pooled).splitlines()]
    assert "| go" in rows
    assert rows.count("| the commit before: the author's own") == 1
    assert sum("the commit before" in row for row in rows) == 1  # validation's is not here
    assert not [row for row in rows if "validation" in row]


def test_a_commit_follows_its_authors_own_when_its_parent_is_theirs_and_recent(
    tmp_path: Path,
) -> None:
    repo = GitRepo.create(tmp_path)
    day = 86_400

    def commit(author: str, at: int) -> str:
        stamp = f"{1_700_000_000 + at} +0000"
        repo.git("commit", "--allow-empty", "-m", "step", f"--author={author} <{author}@x.invalid>",
                 f"--date={stamp}")  # fmt: skip
        return repo.head()

    first = commit("ann", 0)
    second = commit("ann", 3600)  # an hour after her own
    third = commit("bob", 7200)  # after ann's
    fourth = commit("bob", 7200 + 4 * day)  # his own, but four days on
    assert not follows_own_commit(tmp_path, first)  # no parent
    assert follows_own_commit(tmp_path, second)
    assert not follows_own_commit(tmp_path, third)
    assert not follows_own_commit(tmp_path, fourth)


def test_the_fitting_reads_the_tuning_repositories_only() -> None:
    spec = json.loads((BENCH / "recall_repos.json").read_text())
    tuning = {r["name"] for r in spec["repositories"] if r["role"] == "tuning"}
    chosen = tuning_samples()
    assert set(chosen) == tuning
    stored = json.loads((BENCH / "recall_samples.json").read_text())
    assert all([[s.sha, s.hidden] for s in chosen[n]] == stored[n] for n in tuning)
    some = chosen[min(tuning)][0]
    assert cache_file("v1", "a/b", some).parts[-3:] == ("v1", "a+b", some.file_name)


def test_the_lead_is_over_the_baseline_with_the_best_mrr() -> None:
    tallies = {m: Tally() for m in ("reviewbot", *BASELINES)}
    ranks_of = ([9, 9], [3, 2], [2, 2], [5, 4], [4, 3], [3, 3], [2, 3])
    for method, ranks in zip(BASELINES, ranks_of, strict=True):
        tallies[method].ranks += ranks
    tallies["reviewbot"].ranks += [1, 2]
    best, diff, low, high = lead(tallies)
    assert best == "co-change"  # MRR 0.5, the others below it
    assert diff == 0.75 - 0.5 and low <= diff <= high


def test_the_message_baselines_add_the_messages_bm25_to_the_diffs() -> None:
    dump = {
        "pool": ["a.py", "b.py", "c.py", "d.py"],
        "changed": ["x.py"],
        "signals": {
            "lexical": {"a.py": 1.0, "b.py": 0.5},
            "description": {"b.py": 1.0, "c.py": 0.2},
            "cochange": {"d.py": 1.0},
        },
    }
    orders = method_rankings(dump)
    assert orders["BM25 (diff)"] == ["a.py", "b.py", "c.py", "d.py"]
    assert orders["BM25 (diff+message)"] == ["b.py", "a.py", "c.py", "d.py"]  # 1.5, 1.0, 0.2
    assert orders["RRF(BM25+message,co)"][:2] == ["b.py", "d.py"]  # each first in one list
