"""Many findings in batches, GitHub Enterprise's paths, huge bodies, and a shallow clone."""

from __future__ import annotations

import subprocess

from reviewbot.github.body import parse_marker
from tests.github.conftest import Bench, comment, review_script

RULES = "".join(f"RULE_{n} = {n}  # rule number {n}\n" for n in range(1, 71))


def add_rules(bench: Bench) -> None:
    bench.repo.write("app/rules.py", RULES)
    bench.head = bench.repo.commit("rules")


def test_sixty_findings_go_out_in_batches_of_at_most_thirty(bench: Bench) -> None:
    add_rules(bench)
    event = bench.seed()
    calls = [
        comment("app/rules.py", n, f"Rule{n} constant shadows builtin{n}", severity="minor")
        for n in range(1, 61)
    ]
    bench.k2.script(review_script(calls[:30], calls[30:]))
    run = bench.run(event, "--max-comments", "60")
    assert run.code == 0, run.stderr
    first, last = bench.reviews()
    assert [len(first["comments"]), len(last["comments"])] == [30, 30]
    head_part, final = parse_marker(first["body"]), parse_marker(last["body"])
    assert head_part is not None and (head_part.part, head_part.parts) == (1, 2)
    assert final is not None and final.final and final.total == 60
    assert "comments 1–30 of 60" in first["body"]
    assert "**60 new finding(s)**" in last["body"]
    lines = sorted(c["line"] for c in bench.comments())
    assert lines == list(range(1, 61))
    assert run.outputs["new-findings"] == "60"
    assert bench.run(event, "--max-comments", "60").code == 0  # and nothing more on a re-run
    assert len(bench.comments()) == 60


def test_max_comments_caps_what_is_posted(bench: Bench) -> None:
    add_rules(bench)
    event = bench.seed()
    calls = [comment("app/rules.py", n, f"Rule{n} shadows builtin{n}") for n in range(1, 11)]
    bench.k2.script(review_script(calls))
    run = bench.run(event, "--max-comments", "4")
    assert run.code == 0, run.stderr
    assert len(bench.comments()) == 4
    assert "6 finding(s) over max_comments" in bench.reviews()[0]["body"]


def test_a_huge_finding_body_is_cut_under_githubs_limit(bench: Bench) -> None:
    event = bench.seed()
    huge = "```python\n" + "x = 1\n" * 15_000 + "```\nafter the fence\n"
    bench.k2.script(review_script(comment("app/cache.py", 11, "Huge", body=huge), summary=huge))
    run = bench.run(event)
    assert run.code == 0, run.stderr
    (review,) = bench.reviews()
    (posted,) = review["comments"]
    for body in (review["body"], posted["body"]):
        assert len(body) <= 65_536
        assert body.count("```") % 2 == 0  # the open fence was closed
        assert body.rstrip().endswith("_(cut here to fit GitHub's 65,536-character limit)_")


def test_github_enterprise_paths(bench: Bench) -> None:
    event = bench.seed()
    bench.k2.script(review_script(comment("app/cache.py", 11, "Clock read on every get")))
    run = bench.run(event, ghes=True)
    assert run.code == 0, run.stderr
    assert len(bench.reviews()) == 1
    paths = {r.path for r in bench.server.requests}
    assert all(p.startswith("/api/v3/") or p == "/api/graphql" for p in paths), paths
    assert "/api/graphql" in paths


def test_a_shallow_clone_says_to_fetch_the_history(bench: Bench) -> None:
    event = bench.seed()
    shallow = bench.tmp / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "--branch", "changes",
         f"file://{bench.repo.path}", str(shallow)],
        check=True,
    )  # fmt: skip
    run = bench.run(event, cwd=shallow)
    assert run.code == 3
    (line,) = run.stderr.strip().splitlines()[-1:]
    assert f"the base commit {bench.base[:12]} is not in this clone" in line
    assert "fetch-depth: 0" in line
    assert bench.reviews() == [] and bench.k2.requests == []


def test_left_side_comments_and_ranges_with_suggestions(bench: Bench) -> None:
    bench.repo.write("app/util.py", "def clamp(x, lo, hi):\n    return x\n")
    bench.head = bench.repo.commit("util: drop the clamping")
    event = bench.seed()
    bench.k2.script(
        review_script(
            [
                comment("app/util.py", 2, "Clamping was removed", side="LEFT"),
                comment("app/util.py", 1, "Range check is now missing", end_line=2,
                        suggestion="def clamp(x, lo, hi):\n    return max(lo, min(x, hi))\n"),
            ]
        )
    )  # fmt: skip
    run = bench.run(event)
    assert run.code == 0, run.stderr
    by_side = {c["side"]: c for c in bench.comments()}
    assert (by_side["LEFT"]["line"], by_side["LEFT"]["start_line"]) == (2, None)
    right = by_side["RIGHT"]
    assert (right["start_line"], right["start_side"], right["line"]) == (1, "RIGHT", 2)
    assert (
        "```suggestion\ndef clamp(x, lo, hi):\n    return max(lo, min(x, hi))\n```" in right["body"]
    )
