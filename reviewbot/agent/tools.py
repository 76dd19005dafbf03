"""The model-facing tools: plain typed methods turned into schemas (names and arguments
are part of the prompt contract: docs/model-contract.md).

Every request of a run declares the same tools, in the same order (the provider renders
them before the messages, so a change would lose the cached prefix): the reading tools
(``reading.py``), ``add_comment``, ``verify_finding`` and ``finish_review``. Which of them
may be used depends on the phase: ``add_comment`` while reviewing, ``verify_finding`` during
the verification pass; a call out of phase is answered with what to do instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from reviewbot.agent.exceptions import Submitted, ToolArgumentError
from reviewbot.agent.reading import OutputLimits, ReadingTools, RepoReader
from reviewbot.agent.schema import (
    Param,
    check_arguments,
    json_schema,
    parameters_of,
)
from reviewbot.agent.verdicts import Ruling, VerdictBook
from reviewbot.errors import RepositoryError
from reviewbot.repo.diff import Side
from reviewbot.review.anchor import LineMap, WholeFiles, check_anchor
from reviewbot.review.findings import Finding, fingerprint, severity_rank, similar

__all__ = ["FindingsBook", "FunctionTool", "OutputLimits", "ReviewTools", "Submitted", "Tool"]

_REF = re.compile(r"([^\s,;:]+):(\d+)(?:-(\d+))?")


class Tool(Protocol):
    """One tool the model can call."""

    @property
    def name(self) -> str: ...

    @property
    def reads(self) -> bool:
        """Whether it only reads: the same arguments give the same answer."""
        ...

    def schema(self) -> dict[str, Any]: ...

    def invoke(self, arguments: Mapping[str, Any]) -> str:
        """Run with the model's arguments; raise ``ToolArgumentError`` to tell it why not."""
        ...


@dataclass(frozen=True)
class FunctionTool:
    """A tool made from a plain typed function (its docstring describes it)."""

    func: Callable[..., str]
    description: str
    params: tuple[Param, ...]
    reads: bool = False

    @classmethod
    def of(cls, func: Callable[..., str], *, reads: bool = False) -> FunctionTool:
        description, params = parameters_of(func)
        return cls(func, description, params, reads)

    @property
    def name(self) -> str:
        return self.func.__name__

    def schema(self) -> dict[str, Any]:
        return json_schema(self.name, self.description, self.params)

    def invoke(self, arguments: Mapping[str, Any]) -> str:
        return self.func(**check_arguments(self.params, arguments))


@dataclass
class FindingsBook:
    """Candidate findings as the model files them, numbered F1, F2, ..."""

    findings: list[Finding] = field(default_factory=list)

    def add(self, finding: Finding) -> str:
        for i, other in enumerate(self.findings):
            if similar(finding, other):
                return f"F{i + 1}"
        self.findings.append(finding)
        return f"F{len(self.findings)}"


CodeAt = Callable[[str, int, int, Side], str]


class ReviewTools(ReadingTools):
    """The tools of one review session, bound to its repository view and line map."""

    def __init__(
        self,
        view: RepoReader,
        lines: LineMap,
        book: FindingsBook,
        *,
        code_at: CodeAt,
        limits: OutputLimits | None = None,
        base: RepoReader | None = None,
    ) -> None:
        super().__init__(view, limits=limits, base=base)
        self.lines = lines
        self.book = book
        self.code_at = code_at
        self.verdicts = VerdictBook()

    def tools(self) -> list[FunctionTool]:
        reading = [FunctionTool.of(getattr(self, name), reads=True) for name in self.NAMES]
        filing = (self.add_comment, self.verify_finding, self.finish_review)
        return [*reading, *(FunctionTool.of(f) for f in filing)]

    # Reporting -------------------------------------------------------------------------
    def add_comment(
        self,
        path: str,
        line: int,
        severity: Literal["critical", "major", "minor", "nit"],
        title: str,
        body: str,
        evidence: str,
        end_line: int | None = None,
        side: Literal["RIGHT", "LEFT"] | None = None,
        suggestion: str | None = None,
        outside_diff: bool | None = None,
    ) -> str:
        """Record one finding on lines of the diff. Lines must be commentable: added or
        context lines by new-file number (RIGHT), or deleted lines by old-file number (LEFT).
        A finding about unchanged code that this change breaks (a caller, say) is filed with
        outside_diff=true on that code's new-file line; it goes in the review body.

        Args:
            path: file the finding is in (new path for renamed files)
            line: first line the comment covers
            severity: critical, major, minor or nit
            title: one-line statement of the problem
            body: why it is a problem and what to do, in Markdown
            evidence: file:line or file:first-last of the code that proves the problem (the line itself, a caller, a definition, a test); several separated by commas
            end_line: last line the comment covers (omit for one line)
            side: RIGHT (new file, default) or LEFT (old file, deleted lines)
            suggestion: replacement for exactly lines line..end_line of the new file (RIGHT only)
            outside_diff: true for a finding about code the diff does not show (review body, not inline)
        """  # noqa: E501
        if self.verdicts.active:
            raise ToolArgumentError(
                "add_comment is closed during the verification pass: record a verdict on each "
                "finding with verify_finding; mention anything new in the finish_review summary"
            )
        chosen: Side = side or "RIGHT"
        if end_line == line:
            end_line = None
        if not title.strip():
            raise ToolArgumentError("title must not be empty")
        proof = self._evidence(evidence)
        check = check_anchor(self.lines, path, line, end_line, chosen)
        audit = isinstance(self.lines, WholeFiles)  # no diff: every line of the unit counts
        outside = not check.ok and bool(outside_diff) and not audit
        if not check.ok and not outside:
            raise ToolArgumentError(f"comment not recorded: {check.reason}. {self._off_diff()}")
        if suggestion is not None and chosen == "LEFT":
            raise ToolArgumentError("a suggestion can only replace RIGHT-side (new file) lines")
        last = end_line or line
        code = self._code_outside(path, line, last, chosen) if outside else None
        finding = Finding(
            path=path,
            line=line,
            end_line=end_line,
            side=chosen,
            severity=severity,
            title=" ".join(title.split())[:200],
            body=body.strip(),
            suggestion=None if outside else suggestion,
            fingerprint=fingerprint(path, title, code or self.code_at(path, line, last, chosen)),
            anchored=not outside,
            evidence=proof,
        )
        before = len(self.book.findings)
        ident = self.book.add(finding)
        if len(self.book.findings) == before:
            return f"not recorded: the same finding is already recorded as {ident}"
        span = f"{path}:{line}{'-' + str(end_line) if end_line else ''}"
        if outside:
            return f"recorded {ident} on {span}, outside the diff (listed in the review body)"
        return f"recorded {ident} on {span}"

    def _off_diff(self) -> str:
        """What to do when a comment's line is not one it may sit on."""
        if isinstance(self.lines, WholeFiles):
            return "Comment on a line of this unit's files, where the problem shows."
        return (
            "Put the finding on the changed line it concerns (the numbered diff shows which "
            "lines those are). If it is about code outside the diff that this change breaks, "
            "call add_comment again with outside_diff=true: it will be listed in the review "
            "body, not inline."
        )

    def _code_outside(self, path: str, line: int, last: int, side: Side) -> str:
        """The text of lines outside the diff (checked to exist), for the fingerprint."""
        if side != "RIGHT":
            raise ToolArgumentError(
                "comment not recorded: outside_diff=true takes new-file (RIGHT) lines only"
            )
        try:
            found = self.view.read(path, line, last)
        except RepositoryError as exc:
            raise ToolArgumentError(f"comment not recorded: {exc.one_line()}") from exc
        if found.total_lines < last:
            raise ToolArgumentError(f"comment not recorded: {path} has {found.total_lines} lines")
        return str(found.text)

    def verify_finding(
        self,
        id: str,
        verdict: Literal["confirm", "refute", "downgrade"],
        evidence: str,
        reason: str,
        severity: Literal["critical", "major", "minor", "nit"] | None = None,
        line: int | None = None,
    ) -> str:
        """Record your verdict on one candidate finding (verification pass only).

        Args:
            id: the finding's id, e.g. F2
            verdict: confirm (a real problem), refute (not a problem), or downgrade (real but less severe; give severity)
            evidence: file:line or file:first-last of the code that proves the verdict; several separated by commas
            reason: one or two sentences on what that code shows
            severity: with downgrade, the new lower severity
            line: the corrected first line when the problem is real but filed on the wrong line (a line of the diff)
        """  # noqa: E501
        book = self.verdicts
        if not book.active:
            raise ToolArgumentError(
                "there is no verification pass yet: file findings with add_comment, then call "
                "finish_review; each finding is verified after that"
            )
        key = id.strip().upper()
        finding = book.finding(key)
        if finding is None:
            raise ToolArgumentError(f"no finding {id!r}; the ids are {', '.join(book.ids)}")
        refs = self._evidence(evidence)
        if verdict == "downgrade":
            if severity is None or severity_rank(severity) >= severity_rank(finding.severity):
                raise ToolArgumentError(
                    f"downgrade needs a severity below {finding.severity} ({key}'s); to keep "
                    "it as it is, confirm"
                )
        elif severity is not None:
            raise ToolArgumentError("severity goes with downgrade only")
        if line is not None and line != finding.line:
            if verdict == "refute":
                raise ToolArgumentError("a refuted finding has no line to correct; omit line")
            check = check_anchor(self.lines, finding.path, line, None, finding.side)
            if not check.ok:
                raise ToolArgumentError(
                    f"line {line}: {check.reason}; omit line to keep {key} where it is"
                )
        ruling = Ruling(verdict, " ".join(reason.split()), refs, severity, line)
        return book.record(key, ruling)

    def finish_review(self, summary: str) -> str:
        """Finish the review (or the verification pass). Call once, after all comments are
        recorded (after every verdict, in the verification pass).

        Args:
            summary: a short summary of the change and of the findings, in Markdown
        """
        book = self.verdicts
        if book.active:
            missing = book.missing()
            if missing and not book.early_finishes:
                book.early_finishes += 1
                raise ToolArgumentError(
                    f"not finished: no verdict yet for {', '.join(missing)}; call "
                    "verify_finding for each, then finish_review"
                )
            raise Submitted(summary.strip(), "finished_early" if missing else "finished")
        raise Submitted(summary.strip())

    # ----------------------------------------------------------------------------------
    @staticmethod
    def _missing(view: RepoReader, path: str, start: int, end: int) -> str:
        """Why lines ``start..end`` of ``path`` are not in ``view`` ("" when they are)."""
        try:
            found = view.read(path, start, start)
        except RepositoryError as exc:
            return exc.one_line()
        if end > found.total_lines or start < 1:
            return f"{path} has {found.total_lines} lines"
        return ""

    def _evidence(self, text: str) -> tuple[str, ...]:
        """The ``path:line`` references in ``text``, each checked against the repository."""
        refs = _REF.findall(text)
        if not refs:
            raise ToolArgumentError(
                "evidence needs at least one file:line (or file:first-last) reference, "
                "e.g. app/cache.py:42"
            )
        out = []
        for path, first, last in refs:
            start, end = int(first), int(last or first)
            shown = f"{path}:{first}" + (f"-{last}" if last else "")
            if end < start:
                raise ToolArgumentError(f"evidence {shown}: the range ends before it starts")
            # The new version, else the old one (evidence about deleted code).
            problem = self._missing(self.view, path, start, end)
            if problem and self.base is not None and not self._missing(self.base, path, start, end):
                problem = ""
            if problem:
                raise ToolArgumentError(f"evidence {shown}: {problem}")
            out.append(shown)
        return tuple(out)
