"""Grouping and sharding as properties over generated trees: every file in exactly one
unit, units within the cap (a single larger file alone), the same answer for the same
input in any order, shards disjoint, complete and balanced."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewbot.audit.group import HUB_FAN_IN, group
from reviewbot.audit.plan import FileRisk, Unit, unit_id
from reviewbot.audit.shard import Shard, assign, parse_shard, select
from reviewbot.errors import UsageError

folders = st.sampled_from(["", "a", "a/b", "a/b/c", "a/d", "e", "e/f", "g/h/i"])
names = st.text(alphabet="xyz", min_size=1, max_size=3)


@st.composite
def trees(draw: st.DrawFn) -> tuple[dict[str, int], list[tuple[str, str]], int]:
    paths = draw(
        st.lists(st.tuples(folders, names), min_size=1, max_size=40, unique=True).map(
            lambda pairs: [f"{d}/{n}.py" if d else f"{n}.py" for d, n in pairs]
        )
    )
    tokens = {p: draw(st.integers(min_value=1, max_value=900)) for p in paths}
    edges = draw(st.lists(st.tuples(st.sampled_from(paths), st.sampled_from(paths)), max_size=60))
    cap = draw(st.integers(min_value=100, max_value=3000))
    return tokens, edges, cap


@given(trees())
@settings(max_examples=150, deadline=None)
def test_groups_partition_the_files_within_the_cap(
    tree: tuple[dict[str, int], list[tuple[str, str]], int],
) -> None:
    tokens, edges, cap = tree
    groups = group(tokens, edges, cap)
    seen = [p for g in groups for p in g.paths]
    assert sorted(seen) == sorted(tokens)  # every file exactly once
    for g in groups:
        assert g.tokens == sum(tokens[p] for p in g.paths)
        assert g.tokens <= cap or (len(g.paths) == 1 and g.oversized)
        assert g.reasons
    shuffled = list(tokens.items())
    random.Random(7).shuffle(shuffled)
    again = group(dict(shuffled), list(reversed(edges)), cap)
    assert sorted(g.paths for g in again) == sorted(g.paths for g in groups)


def test_imports_join_folders_but_widely_imported_files_do_not() -> None:
    tokens = {"hub/h.py": 10, "p/x.py": 10, "q/y.py": 10}
    edges = [("p/x.py", "hub/h.py"), ("p/x.py", "q/y.py")]
    hub = {"hub/h.py": HUB_FAN_IN + 1}

    def partner(fan_in: dict[str, int]) -> str:
        (joined,) = [g for g in group(tokens, edges, 20, fan_in=fan_in) if "p/x.py" in g.paths]
        (other,) = set(joined.paths) - {"p/x.py"}
        return other

    assert partner({}) == "hub/h.py"  # a tie on links, broken by path order
    assert partner(hub) == "q/y.py"  # the hub's link does not count


def test_a_folder_over_the_cap_is_cut_in_path_order() -> None:
    tokens = {f"big/m{i}.py": 40 for i in range(5)}
    groups = group(tokens, [], 100)
    assert [g.paths for g in sorted(groups, key=lambda g: g.paths)] == [
        ("big/m0.py", "big/m1.py"),
        ("big/m2.py", "big/m3.py"),
        ("big/m4.py",),
    ]
    assert all("over the unit budget of 100" in g.reasons[0] for g in groups)


def unit(n: int, tokens: int) -> Unit:
    path = f"u{n}.py"
    risk = FileRisk(path, tokens, 1, 1.0, ())
    return Unit(unit_id([path]), n, path, (risk,), tokens, float(100 - n), ())


@given(st.lists(st.integers(min_value=1, max_value=5000), max_size=50), st.integers(1, 7))
@settings(max_examples=150, deadline=None)
def test_shards_are_disjoint_complete_stable_and_balanced(sizes: list[int], count: int) -> None:
    units = [unit(i, t) for i, t in enumerate(sizes, start=1)]
    parts = [select(units, Shard(i, count)) for i in range(1, count + 1)]
    flat = [u for part in parts for u in part]
    assert sorted(u.id for u in flat) == sorted(u.id for u in units)
    assert len(flat) == len(units)
    for part in parts:  # risk order is kept within a shard
        assert [u.number for u in part] == sorted(u.number for u in part)
    loads = [sum(u.tokens for u in part) for part in parts]
    assert max(loads) - min(loads) <= max(sizes, default=0)
    assert assign(units, count) == assign(list(units), count)


def test_shard_parsing() -> None:
    assert parse_shard("2/4") == Shard(2, 4)
    assert parse_shard(" 1 / 1 ").slug == "shard-1-of-1"
    for bad in ("0/3", "4/3", "x", "1/0", "1-3"):
        with pytest.raises(UsageError):
            parse_shard(bad)
