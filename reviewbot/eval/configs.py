"""The configurations a benchmark run compares side by side (flags of `reviewbot review`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reviewbot.errors import UsageError


@dataclass(frozen=True)
class Configuration:
    """One way of running the review, compared side by side with the others."""

    name: str
    verify: bool = True
    budget: int | None = None  # None: the settings' own budget (the full window)

    def flags(self) -> list[str]:
        out = [] if self.verify else ["--no-verify"]
        return out + (["--budget", str(self.budget)] if self.budget else [])


CONFIGURATIONS: Mapping[str, Configuration] = {
    c.name: c
    for c in (
        Configuration("default"),
        Configuration("no-verify", verify=False),
        Configuration("budget-64k", budget=64_000),
        Configuration("no-verify-64k", verify=False, budget=64_000),
    )
}
DEFAULT_CONFIGURATIONS = ("default", "no-verify", "budget-64k")


def configurations(names: Sequence[str]) -> tuple[Configuration, ...]:
    unknown = [n for n in names if n not in CONFIGURATIONS]
    if unknown:
        raise UsageError(
            f"no configuration {unknown[0]!r}", hint=f"use {', '.join(CONFIGURATIONS)}"
        )
    return tuple(CONFIGURATIONS[n] for n in names)
