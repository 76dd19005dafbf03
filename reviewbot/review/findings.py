"""The ``Finding`` value and the rules that order, filter and deduplicate findings."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from reviewbot.repo.diff import Side
from reviewbot.review.verdict import Verdict

Severity = Literal["critical", "major", "minor", "nit"]

SEVERITIES: tuple[Severity, ...] = ("critical", "major", "minor", "nit")
_RANK: dict[str, int] = {name: len(SEVERITIES) - i for i, name in enumerate(SEVERITIES)}


def severity_rank(severity: str) -> int:
    """Higher is more severe: critical 4 ... nit 1; ``none`` and unknown names 0."""
    return _RANK.get(severity, 0)


def at_least(severity: str, threshold: str) -> bool:
    """Whether ``severity`` is at or above ``threshold`` (``none`` is never reached)."""
    return threshold in _RANK and severity_rank(severity) >= _RANK[threshold]


@dataclass(frozen=True)
class Finding:
    """One problem the review found, in the JSON contract's fields.

    ``line`` is the first line the comment covers and ``end_line`` the last (``None`` for
    one line); ``side`` is RIGHT (new file) or LEFT (old file, deleted lines).
    ``anchored`` is False when the finding could not be placed on a commentable diff line;
    such findings are published in the review body instead of inline (a finding the model
    filed about code outside the diff is one). ``evidence`` holds the ``path:line``
    references the model gave as proof; ``verdict`` is what the verification pass concluded
    (``None`` when it did not run).
    """

    path: str
    line: int
    end_line: int | None
    side: Side
    severity: Severity
    title: str
    body: str
    suggestion: str | None = None
    fingerprint: str = ""
    anchored: bool = True
    verdict: Verdict | None = None
    evidence: tuple[str, ...] = ()  # path:line references the model gave as proof

    @property
    def last_line(self) -> int:
        return self.end_line if self.end_line is not None else self.line

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "end_line": self.end_line,
            "side": self.side,
            "severity": self.severity,
            "title": self.title,
            "body": self.body,
            "suggestion": self.suggestion,
            "fingerprint": self.fingerprint,
            "evidence": list(self.evidence),
            "verification": None if self.verdict is None else self.verdict.to_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        return cls(
            path=str(data["path"]),
            line=int(data["line"]),
            end_line=None if data.get("end_line") is None else int(data["end_line"]),
            side="LEFT" if data.get("side") == "LEFT" else "RIGHT",
            severity=data["severity"] if data["severity"] in SEVERITIES else "minor",
            title=str(data["title"]),
            body=str(data.get("body", "")),
            suggestion=data.get("suggestion"),
            fingerprint=str(data.get("fingerprint", "")),
            anchored=bool(data.get("anchored", True)),
            verdict=Verdict.from_json(data.get("verification")),
            evidence=tuple(str(e) for e in data.get("evidence") or ()),
        )


_WORD = re.compile(r"[a-z0-9_]+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def fingerprint(path: str, title: str, code: str) -> str:
    """A stable id for a finding that survives line shifts.

    Built from the path, the normalised title and the normalised code the finding is on
    (whitespace-insensitive), never from line numbers: the same problem on the same code
    keeps its fingerprint when lines above it are added or removed.
    """
    code_key = " ".join(code.split())
    title_key = " ".join(_words(title))
    digest = hashlib.sha256(f"{path}\0{title_key}\0{code_key}".encode()).hexdigest()
    return digest[:20]


def with_fingerprint(finding: Finding, code: str) -> Finding:
    return replace(finding, fingerprint=fingerprint(finding.path, finding.title, code))


def order(findings: Iterable[Finding]) -> list[Finding]:
    """Most severe first, then by file and line: the order users read and GitHub shows."""
    return sorted(findings, key=lambda f: (-severity_rank(f.severity), f.path, f.line, f.title))


def similar(a: Finding, b: Finding) -> bool:
    """Same fingerprint, or the same place (within 3 lines) with much the same title."""
    if a.fingerprint and a.fingerprint == b.fingerprint:
        return True
    if a.path != b.path or a.side != b.side:
        return False
    near = a.line <= b.last_line + 3 and b.line <= a.last_line + 3
    if not near:
        return False
    wa, wb = set(_words(a.title)), set(_words(b.title))
    if not wa or not wb:
        return False
    return len(wa & wb) / len(wa | wb) >= 0.5


def dedupe(findings: Sequence[Finding]) -> list[Finding]:
    """Drop near-identical findings (same place, much the same title), keeping the most
    severe, then the first reported."""
    kept: list[Finding] = []
    for finding in sorted(findings, key=lambda f: -severity_rank(f.severity)):
        if not any(similar(finding, other) for other in kept):
            kept.append(finding)
    position = {id(f): i for i, f in enumerate(findings)}
    return sorted(kept, key=lambda f: position[id(f)])


@dataclass(frozen=True)
class Filtered:
    kept: tuple[Finding, ...]
    below_min_severity: int
    over_max_comments: int


def apply_filters(findings: Sequence[Finding], *, min_severity: str, max_comments: int) -> Filtered:
    """Keep findings at or above ``min_severity``, most severe first, at most
    ``max_comments`` of them; count what was dropped and why."""
    eligible = [f for f in findings if at_least(f.severity, min_severity)]
    ordered = order(eligible)
    kept = ordered[:max_comments]
    return Filtered(
        kept=tuple(kept),
        below_min_severity=len(findings) - len(eligible),
        over_max_comments=len(ordered) - len(kept),
    )


def highest(severities: Iterable[str]) -> str:
    """The most severe of ``severities``; "" when none is a severity ("none", "", unknown)."""
    return max((s for s in severities if severity_rank(s)), key=severity_rank, default="")
