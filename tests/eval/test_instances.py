"""Instance files: the public set is well formed, and bad data is a one-line error."""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from reviewbot.errors import UsageError
from reviewbot.eval.instances import KINDS, OPERATORS, load_instances, parse_instances
from tests.eval.conftest import INSTANCES, PUBLIC


def test_the_public_set_is_well_formed() -> None:
    instances = load_instances(PUBLIC)
    kinds = Counter(i.kind for i in instances.instances)
    assert len(instances.instances) >= 60
    assert len({i.repository for i in instances.instances}) >= 4
    assert min(kinds[k] for k in KINDS) >= 15, kinds
    used = {i.mutation.operator for i in instances.instances if i.mutation is not None}
    assert used == set(OPERATORS)
    assert {i.kind for i in instances.instances} <= set(KINDS)
    for instance in instances.instances:
        repository = instances.repositories[instance.repository]
        assert repository.url.startswith("https://github.com/"), instance.id
        assert repository.license, instance.id
        assert len(instance.why) >= 40, f"{instance.id}: say why it is a bug (or clean)"
        if instance.kind == "revert":
            assert not any("test" in p.split("/")[0] for p in instance.paths), instance.id
        if instance.kind != "clean":
            assert instance.gold, instance.id
        if instance.mutation is not None:
            assert instance.mutation.operator in OPERATORS


def _data() -> dict[str, Any]:
    return json.loads(INSTANCES.read_text())


def _broken(change) -> dict[str, Any]:
    data = copy.deepcopy(_data())
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format=2), 'expected an object with "format": 1'),
        (lambda d: d["instances"][0].update(kind="bug"), "kind 'bug' is not one of"),
        (
            lambda d: d["instances"][0].pop("why"),
            "instance synthetic-revert-reserve: missing 'why'",
        ),
        (lambda d: d["instances"][1].update(id="synthetic-revert-reserve"), "appears twice"),
        (lambda d: d["instances"][0].update(repository="a/b"), "repository 'a/b' is not in"),
        (lambda d: d["instances"][0].update(paths=[]), 'a revert lists the "paths"'),
        (
            lambda d: d["instances"][3].update(gold=[{"path": "a", "line": 1}]),
            "a clean instance has no gold",
        ),
        (
            lambda d: d["instances"][1]["mutation"].update(operator="typo"),
            "mutation operator 'typo'",
        ),
        (lambda d: d["instances"][1]["gold"][0].update(line=0), "gold line 0 is not a positive"),
        (lambda d: d["instances"][1]["gold"][0].update(side="BOTH"), "gold side 'BOTH'"),
        (lambda d: d["instances"][0].update(id="Has Space"), "must be lower-case"),
        (
            lambda d: d["repositories"]["synthetic/inventory"].update(url="ext::sh -c x"),
            "must start with https://",
        ),
    ],
)
def test_bad_data_is_named_in_one_line(change, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as caught:
        parse_instances(_broken(change))
    assert "\n" not in str(caught.value)


def test_a_public_instance_needs_a_full_sha() -> None:
    data = json.loads(PUBLIC.read_text())
    data["instances"][0]["commit"] = "05b795c9"
    with pytest.raises(ValueError, match="is not a full 40-character sha"):
        parse_instances(data)


def test_load_errors_are_usage_errors(tmp_path: Path) -> None:
    bad = tmp_path / "i.json"
    bad.write_text("{")
    with pytest.raises(UsageError, match="is not JSON"):
        load_instances(bad)
    with pytest.raises(UsageError, match="cannot read"):
        load_instances(tmp_path / "missing.json")


def test_select_by_id_kind_and_limit() -> None:
    instances = load_instances(INSTANCES)
    assert [i.id for i in instances.select(kinds=["mutation"]).instances] == [
        "synthetic-mutation-off-by-one",
        "synthetic-mutation-negated",
    ]
    assert len(instances.select(limit=2).instances) == 2
    with pytest.raises(UsageError, match="no instance 'x'"):
        instances.select(ids=["x"])
