"""The values the packer hands on: what went into the context, and why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Role = Literal["guidance", "outline", "context", "changed", "diff"]


@dataclass(frozen=True)
class Chunk:
    """Lines ``start_line..end_line`` (1-based, inclusive) of a file and why they were kept."""

    start_line: int
    end_line: int
    why: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"start_line": self.start_line, "end_line": self.end_line, "why": self.why}


@dataclass(frozen=True)
class PackEntry:
    """One candidate file: its rank score, the reasons behind it and what was packed.

    ``tokens`` is exact for included files (the tokens its section added) and estimated
    from bytes for the rest (``exact`` says which). ``chunks`` is empty for a file packed
    whole; an ``outline`` entry packed only its signatures.
    """

    path: str
    tokens: int
    exact: bool
    score: float
    reasons: tuple[str, ...]
    included: bool
    role: Role | None = None
    chunks: tuple[Chunk, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "tokens": self.tokens,
            "exact": self.exact,
            "score": round(self.score, 6),
            "reasons": list(self.reasons),
            "included": self.included,
            "role": self.role,
            "chunks": [c.to_json() for c in self.chunks],
        }


@dataclass(frozen=True)
class Excluded:
    path: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "reason": self.reason}


@dataclass(frozen=True)
class Section:
    """One rendered block of the context, in prompt order; ``tokens`` counted exactly."""

    role: Role
    path: str | None
    text: str
    tokens: int


@dataclass(frozen=True)
class ContextPack:
    """The packed context: budget arithmetic, every candidate in rank order, the sections.

    ``sections`` are in prompt order: stable material first (guidance, outlines, ranked
    context from least to most relevant), then the changed files and the diff, so that the
    most relevant text sits nearest the task the prompt appends after it.
    """

    mode: Literal["change", "all"]
    budget: int
    used: int
    entries: tuple[PackEntry, ...]
    excluded: tuple[Excluded, ...]
    sections: tuple[Section, ...]
    base: str = ""
    head: str = ""
    diff_lines_cut: int = 0  # diff lines left out to fit the budget (the diff's end)

    @property
    def included(self) -> tuple[PackEntry, ...]:
        return tuple(e for e in self.entries if e.included)

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.sections)

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "base": self.base,
            "head": self.head,
            "budget": self.budget,
            "used": self.used,
            "files": [e.to_json() for e in self.entries],
            "excluded": [x.to_json() for x in self.excluded],
        }
