"""The import reader behind tests/test_architecture.py finds what it must."""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tests.helpers.imports import find_cycle, package_of, read_imports


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "pkg"


def test_late_and_type_checking_imports_count(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.b import B\n"
            ),
            "pkg/b.py": "def f():\n    from pkg import a\n    import httpx\n",
            "pkg/sub/__init__.py": "from .c import C\n",
            "pkg/sub/c.py": "from ..a import thing\nimport os\n",
        },
    )
    found = read_imports(root)
    assert found.graph["pkg.a"] == {"pkg.b"}
    assert found.graph["pkg.b"] == {"pkg.a"}
    assert found.graph["pkg.sub"] == {"pkg.sub.c"}
    assert found.graph["pkg.sub.c"] == {"pkg.a"}
    assert found.external["pkg.b"] == {"httpx"} and found.external["pkg.sub.c"] == set()
    assert find_cycle(found.graph) == ["pkg.a", "pkg.b", "pkg.a"]


def test_package_of() -> None:
    assert package_of("reviewbot.repo.diff") == "repo"
    assert package_of("reviewbot.cli") == "cli"
    assert package_of("reviewbot") == "reviewbot"


@given(st.integers(min_value=1, max_value=30), st.data())
def test_a_chain_has_no_cycle_until_it_is_closed(n: int, data: st.DataObject) -> None:
    nodes = [f"m{i}" for i in range(n)]
    graph = {a: {b} for a, b in itertools.pairwise(nodes)}
    assert find_cycle(graph) is None
    back = data.draw(st.integers(min_value=0, max_value=n - 1))
    graph.setdefault(nodes[-1], set()).add(nodes[back])
    cycle = find_cycle(graph)
    assert cycle is not None and cycle[0] == cycle[-1] == nodes[back]
    assert len(cycle) == n - back + 1
