"""The changed call paths come from the parsed code of a real repository."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reviewbot.repo import ChangeSet, RepoView, changeset_from_git
from reviewbot.walkthrough import build_walkthrough, call_graph, walkthrough_markdown
from tests.helpers.gitrepo import GitRepo
from tests.helpers.mermaid import assert_diagrams_parse, mermaid_parser
from tests.helpers.samples import SHOP_AFTER, SHOP_BEFORE


@pytest.fixture
def shop(repo: GitRepo) -> Iterator[tuple[RepoView, ChangeSet]]:
    for path, text in SHOP_BEFORE.items():
        repo.write(path, text)
    base = repo.commit("shop")
    for path, text in SHOP_AFTER.items():
        repo.write(path, text)
    head = repo.commit("discount codes")
    with RepoView(repo.path, head) as view:
        yield view, changeset_from_git(repo.path, base=base, head=head)


def test_calls_follow_imports_across_modules(shop: tuple[RepoView, ChangeSet]) -> None:
    view, changes = shop
    graph = call_graph(view, changes)
    named = {s.key: f"{s.path}:{s.name}" for s in graph.symbols}
    calls = {(named[a], named[b]) for a, b in graph.calls}
    assert ("shop/api.py:checkout", "shop/cart.py:total") in calls
    assert ("shop/cart.py:total", "shop/pricing.py:discount") in calls
    assert ("shop/cart.py:total", "shop/pricing.py:with_tax") in calls
    styles = {f"{s.path}:{s.name}": s.style for s in graph.symbols}
    assert styles["shop/pricing.py:discount"] == "added"
    assert styles["shop/cart.py:total"] == "changed"
    assert styles["shop/pricing.py:with_tax"] == "context"
    assert graph.crosses_modules


def test_multi_module_walkthrough_has_a_diagram_that_parses(
    shop: tuple[RepoView, ChangeSet],
) -> None:
    view, changes = shop
    walk = build_walkthrough(view, changes)
    text = walkthrough_markdown(walk, prose=lambda s: s)
    assert assert_diagrams_parse(text) == 1
    assert "flowchart LR" in walk.diagram
    parsed = mermaid_parser().parse(walk.diagram)
    assert parsed.type.startswith("flowchart")
    purposes = {row.path: row.purpose for row in walk.rows}
    assert purposes == {
        "shop/api.py": "code",
        "shop/cart.py": "code",
        "shop/pricing.py": "code",
        "tests/test_cart.py": "tests",
        "README.md": "docs",
    }


def test_diagram_never_and_single_module_changes_draw_nothing(
    shop: tuple[RepoView, ChangeSet],
) -> None:
    view, changes = shop
    assert build_walkthrough(view, changes, diagram="never").diagram == ""
    one = ChangeSet(
        base=changes.base, head=changes.head, files=tuple(
            f for f in changes.files if f.path == "shop/pricing.py"
        )
    )  # fmt: skip
    walk = build_walkthrough(view, one)
    assert walk.diagram == "" and "mermaid" not in walkthrough_markdown(walk, lambda s: s)
