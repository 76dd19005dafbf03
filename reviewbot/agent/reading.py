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
from reviewbot.repo.globs import pattern_mistake


class RepoReader(Protocol):
    """What the tools need of ``reviewbot.repo.view.RepoView``."""

    def read(
        self, path: str, start_line: int | None = None, end_line: int | None = None
    ) -> Any: ...

    def list_files(self, path: str = "", pattern: str | None = None) -> Sequence[Any]: ...

    def search(self, pattern: str, path_glob: str | None = None, max_results: int = 200) -> Any: ...

    def log(self, path: str | None = None, max_count: int = 20) -> Sequence[Any]: ...

    def show_commit(self, sha: str, path: str | None = None) -> Any: ...


@dataclass(frozen=True)
class OutputLimits:
    max_lines: int = 400
    max_chars: int = 20_000  # a p90 read (~4.5K tokens, bench/headroom.py) fits whole
    max_matches: int = 100
    max_files: int = 500
    max_commits: int = 50
    max_body_lines: int = 6  # of each commit message in git_log


class ReadingTools:
    """The reading tools of one session, bound to its repository view."""

    # What reading tools there are: their answers depend only on their arguments.
    NAMES = (
        "read_file", "read_base_file", "list_files", "search_code", "git_log", "show_commit"
    )  # fmt: skip

    def __init__(
        self,
        view: RepoReader,
        *,
        limits: OutputLimits | None = None,
        base: RepoReader | None = None,
    ) -> None:
        self.view = view
        self.base = base  # the change's base commit (None: no base, e.g. an audit)
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
        return self._read(self.view, "", "read_file", path, start_line, end_line)

    def read_base_file(
        self, path: str, start_line: int | None = None, end_line: int | None = None
    ) -> str:
        """Read a file as it was before the change (at the base commit), with old-file line
        numbers: what deleted lines said, what a changed function did before.

        Args:
            path: path at the base commit (the old path of a renamed file)
            start_line: first line to show (1-based, default 1)
            end_line: last line to show (default: as much as fits)
        """
        if self.base is None:
            raise ToolArgumentError("there is no base version here (an audit reviews no change)")
        where = " at the base commit"
        return self._read(self.base, where, "read_base_file", path, start_line, end_line)

    def _read(
        self,
        view: RepoReader,
        where: str,
        tool: str,
        path: str,
        start_line: int | None,
        end_line: int | None,
    ) -> str:
        first = max(start_line or 1, 1)
        if end_line is not None and end_line < first:
            raise ToolArgumentError(f"end_line {end_line} is before start_line {first}")
        last = end_line if end_line is not None else first + self.limits.max_lines - 1
        last = min(last, first + self.limits.max_lines - 1)
        text = self._call(lambda: view.read(path, first, last))
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
        header = f"{path}{where} (lines {text.start_line}-{shown_last} of {total})"
        if text.decoded_with_replacement:
            header += " [not valid UTF-8: undecodable bytes shown as \ufffd]"
        note = ""
        if shown_last < total and (end_line is None or shown_last < end_line):
            note = (
                f"\n[{total - shown_last} more lines: "
                f"{tool}(path={path!r}, start_line={shown_last + 1})]"
            )
        return header + "\n" + "\n".join(body) + note

    def list_files(self, path: str | None = None, pattern: str | None = None) -> str:
        """List files tracked in the repository, with sizes in bytes.

        Args:
            path: folder to list (default: the whole repository)
            pattern: glob the file paths must match, e.g. "*.py" or "src/**/test_*.py"
        """
        _check_glob("pattern", pattern)
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
        _check_glob("path_glob", path_glob)
        found = self._call(lambda: self.view.search(pattern, path_glob, self.limits.max_matches))
        if not found.matches:
            return "no matches"
        rows = [f"{m.path}:{m.line}: {m.text[:300]}" for m in found.matches]
        tail = (
            "\n[more matches not shown: narrow the pattern or path_glob]" if found.truncated else ""
        )
        return "\n".join(rows) + tail

    def git_log(self, path: str | None = None, max_count: int | None = None) -> str:
        """Recent commits of the repository, or of one file: sha, date, author, subject, the
        start of the message and the files changed.

        Args:
            path: file or folder whose history to show (default: whole repository)
            max_count: how many commits (default 20, at most 50)
        """
        count = min(max(max_count or 20, 1), self.limits.max_commits)
        commits = self._call(lambda: self.view.log(path, count))
        if not commits:
            return "no commits"
        rows = []
        for c in commits:
            files = f" [{', '.join(c.files[:8])}{', ...' if len(c.files) > 8 else ''}]"
            rows.append(f"{c.sha[:12]} {c.date_iso[:10]} {c.author}: {c.subject}")
            rows[-1] += files if c.files else ""
            body = [line for line in c.body.splitlines() if line.strip()]
            cut = self.limits.max_body_lines
            rows += [f"    {line[:200]}" for line in body[:cut]]
            if len(body) > cut:
                rows.append(f"    [... show_commit(sha={c.sha[:12]!r}) for the rest]")
        return self._capped("\n".join(rows))

    def show_commit(self, sha: str, path: str | None = None) -> str:
        """Show one commit of the history: its whole message and its diff.

        Args:
            sha: the commit's sha (at least 7 hex digits), e.g. from git_log
            path: only the diff of this file or folder
        """
        shown = self._call(lambda: self.view.show_commit(sha, path))
        c = shown.info
        head = [f"commit {c.sha[:12]} {c.date_iso[:10]} {c.author}", f"    {c.subject}"]
        head += [f"    {line}" if line else "" for line in c.body.splitlines()]
        head += [f"{name} (withheld)" for name in shown.withheld]
        patch = shown.patch or "(no diff shown)\n"
        return self._capped("\n".join(head) + "\n\n" + patch)

    def _capped(self, text: str) -> str:
        limit = self.limits.max_chars
        if len(text) <= limit:
            return text
        cut = text.rfind("\n", 0, limit)
        kept = text[: cut if cut > 0 else limit]
        return kept + f"\n[{len(text) - len(kept):,} more characters not shown: narrow with path]"

    # ----------------------------------------------------------------------------------
    @staticmethod
    def _call(action: Callable[[], Any]) -> Any:
        try:
            return action()
        except RepositoryError as exc:
            raise ToolArgumentError(exc.one_line()) from exc


def _check_glob(name: str, glob: str | None) -> None:
    """A glob the model got wrong is its error to fix, not an empty answer it would trust."""
    mistake = pattern_mistake(glob) if glob else None
    if mistake:
        raise ToolArgumentError(f"'{name}': {mistake}; write each range low to high")
