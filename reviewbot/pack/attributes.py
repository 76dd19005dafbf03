"""``linguist-generated`` / ``linguist-vendored`` from the tree's ``.gitattributes`` files.

Evaluated in one pass over the paths, for any commit (``git check-attr --source`` needs
git 2.40): every ``.gitattributes`` of the tree is read once, its lines for the two
attributes are compiled to regular expressions, and each path takes the value of the last
matching line, deeper files winning over shallower ones, as git does.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from reviewbot.pack.candidates import GENERATED_ATTRIBUTES
from reviewbot.repo.globs import pattern_regex


@dataclass(frozen=True)
class _Rule:
    regex: re.Pattern[str]
    attribute: str
    value: str
    depth: int
    order: int


def _value(token: str, attribute: str) -> str | None:
    if token == attribute:
        return "set"
    if token in (f"-{attribute}", f"!{attribute}"):
        return "unset"
    if token.startswith(attribute + "="):
        return token.split("=", 1)[1]
    return None


def parse(folder: str, text: str, order: int) -> list[_Rule]:
    rules: list[_Rule] = []
    depth = folder.count("/") + 1 if folder else 0
    for n, raw in enumerate(text.splitlines()):
        parts = raw.split()
        if not parts or parts[0].startswith("#"):
            continue
        pattern, tokens = parts[0], parts[1:]
        for attribute in GENERATED_ATTRIBUTES:
            for token in tokens:
                value = _value(token, attribute)
                if value is None:
                    continue
                source = pattern_regex(pattern, prefix=folder)
                if source is None:
                    continue
                rules.append(
                    _Rule(
                        re.compile(source, re.DOTALL), attribute, value, depth, order * 100000 + n
                    )
                )
    return rules


def evaluate(files: Mapping[str, str], paths: Iterable[str]) -> dict[str, dict[str, str]]:
    """``{path: {attribute: value}}`` for the paths that have one of the two attributes.

    ``files`` maps each ``.gitattributes`` path to its text.
    """
    rules: list[_Rule] = []
    for order, (path, text) in enumerate(sorted(files.items())):
        rules.extend(parse(posixpath.dirname(path), text, order))
    if not rules:
        return {}
    rules.sort(key=lambda r: (r.depth, r.order))
    combined = re.compile("|".join(f"(?:{r.regex.pattern})" for r in rules), re.DOTALL)
    out: dict[str, dict[str, str]] = {}
    for path in paths:
        if not combined.match(path):  # one regex test for the common case: no rule applies
            continue
        values: dict[str, str] = {}
        for rule in rules:  # later (deeper, then later-line) rules override
            if rule.regex.match(path):
                values[rule.attribute] = rule.value
        if values:
            out[path] = values
    return out
