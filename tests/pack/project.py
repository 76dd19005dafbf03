"""A small real repository with one change, built for the ranking tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reviewbot.pack.change import Change, change_from_changeset
from reviewbot.repo import RepoView, changeset_from_git, render_changeset
from tests.helpers.gitrepo import GitRepo

CORE = '''"""Ledger arithmetic."""

from pkg.util import format_amount


class Ledger:
    def __init__(self):
        self.entries = []

    def add(self, amount):
        self.entries.append(amount)


def compute_total(entries):
    total = 0
    for amount in entries:
        total += amount
    return total
'''

CORE_CHANGED = CORE.replace(
    "    return total\n", "    return format_amount(round_half_even(total))\n"
)

FILES = {
    "pkg/__init__.py": "",
    "pkg/core.py": CORE,
    "pkg/util.py": "def format_amount(value):\n    return f'{value:.2f}'\n",
    "pkg/rounding.py": "def round_half_even(value):\n    return round(value, 2)\n",
    "pkg/api.py": "from pkg.core import compute_total\n\n\ndef report(rows):\n"
    "    return compute_total(rows)\n",
    "pkg/unrelated.py": "def greet(name):\n    return 'hello ' + name\n",
    "tests/test_core.py": "from pkg.core import Ledger\n\n\ndef test_add():\n"
    "    assert Ledger() is not None\n",
    "docs/totals.md": "How compute_total rounds: round_half_even then format_amount.\n",
    "CHANGELOG.txt": "changes\n",
    "AGENTS.md": "Review rules: money is rounded half-even.\n",
    "zzz/far/away.py": "x = 1\n",
}


def build(make_repo: Callable[..., GitRepo]) -> GitRepo:
    repo = make_repo("project")
    for path, text in FILES.items():
        repo.write(path, text)
    repo.commit("initial")
    for i in range(3):  # core.py and CHANGELOG.txt change together
        repo.write("pkg/core.py", CORE + f"\n# revision {i}\n")
        repo.write("CHANGELOG.txt", f"changes {i}\n")
        repo.commit(f"core change {i}")
    repo.write("pkg/core.py", CORE)
    repo.commit("restore core")
    repo.branch("feature")
    repo.write(
        "pkg/core.py",
        CORE_CHANGED.replace(
            "from pkg.util import format_amount\n",
            "from pkg.util import format_amount\nfrom pkg.rounding import round_half_even\n",
        ),
    )
    repo.commit("round totals")
    return repo


def change_of(root: Path, base: str = "main") -> tuple[RepoView, Change]:
    changeset = changeset_from_git(root, base=base)
    view = RepoView(root, changeset.head)
    return view, change_from_changeset(changeset, render_changeset(changeset))
