"""docs/security.md stays true: each item of issue 14 has a row in the threat model, and
every test a row names exists (the file, and the test function when one is named)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TABLE_ROW = re.compile(r"^\| (14\.\d+|—) \|", re.M)
NAMED_TEST = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?`")


def test_every_item_has_a_row_and_every_named_test_exists() -> None:
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    items = set(TABLE_ROW.findall(text))
    assert {f"14.{n}" for n in range(1, 13)} <= items
    named = NAMED_TEST.findall(text)
    assert len(named) > 20
    for path, function in named:
        source = ROOT / path
        assert source.is_file(), path
        if function:
            assert re.search(rf"^def {function}\(", source.read_text(), re.M), (path, function)
