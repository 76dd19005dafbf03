"""Sharding: each of N jobs audits a deterministic, token-balanced share of the units.

The plan is a pure function of the commit and the settings, so every job of a matrix
computes the same units. They are dealt out largest first, each to the shard with the
fewest tokens so far (ties to the lower shard, units compared by size then id): the same
assignment on every machine, and shards within one unit's size of each other. Within a
shard, units keep the plan's risk order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from reviewbot.audit.plan import Unit
from reviewbot.errors import UsageError

_SHARD = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based
    count: int

    @property
    def label(self) -> str:
        return f"{self.index}/{self.count}"

    @property
    def slug(self) -> str:
        return f"shard-{self.index}-of-{self.count}"


def parse_shard(text: str) -> Shard:
    match = _SHARD.fullmatch(text)
    if match is None:
        raise UsageError(f"--shard {text!r} is not I/N", hint="for example --shard 2/4")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or not 1 <= index <= count:
        raise UsageError(
            f"--shard {text!r} is out of range", hint="I counts from 1 and is at most N"
        )
    return Shard(index, count)


def assign(units: Sequence[Unit], count: int) -> list[int]:
    """The shard (1-based) of each unit, in the order of ``units``."""
    loads = [0] * count
    owner = [0] * len(units)
    order = sorted(range(len(units)), key=lambda i: (-units[i].tokens, units[i].id))
    for i in order:
        lightest = min(range(count), key=lambda s: (loads[s], s))
        owner[i] = lightest + 1
        loads[lightest] += units[i].tokens
    return owner


def select(units: Sequence[Unit], shard: Shard | None) -> tuple[Unit, ...]:
    """The units of ``shard`` (all of them without one), in risk order."""
    if shard is None:
        return tuple(units)
    owners = assign(units, shard.count)
    return tuple(u for u, s in zip(units, owners, strict=True) if s == shard.index)
