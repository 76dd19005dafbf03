"""Building benchmark instances as real git repositories (synthetic history, offline)."""

from __future__ import annotations

import dataclasses
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewbot.errors import RepositoryError
from reviewbot.eval.build import apply_mutation, build_instance, problems
from reviewbot.eval.instances import GoldLine, InstanceSet, Mutation


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def by_id(instances: InstanceSet, ident: str):
    return next(i for i in instances.instances if i.id == ident)


def test_every_synthetic_instance_builds_with_the_gold_its_data_gives(
    synthetic: InstanceSet, cache: Path
) -> None:
    for instance in synthetic.instances:
        built = build_instance(synthetic, instance, cache / "repos", cache / "work")
        assert problems(built) == [], instance.id
        assert git(built.root, "rev-parse", "HEAD") == built.head
        assert git(built.root, "rev-parse", "base") == built.base
        assert git(built.root, "symbolic-ref", "--short", "HEAD") == "change"
        assert git(built.root, "status", "--porcelain") == ""


def test_a_revert_undoes_the_fix_in_its_paths_only_with_a_neutral_message(
    synthetic: InstanceSet, cache: Path
) -> None:
    built = build_instance(
        synthetic, by_id(synthetic, "synthetic-revert-reserve"), cache / "repos", cache / "work"
    )
    diff = git(built.root, "diff", "base", "change")
    assert "-        if quantity > item.available:" in diff
    assert "tests/" not in diff  # the fix's test stays in the base
    assert git(built.root, "log", "-1", "--format=%s") == "Update inventory/stock.py"
    assert set(built.gold) >= {GoldLine("inventory/stock.py", 36, "LEFT")}


def test_an_instance_repository_reaches_no_later_commit(
    synthetic: InstanceSet, cache: Path
) -> None:
    built = build_instance(
        synthetic, by_id(synthetic, "synthetic-revert-reserve"), cache / "repos", cache / "work"
    )
    later = git(cache / "repos" / "synthetic+inventory.git", "rev-parse", "docs-stock")
    assert later not in git(built.root, "rev-list", "--all").split()
    assert git(built.root, "for-each-ref", "--format=%(refname)").split() == [
        "refs/heads/base",
        "refs/heads/change",
    ]


def test_a_mutation_keeps_the_commit_s_message_and_author(
    synthetic: InstanceSet, cache: Path
) -> None:
    built = build_instance(
        synthetic, by_id(synthetic, "synthetic-mutation-negated"), cache / "repos", cache / "work"
    )
    original = git(
        cache / "repos" / "synthetic+inventory.git",
        "log",
        "-1",
        "--format=%an%n%B",
        "feature-batches",
    )
    assert git(built.root, "log", "-1", "--format=%an%n%B") == original
    assert "    if limit is not None:" in git(built.root, "show", "change:inventory/batches.py")
    assert git(built.root, "rev-parse", "change^") == git(built.root, "rev-parse", "base")


def test_builds_are_reproducible_and_reused(synthetic: InstanceSet, cache: Path) -> None:
    for ident in ("synthetic-mutation-off-by-one", "synthetic-revert-reserve"):
        instance = by_id(synthetic, ident)
        first = build_instance(synthetic, instance, cache / "repos", cache / "a")
        time.sleep(1.1)  # a sha that depended on the clock would now differ
        second = build_instance(synthetic, instance, cache / "repos", cache / "b")
        assert first.head == second.head, ident  # fixed authors and dates: the same sha
        head_file = first.root / ".git" / "HEAD"
        before = head_file.stat().st_mtime_ns
        again = build_instance(synthetic, instance, cache / "repos", cache / "a")
        assert again == first
        assert head_file.stat().st_mtime_ns == before  # reused, not rebuilt


def test_changed_data_rebuilds_the_instance(synthetic: InstanceSet, cache: Path) -> None:
    instance = by_id(synthetic, "synthetic-mutation-off-by-one")
    first = build_instance(synthetic, instance, cache / "repos", cache / "w")
    assert instance.mutation is not None
    other = dataclasses.replace(
        instance,
        mutation=dataclasses.replace(instance.mutation, after=("    return []",)),
    )
    rebuilt = build_instance(synthetic, other, cache / "repos", cache / "w")
    assert rebuilt.head != first.head
    assert "    return []" in git(rebuilt.root, "show", "change:inventory/batches.py")


def test_a_mutation_whose_line_is_not_there_is_an_error(
    synthetic: InstanceSet, cache: Path
) -> None:
    instance = by_id(synthetic, "synthetic-mutation-negated")
    assert instance.mutation is not None
    wrong = dataclasses.replace(instance, mutation=dataclasses.replace(instance.mutation, line=17))
    with pytest.raises(RepositoryError, match=r"batches.py:17 reads .*, not ' if limit is None:'"):
        build_instance(synthetic, wrong, cache / "repos", cache / "w")


def test_gold_that_differs_from_the_built_change_is_reported(
    synthetic: InstanceSet, cache: Path
) -> None:
    instance = by_id(synthetic, "synthetic-mutation-negated")
    moved = dataclasses.replace(instance, gold=(GoldLine("inventory/batches.py", 30),))
    built = build_instance(synthetic, moved, cache / "repos", cache / "w")
    assert problems(built)[0].startswith("gold in the data differs from the built change")


def test_a_commit_missing_from_the_repository_is_a_clear_error(
    synthetic: InstanceSet, cache: Path
) -> None:
    instance = dataclasses.replace(by_id(synthetic, "synthetic-clean-docs"), commit="f" * 40)
    with pytest.raises(RepositoryError, match=r"commit f{40} is not in the cache of synthetic/"):
        build_instance(synthetic, instance, cache / "repos", cache / "w")


lines = st.lists(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=12),
    min_size=1,
    max_size=12,
)


@given(lines, st.sampled_from(["\n", "\r\n"]), st.data())
def test_apply_mutation_replaces_exactly_the_named_lines(body, eol, data) -> None:
    original = "".join(t + eol for t in body).encode()
    start = data.draw(st.integers(1, len(body)))
    count = data.draw(st.integers(1, len(body) - start + 1))
    after = data.draw(
        st.lists(
            st.text(
                st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=8
            ),
            max_size=3,
        )
    )
    mutation = Mutation(
        "off-by-one", "f.py", start, tuple(body[start - 1 : start - 1 + count]), tuple(after)
    )
    result = apply_mutation(original, mutation).decode()
    expected = body[: start - 1] + after + body[start - 1 + count :]
    assert result == "".join(t + eol for t in expected)
