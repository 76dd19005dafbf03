"""The files of one tree: a commit (``RefTree``) or the work tree on disk (``WorkTree``).

Both answer the same four questions for ``RepoView``: what files exist (with sizes), what
a symlink points to, the bytes of one file, and the bytes of many files. Listing is one
git process (``ls-tree -r -l -z`` or ``ls-files -z`` plus ``lstat``); reading many blobs
at a commit is one ``cat-file --batch`` process. Paths are repository-relative with ``/``.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Literal, NamedTuple, Protocol

from reviewbot.errors import RepositoryError
from reviewbot.repo.catfile import stream_blobs
from reviewbot.repo.gitcmd import GitRunner

Kind = Literal["file", "symlink", "submodule"]
_KINDS: dict[bytes, Kind] = {b"blob": "file", b"commit": "submodule"}


class FileEntry(NamedTuple):
    """A file in a tree: its path, size in bytes (0 for a submodule) and kind.

    A named tuple rather than a frozen dataclass: just as immutable, and a listing of the
    Linux tree builds 78,000 of them (a frozen dataclass costs ~3x more to construct).
    """

    path: str
    size: int
    kind: Kind


class Tree(Protocol):
    label: str

    @property
    def entries(self) -> dict[str, FileEntry]: ...
    def readlink(self, path: str) -> str | None: ...
    def is_plain_file(self, path: str) -> bool: ...
    def read_bytes(self, path: str) -> bytes: ...
    def read_many(self, paths: Iterable[str]) -> Iterator[tuple[str, bytes]]: ...


class RefTree:
    """The tree of one commit, read through git's object store."""

    def __init__(self, runner: GitRunner, sha: str) -> None:
        self.runner = runner
        self.sha = sha
        self.label = sha[:12]
        self._object_ids: dict[str, str] = {}

    @cached_property
    def entries(self) -> dict[str, FileEntry]:
        data = self.runner.out(["ls-tree", "-r", "-l", "-z", "--full-tree", self.sha])
        entries: dict[str, FileEntry] = {}
        ids = self._object_ids
        for record in data.split(b"\0"):
            if not record:
                continue
            meta, _, raw_path = record.partition(b"\t")
            mode, kind, oid, size = meta.split()
            path = raw_path.decode("utf-8", "surrogateescape")
            ids[path] = oid.decode("ascii")
            entry_kind: Kind = "symlink" if mode == b"120000" else _KINDS.get(kind, "file")
            entries[path] = FileEntry(path, 0 if size == b"-" else int(size), entry_kind)
        return entries

    def readlink(self, path: str) -> str | None:
        entry = self.entries.get(path)
        if entry is None or entry.kind != "symlink":
            return None
        return os.fsdecode(self.read_bytes(path))

    def is_plain_file(self, path: str) -> bool:
        """A listed regular file; in a git tree no folder above a listed file is a symlink."""
        entry = self.entries.get(path)
        return entry is not None and entry.kind == "file"

    def read_bytes(self, path: str) -> bytes:
        return next(self.read_many([path]))[1]

    def read_many(self, paths: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        wanted = [(path, self._oid(path)) for path in paths]
        blobs = stream_blobs(self.runner, [oid for _, oid in wanted])
        for (path, _), (_, data) in zip(wanted, blobs, strict=True):
            if data is None:
                raise RepositoryError(f"{path!r} is missing from the object store at {self.label}")
            yield path, data

    def _oid(self, path: str) -> str:
        if path not in self.entries:
            raise RepositoryError(f"no file {path!r} at {self.label}")
        return self._object_ids[path]


class WorkTree:
    """The files on disk that git would commit: tracked, plus untracked and not ignored."""

    label = "the work tree"

    def __init__(self, runner: GitRunner, root: Path) -> None:
        self.runner = runner
        self.root = root
        self._prefix = os.fsencode(root) + b"/"
        self._links: dict[str, str | None] = {}

    @cached_property
    def entries(self) -> dict[str, FileEntry]:
        data = self.runner.out(["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        entries: dict[str, FileEntry] = {}
        root = self._prefix
        lstat = os.lstat
        for raw in data.split(b"\0"):
            nested = raw.endswith(b"/")  # an untracked repository inside this one
            raw = raw.rstrip(b"/")
            path = raw.decode("utf-8", "surrogateescape")
            if not raw or path in entries:
                continue  # unmerged paths are listed once per stage
            try:
                info = lstat(root + raw)
            except OSError:
                continue  # deleted in the work tree
            if nested or stat.S_ISDIR(info.st_mode):
                entries[path] = FileEntry(path, 0, "submodule")
            elif stat.S_ISLNK(info.st_mode):
                entries[path] = FileEntry(path, info.st_size, "symlink")
            else:
                entries[path] = FileEntry(path, info.st_size, "file")
        return entries

    def readlink(self, path: str) -> str | None:
        """The link's target; folders (not listed) are checked on disk once each."""
        entry = self.entries.get(path)
        if entry is not None:
            return self._target(path) if entry.kind == "symlink" else None
        if path not in self._links:
            full = self._prefix + path.encode("utf-8", "surrogateescape")
            self._links[path] = self._target(path) if os.path.islink(full) else None
        return self._links[path]

    def is_plain_file(self, path: str) -> bool:
        """A listed regular file with no symlinked folder above it (checked once per folder)."""
        entry = self.entries.get(path)
        if entry is None or entry.kind != "file":
            return False
        parts = path.split("/")[:-1]
        return all(self.readlink("/".join(parts[: i + 1])) is None for i in range(len(parts)))

    def _target(self, path: str) -> str:
        full = self._prefix + path.encode("utf-8", "surrogateescape")
        return os.readlink(full).decode("utf-8", "surrogateescape")

    def read_bytes(self, path: str) -> bytes:
        try:
            with open(self._prefix + path.encode("utf-8", "surrogateescape"), "rb") as handle:
                return handle.read()
        except OSError as exc:
            raise RepositoryError(f"cannot read {path!r}: {exc.strerror or exc}") from exc

    def read_many(self, paths: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        for path in paths:
            yield path, self.read_bytes(path)
