"""Benchmark instances as data: where each one comes from, how its change is made, and
which lines hold the known defect (the gold).

An instance file is JSON::

    {"format": 1, "name": "...",
     "repositories": {"pallets/click": {"url": "https://github.com/pallets/click",
                                        "license": "BSD-3-Clause"}},
     "instances": [{"id", "kind", "repository", "commit", "why", "gold": [...], ...}]}

Kinds (``commit`` is always a real commit of the repository):

- ``revert``: a bug fix undone. Base = ``commit`` (the fix); the change reverses the fix's
  hunks in ``paths`` (its non-test files). Gold = the lines that change.
- ``mutation``: a defect injected into a real commit. Base = ``commit``'s parent; the change
  is ``commit`` with ``mutation`` applied (lines ``before`` at ``line`` of ``path``, in the
  commit's version, replaced by ``after``). Gold = the mutated line(s).
- ``clean``: a real commit never later fixed. Base = its parent, the change = the commit.
  No gold: every finding on it is a false positive.

A gold line is ``{"path", "line", "side"}``: ``RIGHT`` numbers lines of the changed file,
``LEFT`` lines of the base version (for code the change deletes).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from reviewbot.errors import UsageError
from reviewbot.repo.diff import Side

Kind = Literal["revert", "mutation", "clean"]
KINDS: tuple[Kind, ...] = ("revert", "mutation", "clean")
OPERATORS = (
    "negated-condition",
    "off-by-one",
    "swapped-arguments",
    "dropped-none-check",
    "dropped-bounds-check",
    "wrong-variable",
)
FORMAT = 1
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
_SHA = re.compile(r"^[0-9a-f]{40}$")
_REPO_KEY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class GoldLine:
    path: str
    line: int
    side: Side = "RIGHT"


@dataclass(frozen=True)
class Mutation:
    operator: str
    path: str
    line: int  # first replaced line, numbered in the commit's version of ``path``
    before: tuple[str, ...]
    after: tuple[str, ...]


@dataclass(frozen=True)
class Instance:
    id: str
    kind: Kind
    repository: str  # a key of InstanceSet.repositories
    commit: str
    why: str
    gold: tuple[GoldLine, ...] = ()
    paths: tuple[str, ...] = ()  # revert: the files whose hunks are reversed
    mutation: Mutation | None = None


@dataclass(frozen=True)
class Repository:
    key: str  # owner/name
    url: str
    license: str = ""
    note: str = ""


@dataclass(frozen=True)
class InstanceSet:
    name: str
    repositories: Mapping[str, Repository]
    instances: tuple[Instance, ...]

    def select(
        self, *, ids: Sequence[str] = (), kinds: Sequence[str] = (), limit: int | None = None
    ) -> InstanceSet:
        """The instances with these ids (all when empty) and kinds, at most ``limit``."""
        known = {i.id for i in self.instances}
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise UsageError(
                f"no instance {unknown[0]!r} in {self.name}", hint="see the ids in the file"
            )
        chosen = [
            i for i in self.instances if (not ids or i.id in ids) and (not kinds or i.kind in kinds)
        ]
        return InstanceSet(self.name, self.repositories, tuple(chosen[:limit]))


def load_instances(path: Path) -> InstanceSet:
    """Read and check an instance file; any problem is one line naming the instance."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path} is not JSON: {exc}") from exc
    try:
        return parse_instances(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(f"{path}: {exc}", hint="see docs/quality.md for the format") from exc


def parse_instances(data: Any) -> InstanceSet:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f'expected an object with "format": {FORMAT}')
    repositories = {
        key: Repository(key, str(r["url"]), str(r.get("license", "")), str(r.get("note", "")))
        for key, r in _mapping(data, "repositories").items()
    }
    for key, repository in repositories.items():
        if not _REPO_KEY.match(key):
            raise ValueError(f"repository key {key!r} is not owner/name")
        if not repository.url.startswith(("https://", "synthetic:")):
            raise ValueError(f"repository {key}: the url must start with https:// (or synthetic:)")
    instances = tuple(_instance(raw, repositories) for raw in data["instances"])
    seen: set[str] = set()
    for instance in instances:
        if instance.id in seen:
            raise ValueError(f"instance id {instance.id!r} appears twice")
        seen.add(instance.id)
    return InstanceSet(str(data.get("name", "instances")), repositories, instances)


def _mapping(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data[key]
    if not isinstance(value, dict):
        raise TypeError(f"{key!r} must be an object")
    return cast("Mapping[str, Any]", value)


def _instance(raw: Mapping[str, Any], repositories: Mapping[str, Repository]) -> Instance:
    ident = str(raw.get("id", ""))
    if not _ID.match(ident):
        raise ValueError(f"instance id {ident!r} must be lower-case letters, digits, . _ -")
    try:
        kind = raw["kind"]
        if kind not in KINDS:
            raise ValueError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
        if raw["repository"] not in repositories:
            raise ValueError(f'repository {raw["repository"]!r} is not in "repositories"')
        commit = str(raw["commit"])
        if not (_SHA.match(commit) or raw["repository"].startswith("synthetic/")):
            raise ValueError(f"commit {commit!r} is not a full 40-character sha")
        gold = tuple(_gold(g) for g in raw.get("gold", ()))
        instance = Instance(
            id=ident,
            kind=kind,
            repository=raw["repository"],
            commit=commit,
            why=str(raw["why"]),
            gold=gold,
            paths=tuple(str(p) for p in raw.get("paths", ())),
            mutation=_mutation(raw["mutation"]) if "mutation" in raw else None,
        )
        _check(instance)
    except (KeyError, TypeError, ValueError) as exc:
        detail = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        raise ValueError(f"instance {ident}: {detail}") from None
    return instance


def _gold(raw: Mapping[str, Any]) -> GoldLine:
    side = raw.get("side", "RIGHT")
    if side not in ("RIGHT", "LEFT"):
        raise ValueError(f"gold side {side!r} is not RIGHT or LEFT")
    line = raw["line"]
    if not isinstance(line, int) or line < 1:
        raise ValueError(f"gold line {line!r} is not a positive integer")
    return GoldLine(str(raw["path"]), line, side)


def _mutation(raw: Mapping[str, Any]) -> Mutation:
    if raw["operator"] not in OPERATORS:
        raise ValueError(f"mutation operator {raw['operator']!r} is not one of {OPERATORS}")
    line = raw["line"]
    if not isinstance(line, int) or line < 1:
        raise ValueError(f"mutation line {line!r} is not a positive integer")
    return Mutation(
        operator=raw["operator"],
        path=str(raw["path"]),
        line=line,
        before=tuple(str(t) for t in raw["before"]),
        after=tuple(str(t) for t in raw["after"]),
    )


def _check(instance: Instance) -> None:
    if instance.kind == "revert" and not instance.paths:
        raise ValueError('a revert lists the "paths" whose hunks it reverses')
    if instance.kind == "mutation" and instance.mutation is None:
        raise ValueError('a mutation needs "mutation"')
    if instance.kind != "mutation" and instance.mutation is not None:
        raise ValueError(f'a {instance.kind} instance has no "mutation"')
    if instance.kind == "clean" and instance.gold:
        raise ValueError("a clean instance has no gold lines")
    if instance.mutation is not None and not instance.mutation.before:
        raise ValueError('a mutation replaces at least one line ("before")')


def gold_json(gold: Sequence[GoldLine]) -> list[dict[str, Any]]:
    return [{"path": g.path, "line": g.line, "side": g.side} for g in gold]
