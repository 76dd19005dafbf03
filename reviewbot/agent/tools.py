"""The model-facing tools: plain typed methods turned into schemas (names and arguments
are part of the prompt contract, see DESIGN.md).

Reading tools go through the sandboxed ``RepoView``; nothing here writes to the repository.
Outputs are capped, with a note that says how to get the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from reviewbot.agent.exceptions import Submitted, ToolArgumentError
from reviewbot.agent.schema import (
    Param,
    check_arguments,
    json_schema,
    parameters_of,
)
from reviewbot.errors import RepositoryError
from reviewbot.review.anchor import LineMap, check_anchor
from reviewbot.review.findings import Finding, Side, fingerprint, similar


class Tool(Protocol):
    """One tool the model can call."""

    @property
    def name(self) -> str: ...

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

    @classmethod
    def of(cls, func: Callable[..., str]) -> FunctionTool:
        description, params = parameters_of(func)
        return cls(func, description, params)

    @property
    def name(self) -> str:
        return self.func.__name__

    def schema(self) -> dict[str, Any]:
        return json_schema(self.name, self.description, self.params)

    def invoke(self, arguments: Mapping[str, Any]) -> str:
        return self.func(**check_arguments(self.params, arguments))


class RepoReader(Protocol):
    """What the tools need of ``reviewbot.repo.view.RepoView``."""

    def read(
        self, path: str, start_line: int | None = None, end_line: int | None = None
    ) -> Any: ...

    def list_files(self, path: str = "", pattern: str | None = None) -> Sequence[Any]: ...

    def search(self, pattern: str, path_glob: str | None = None, max_results: int = 200) -> Any: ...

    def log(self, path: str | None = None, max_count: int = 20) -> Sequence[Any]: ...


@dataclass(frozen=True)
class OutputLimits:
    max_lines: int = 400
    max_chars: int = 40_000
    max_matches: int = 100
    max_files: int = 500
    max_commits: int = 50


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


class ReviewTools:
    """The tools of one review session, bound to its repository view and line map."""

    def __init__(
        self,
        view: RepoReader,
        lines: LineMap,
        book: FindingsBook,
        *,
        code_at: CodeAt,
        limits: OutputLimits | None = None,
    ) -> None:
        self.view = view
        self.lines = lines
        self.book = book
        self.code_at = code_at
        self.limits = limits or OutputLimits()

    def tools(self) -> list[FunctionTool]:
        return [
            FunctionTool.of(f)
            for f in (
                self.read_file,
                self.list_files,
                self.search_code,
                self.git_log,
                self.add_comment,
                self.finish_review,
            )
        ]

    # Reading ---------------------------------------------------------------------------
    def read_file(
        self, path: str, start_line: int | None = None, end_line: int | None = None
    ) -> str:
        """Read a file of the repository (at the reviewed commit), with line numbers.

        Args:
            path: path relative to the repository root
            start_line: first line to show (1-based, default 1)
            end_line: last line to show (default: as much as fits)
        """
        first = max(start_line or 1, 1)
        if end_line is not None and end_line < first:
            raise ToolArgumentError(f"end_line {end_line} is before start_line {first}")
        last = end_line if end_line is not None else first + self.limits.max_lines - 1
        last = min(last, first + self.limits.max_lines - 1)
        text = self._call(lambda: self.view.read(path, first, last))
        if text.binary:
            return f"{path}: binary file ({text.total_lines} lines not shown)"
        if text.lfs_pointer:
            return f"{path}: a Git LFS pointer; the content is not in the repository"
        if text.too_large and not text.text:
            return f"{path}: larger than the size cap; not readable"
        total = text.total_lines
        if total == 0:
            return f"{path}: empty file"
        body = []
        used = 0
        number = text.start_line
        for number, line in enumerate(text.text.splitlines(), start=text.start_line):
            row = f"{number:>6}  {line}"
            if used + len(row) > self.limits.max_chars:
                number -= 1
                break
            body.append(row)
            used += len(row) + 1
        shown_last = number
        header = f"{path} (lines {text.start_line}-{shown_last} of {total})"
        if text.decoded_with_replacement:
            header += " [not valid UTF-8: undecodable bytes shown as \ufffd]"
        note = ""
        if shown_last < total and (end_line is None or shown_last < end_line):
            note = (
                f"\n[{total - shown_last} more lines: "
                f"read_file(path={path!r}, start_line={shown_last + 1})]"
            )
        return header + "\n" + "\n".join(body) + note

    def list_files(self, path: str | None = None, pattern: str | None = None) -> str:
        """List files tracked in the repository, with sizes in bytes.

        Args:
            path: folder to list (default: the whole repository)
            pattern: glob the file paths must match, e.g. "*.py" or "src/**/test_*.py"
        """
        entries = self._call(lambda: self.view.list_files(path or "", pattern))
        rows = [f"{e.path}  ({e.size} bytes)" for e in entries[: self.limits.max_files]]
        if not rows:
            return "no files match"
        more = len(entries) - len(rows)
        tail = f"\n[{more} more files: narrow with path or pattern]" if more > 0 else ""
        return f"{len(entries)} files\n" + "\n".join(rows) + tail

    def search_code(self, pattern: str, path_glob: str | None = None) -> str:
        """Search the repository's files for a regular expression (like git grep -E).

        Args:
            pattern: extended regular expression, e.g. "def (load|save)_config"
            path_glob: only search paths matching this glob, e.g. "*.py"
        """
        found = self._call(lambda: self.view.search(pattern, path_glob, self.limits.max_matches))
        if not found.matches:
            return "no matches"
        rows = [f"{m.path}:{m.line}: {m.text[:300]}" for m in found.matches]
        tail = (
            "\n[more matches not shown: narrow the pattern or path_glob]" if found.truncated else ""
        )
        return "\n".join(rows) + tail

    def git_log(self, path: str | None = None, max_count: int | None = None) -> str:
        """Recent commits of the repository, or of one file.

        Args:
            path: file or folder whose history to show (default: whole repository)
            max_count: how many commits (default 20, at most 50)
        """
        count = min(max(max_count or 20, 1), self.limits.max_commits)
        commits = self._call(lambda: self.view.log(path, count))
        if not commits:
            return "no commits"
        return "\n".join(
            f"{c.sha[:12]} {c.date_iso[:10]} {c.author}: {c.subject}"
            + (
                f" [{', '.join(c.files[:8])}{', ...' if len(c.files) > 8 else ''}]"
                if c.files
                else ""
            )
            for c in commits
        )

    # Reporting -------------------------------------------------------------------------
    def add_comment(
        self,
        path: str,
        line: int,
        severity: Literal["critical", "major", "minor", "nit"],
        title: str,
        body: str,
        end_line: int | None = None,
        side: Literal["RIGHT", "LEFT"] | None = None,
        suggestion: str | None = None,
    ) -> str:
        """Record one finding on lines of the diff. Lines must be commentable: added or
        context lines by new-file number (RIGHT), or deleted lines by old-file number (LEFT).

        Args:
            path: file the finding is in (new path for renamed files)
            line: first line the comment covers
            severity: critical, major, minor or nit
            title: one-line statement of the problem
            body: why it is a problem and what to do, in Markdown
            end_line: last line the comment covers (omit for one line)
            side: RIGHT (new file, default) or LEFT (old file, deleted lines)
            suggestion: replacement for exactly lines line..end_line of the new file (RIGHT only)
        """
        chosen: Side = side or "RIGHT"
        if end_line == line:
            end_line = None
        if not title.strip():
            raise ToolArgumentError("title must not be empty")
        check = check_anchor(self.lines, path, line, end_line, chosen)
        if not check.ok:
            hint = (
                f" Retry with line={check.nearest}" if check.nearest is not None else ""
            ) + " or put the finding on a commentable line (one shown in the diff, for a review)."
            raise ToolArgumentError(f"comment not recorded: {check.reason}.{hint}")
        if suggestion is not None and chosen == "LEFT":
            raise ToolArgumentError("a suggestion can only replace RIGHT-side (new file) lines")
        last = end_line or line
        code = self.code_at(path, line, last, chosen)
        finding = Finding(
            path=path,
            line=line,
            end_line=end_line,
            side=chosen,
            severity=severity,
            title=" ".join(title.split())[:200],
            body=body.strip(),
            suggestion=suggestion,
            fingerprint=fingerprint(path, title, code),
        )
        before = len(self.book.findings)
        ident = self.book.add(finding)
        if len(self.book.findings) == before:
            return f"not recorded: the same finding is already recorded as {ident}"
        return f"recorded {ident} on {path}:{line}{'-' + str(end_line) if end_line else ''}"

    def finish_review(self, summary: str) -> str:
        """Finish the review. Call once, after all comments are recorded.

        Args:
            summary: a short summary of the change and of the findings, in Markdown
        """
        raise Submitted(summary.strip())

    # ----------------------------------------------------------------------------------
    @staticmethod
    def _call(action: Callable[[], Any]) -> Any:
        try:
            return action()
        except RepositoryError as exc:
            raise ToolArgumentError(exc.one_line()) from exc
