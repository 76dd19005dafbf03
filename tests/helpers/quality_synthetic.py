"""A synthetic project history for the review-quality benchmark's tests (written for
reviewbot; not an excerpt of any other project).

``build_synthetic(cache)`` writes it as the cache repository ``synthetic/inventory`` that
tests/fixtures/quality/instances.json refers to, so the benchmark builds its instances
offline. Tags name the commits the instances use:

- ``fix-reserve``: a real bug fix (reservations beyond the available stock were accepted)
  with its test; the ``revert`` instance undoes it;
- ``feature-batches``: a feature commit; the ``mutation`` instances inject an off-by-one
  and a negated condition into it;
- ``docs-stock``: docstrings and README only; the ``clean`` instance.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.helpers.gitrepo import GitRepo

KEY = "synthetic/inventory"

STOCK_V1 = '''\
"""Stock levels for a small warehouse: what is on hand and what is reserved."""

from __future__ import annotations

from dataclasses import dataclass, field


class OutOfStock(Exception):
    """A reservation asked for more than is available."""


@dataclass
class Item:
    sku: str
    on_hand: int = 0
    reserved: int = 0

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


@dataclass
class Stock:
    items: dict[str, Item] = field(default_factory=dict)

    def receive(self, sku: str, quantity: int) -> Item:
        if quantity <= 0:
            raise ValueError("quantity must be positive")
        item = self.items.setdefault(sku, Item(sku))
        item.on_hand += quantity
        return item

    def reserve(self, sku: str, quantity: int) -> Item:
        item = self.items[sku]
        item.reserved += quantity
        return item

    def release(self, sku: str, quantity: int) -> Item:
        item = self.items[sku]
        item.reserved = max(item.reserved - quantity, 0)
        return item
'''

STOCK_FIXED = STOCK_V1.replace(
    "        item = self.items[sku]\n        item.reserved += quantity\n",
    "        item = self.items[sku]\n"
    "        if quantity > item.available:\n"
    '            raise OutOfStock(f"{sku}: {quantity} wanted, {item.available} available")\n'
    "        item.reserved += quantity\n",
)

STOCK_DOCUMENTED = STOCK_FIXED.replace(
    "    def reserve(self, sku: str, quantity: int) -> Item:\n",
    "    def reserve(self, sku: str, quantity: int) -> Item:\n"
    '        """Hold ``quantity`` of ``sku`` for an order; ``OutOfStock`` when too few."""\n',
).replace(
    "    def release(self, sku: str, quantity: int) -> Item:\n",
    "    def release(self, sku: str, quantity: int) -> Item:\n"
    '        """Give back up to ``quantity`` held units (never below zero)."""\n',
)

TESTS_V1 = """\
from inventory.stock import Stock


def test_receive_then_reserve():
    stock = Stock()
    stock.receive("A", 3)
    assert stock.reserve("A", 2).available == 1
"""

TESTS_FIXED = (
    TESTS_V1
    + """

def test_reserve_more_than_available():
    import pytest

    from inventory.stock import OutOfStock

    stock = Stock()
    stock.receive("A", 1)
    with pytest.raises(OutOfStock):
        stock.reserve("A", 2)
"""
)

BATCHES = '''\
"""Split picking lists into batches a picker can carry."""

from __future__ import annotations

from collections.abc import Sequence


def batches(skus: Sequence[str], size: int) -> list[list[str]]:
    """``skus`` in consecutive batches of at most ``size``."""
    if size < 1:
        raise ValueError("size must be at least 1")
    return [list(skus[start : start + size]) for start in range(0, len(skus), size)]


def heaviest(weights: dict[str, float], limit: int | None = None) -> list[str]:
    """SKUs by weight, heaviest first; at most ``limit`` of them when given."""
    ordered = sorted(weights, key=lambda sku: weights[sku], reverse=True)
    if limit is None:
        return ordered
    return ordered[:limit]
'''

BATCH_TESTS = """\
from inventory.batches import batches, heaviest


def test_batches():
    assert batches(["a", "b", "c"], 2) == [["a", "b"], ["c"]]


def test_heaviest():
    assert heaviest({"a": 1.0, "b": 3.0}, limit=1) == ["b"]
"""


def build_synthetic(cache: Path) -> Path:
    """The synthetic history as the bare cache repository ``cache/synthetic+inventory.git``."""
    target = cache / (KEY.replace("/", "+") + ".git")
    if target.exists():
        return target
    work = GitRepo.create(cache / "_synthetic-inventory-work")
    work.write("README.md", "# inventory\n\nStock levels for a small warehouse.\n")
    work.write("inventory/__init__.py", "")
    work.write("inventory/stock.py", STOCK_V1)
    work.write("tests/test_stock.py", TESTS_V1)
    work.commit("Stock levels: receive, reserve, release")
    work.write("inventory/stock.py", STOCK_FIXED)
    work.write("tests/test_stock.py", TESTS_FIXED)
    work.commit("Refuse reservations beyond the available stock")
    work.repo.git.tag("fix-reserve")
    work.write("inventory/batches.py", BATCHES)
    work.write("tests/test_batches.py", BATCH_TESTS)
    work.commit("Picking batches and the heaviest items first")
    work.repo.git.tag("feature-batches")
    work.write("inventory/stock.py", STOCK_DOCUMENTED)
    work.write("README.md", "# inventory\n\nStock levels for a small warehouse, and picking.\n")
    work.commit("Document reserve and release")
    work.repo.git.tag("docs-stock")
    subprocess.run(["git", "clone", "--quiet", "--bare", str(work.path), str(target)], check=True)
    return target
