"""The reading tools: the model's sandboxed look at the repository (nothing here writes).

Every tool goes through a ``RepoReader`` (``reviewbot.repo.view.RepoView``) and caps its
output, with a note that says how to get the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from reviewbot.agent.exceptions import ToolArgumentError
from reviewbot.errors import RepositoryError


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


class ReadingTools:
    """The reading tools of one session, bound to its repository view."""

    # What reading tools there are: their answers depend only on their arguments.
    NAMES = ("read_file", "list_files", "search_code", "git_log")

    def __init__(self, view: RepoReader, *, limits: OutputLimits | None = None) -> None:
        self.view = view
        self.limits = limits or OutputLimits()

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

    # ----------------------------------------------------------------------------------
    @staticmethod
    def _call(action: Callable[[], Any]) -> Any:
        try:
            return action()
        except RepositoryError as exc:
            raise ToolArgumentError(exc.one_line()) from exc
