"""A local diff larger than ``max_diff_bytes`` is refused while it streams, never read whole.

Issue 14, item 9: the diff was read whole before any size cap (a 96 MB diff took 6 GB and
2 min 21 s in ``review --dry-run``). Here a 12 MB diff against a 2 MiB cap: one line, exit 2,
and the process never holds the diff (its peak memory stays near an idle run's).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.helpers.gitrepo import GitRepo
from tests.helpers.launch import reviewbot

CAP = 2 << 20
LINE = "value = 'x' * 80  # a line of generated text to make the diff large\n"


@pytest.fixture
def big_change(make_repo: Callable[..., GitRepo]) -> GitRepo:
    repo = make_repo("big")
    repo.write("app/small.py", "A = 1\n")
    repo.commit("initial")
    repo.branch("feature")
    repo.write("app/small.py", "A = 2\n")
    for n in range(2):  # each under the 16 MiB per-blob limit, so diffed as text
        repo.write(f"data/generated{n}.py", LINE * (6_000_000 // len(LINE)))
    repo.commit("generated data")
    return repo


def test_a_diff_over_the_cap_is_refused_as_it_streams(big_change: GitRepo) -> None:
    env = {"REVIEWBOT_MAX_DIFF_BYTES": str(CAP), "NO_COLOR": "1"}
    run = reviewbot(big_change.path, "review", "--base", "main", "--dry-run", env=env)
    assert run.code == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "larger than 2 MiB (max_diff_bytes)" in lines[0], lines
    assert "reviewbot review -- PATH" in lines[0]
    # An idle dry run peaks around 130 MiB; holding and parsing 12 MB of diff took ~60x that.
    assert run.peak_rss_kib < 250 * 1024, run.peak_rss_kib


def test_paths_narrow_what_the_cap_counts(big_change: GitRepo) -> None:
    env = {"REVIEWBOT_MAX_DIFF_BYTES": str(CAP), "NO_COLOR": "1"}
    run = reviewbot(
        big_change.path, "review", "--base", "main", "--dry-run", "--", "app/small.py", env=env
    )
    assert run.code == 0, run.stderr
    assert "app/small.py" in run.stdout
