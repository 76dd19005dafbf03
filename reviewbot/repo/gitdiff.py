"""A local diff as a ``ChangeSet``: one ``git diff --raw -p -z`` process, parsed once.

The raw records (NUL-separated, so paths with spaces, quotes, newlines or any bytes come
through untouched) give statuses, modes, similarity and exact paths; the patch blocks that
follow, in the same order, give the hunks. A type change (file <-> symlink or submodule)
is one raw record but two patch blocks (a deletion and an addition). Each block's
``diff --git`` line is checked against the record's paths, so a misalignment is an error,
never a comment on the wrong file.

Scopes (the new side of the diff; the old side is always the range's merge-base):
``commits`` -> HEAD; ``staged`` -> the index; ``worktree`` -> the files on disk, tracked
and untracked-but-not-ignored, as ``git add -A`` would stage them. ``worktree`` builds
that in a temporary copy of the index (``GIT_INDEX_FILE``), so the user's index is never
touched; the only trace is the new blobs git writes to the object store.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from reviewbot.errors import RepositoryError, UsageError
from reviewbot.repo.diff import ChangeSet, FileChange, Status
from reviewbot.repo.gitcmd import GitRunner, open_repo, out_capped
from reviewbot.repo.hunkparse import parse_hunks
from reviewbot.repo.refs import (
    SCOPES,
    RevRange,
    Scope,
    head_sha,
    merge_base_of,
    resolve_commit,
    resolve_range_with,
)

INDEX = "INDEX"
WORKTREE = "WORKTREE"

DIFF_FLAGS = (
    "--raw",
    "-p",
    "-z",
    "-M",
    "--full-index",
    "--no-abbrev",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--no-relative",
    "--ignore-submodules=none",
    "--submodule=short",
    "-U3",
    "--inter-hunk-context=0",
    "-O/dev/null",
    "--src-prefix=a/",
    "--dst-prefix=b/",
)
# Blobs larger than this are diffed as binary (no patch): a 100 MB file would otherwise
# come back as a 100 MB patch, parsed into millions of lines, for nobody to read.
MAX_DIFF_BLOB = "16m"
BIG_AS_BINARY = ("-c", f"core.bigFileThreshold={MAX_DIFF_BLOB}")
_NULL_MODE = "000000"
_SUBMODULE = "160000"
_SYMLINK = "120000"
_BLOCK_START = re.compile(rb"^diff --git ", re.MULTILINE)


@dataclass(frozen=True)
class RawRecord:
    old_mode: str
    new_mode: str
    old_sha: str
    new_sha: str
    status: str  # one letter
    score: int | None
    path: str  # source path
    path2: str | None  # destination of a rename or copy


def quote_path(path: bytes) -> bytes:
    """``path`` as git writes it in headers (C-style quotes when needed, core.quotePath=true)."""
    specials = {7: b"\\a", 8: b"\\b", 9: b"\\t", 10: b"\\n", 11: b"\\v", 12: b"\\f", 13: b"\\r"}
    if not any(b < 0x20 or b >= 0x7F or b in b'"\\' for b in path):
        return path
    out = bytearray(b'"')
    for b in path:
        if b in specials:
            out += specials[b]
        elif b in b'"\\':
            out += b"\\" + bytes([b])
        elif b < 0x20 or b >= 0x7F:
            out += b"\\%03o" % b
        else:
            out.append(b)
    return bytes(out + b'"')


def parse_raw(data: bytes) -> tuple[list[RawRecord], int]:
    """The ``--raw -z`` records at the start of ``data`` and the offset where the patch starts."""
    records: list[RawRecord] = []
    pos = 0
    while pos < len(data) and data[pos : pos + 1] == b":":
        end = data.index(b"\0", pos)
        meta = data[pos + 1 : end].decode("ascii").split(" ")
        old_mode, new_mode, old_sha, new_sha, status = meta
        pos = end + 1
        end = data.index(b"\0", pos)
        path = os.fsdecode(data[pos:end])
        pos = end + 1
        path2 = None
        if status[0] in "RC":
            end = data.index(b"\0", pos)
            path2 = os.fsdecode(data[pos:end])
            pos = end + 1
        score = int(status[1:]) if status[1:].isdigit() else None
        records.append(
            RawRecord(old_mode, new_mode, old_sha, new_sha, status[0], score, path, path2)
        )
    if data[pos : pos + 1] == b"\0":  # the separator between the raw part and the patches
        pos += 1
    return records, pos


def split_blocks(patch: bytes) -> list[tuple[bytes, bytes]]:
    """The patch part cut into (header, hunks) per ``diff --git`` block."""
    starts = [m.start() for m in _BLOCK_START.finditer(patch)]
    blocks = []
    for at, begin in enumerate(starts):
        block = patch[begin : starts[at + 1] if at + 1 < len(starts) else len(patch)]
        cut = block.find(b"\n@@ ")
        blocks.append((block, b"") if cut < 0 else (block[: cut + 1], block[cut + 1 :]))
    return blocks


def _status(record: RawRecord) -> Status:
    letter = record.status
    if letter == "M" and record.old_sha == record.new_sha and record.old_mode != record.new_mode:
        return "mode_changed"
    statuses: dict[str, Status] = {
        "A": "added",
        "D": "deleted",
        "M": "modified",
        "R": "renamed",
        "C": "copied",
        "T": "type_changed",
    }
    if letter == "U":
        raise RepositoryError(
            f"{record.path!r} has unresolved merge conflicts",
            hint="resolve them, or review committed work only (scope: commits)",
        )
    if letter not in statuses:
        raise RepositoryError(f"unexpected git diff status {letter!r} for {record.path!r}")
    return statuses[letter]


def _file_change(record: RawRecord, blocks: list[tuple[bytes, bytes]]) -> FileChange:
    old = record.path
    new = record.path2 or record.path
    expected = b"diff --git " + quote_path(b"a/" + os.fsencode(old)) + b" "
    expected += quote_path(b"b/" + os.fsencode(new)) + b"\n"
    for header, _ in blocks:
        if not header.startswith(expected):
            raise RepositoryError(f"git diff output did not line up for {new!r}; please report it")
    hunks = tuple(
        hunk
        for _, body in blocks
        for hunk in parse_hunks(body.decode("utf-8", errors="replace"), new)
    )
    if len(blocks) > 1:  # a type change: renumber the hunks of the two blocks 0..n-1
        hunks = tuple(
            type(h)(i, h.old_start, h.old_count, h.new_start, h.new_count, h.section, h.lines)
            for i, h in enumerate(hunks)
        )
    binary = any(
        line.startswith((b"Binary files ", b"GIT binary patch"))
        for header, _ in blocks
        for line in header.split(b"\n")
    )
    old_mode = None if record.old_mode == _NULL_MODE else record.old_mode
    new_mode = None if record.new_mode == _NULL_MODE else record.new_mode
    return FileChange(
        path=new,
        old_path=old if record.status in "RC" else None,
        status=_status(record),
        similarity=record.score if record.status in "RC" else None,
        binary=binary,
        submodule=_SUBMODULE in (old_mode, new_mode),
        symlink=(new_mode or old_mode) == _SYMLINK,
        old_mode=old_mode,
        new_mode=new_mode,
        hunks=hunks,
    )


def parse_git_diff(data: bytes, base: str, head: str) -> ChangeSet:
    """Parse the output of ``git diff`` run with ``DIFF_FLAGS``."""
    records, start = parse_raw(data)
    blocks = split_blocks(data[start:])
    files: list[FileChange] = []
    at = 0
    for record in records:
        if record.status == "U":
            _status(record)  # raises: the user has to resolve the conflict first
        count = 2 if record.status == "T" else 1
        files.append(_file_change(record, blocks[at : at + count]))
        at += count
    if at != len(blocks) or any(len(f.path) == 0 for f in files):
        raise RepositoryError(
            "git diff output did not line up with its file list; please report it"
        )
    return ChangeSet(base=base, head=head, files=tuple(files))


MAX_DIFF_BYTES = 32 << 20  # default cap on a whole diff (a review's window is ~1 MB of text)


def _diff(
    runner: GitRunner, args: list[str], cap: int, env: Mapping[str, str] | None = None
) -> bytes:
    """``git diff`` output, streamed and stopped at ``cap`` bytes (a one-line error)."""

    def too_large() -> Exception:
        return UsageError(
            f"the diff is larger than {cap / (1 << 20):g} MiB (max_diff_bytes)",
            hint="review fewer commits or only some paths (reviewbot review -- PATH), "
            "or raise REVIEWBOT_MAX_DIFF_BYTES",
        )

    return out_capped(runner, [*BIG_AS_BINARY, "diff", *args], cap, too_large, env=env)


def _worktree_diff(runner: GitRunner, old: str, cap: int, only: list[str]) -> bytes:
    """``git diff --cached old`` against a temporary index holding the whole work tree."""
    if runner.work_tree is None:
        raise UsageError("a bare repository has no work tree", hint="use scope 'commits'")
    index = Path(runner.text(["rev-parse", "--path-format=absolute", "--git-path", "index"]))
    with tempfile.TemporaryDirectory(prefix="reviewbot-index-") as tmp:
        temp_index = Path(tmp) / "index"
        if index.exists():
            shutil.copyfile(index, temp_index)
        env = {"GIT_INDEX_FILE": str(temp_index)}
        runner.run(["add", "-A", "--", ":/"], env=env)
        return _diff(runner, ["--cached", *DIFF_FLAGS, old, "--", *only], cap, env)


def changeset_from_git(
    root: Path,
    rev_range: RevRange | None = None,
    *,
    base: str | None = None,
    head: str | None = None,
    scope: Scope = "commits",
    max_bytes: int = MAX_DIFF_BYTES,
    paths: Sequence[str] = (),
) -> ChangeSet:
    """A ``ChangeSet`` from a local diff: one ``git diff`` process, read as it streams and
    refused once it passes ``max_bytes`` (a 96 MB diff once took 6 GB when read whole).
    ``paths`` (plain paths, not globs) narrow the diff git writes, and so what counts.

    The old side is ``rev_range.merge_base_sha``; or, given ``base`` (and optionally
    ``head``, default HEAD), ``merge-base(base, head)`` -- the same three-dot diff GitHub
    shows for a pull request; or, given neither, the range ``resolve_range`` picks. The new
    side is ``head`` for ``scope="commits"``, the index for ``"staged"``, the files on disk
    (untracked ones too, ignored ones not) for ``"worktree"``.
    """
    if scope not in SCOPES:
        raise UsageError(f"unknown scope {scope!r}", hint=f"use one of {', '.join(SCOPES)}")
    if scope != "commits" and head is not None:
        raise UsageError(f"scope {scope!r} compares with the {scope} itself; do not pass a head")
    runner = GitRunner(open_repo(root))
    if rev_range is not None:
        old, new = rev_range.merge_base_sha, rev_range.head_sha
    elif base is None:
        resolved = resolve_range_with(runner, None)
        old, new = resolved.merge_base_sha, resolved.head_sha
    else:  # like GitHub's pull-request diff and `git diff base...head`: from the merge-base
        new = _commit(runner, head) if head is not None else head_sha(runner)
        old = merge_base_of(runner, _commit(runner, base), new, base)
    only = [f":(literal){p}" for p in paths]
    if scope == "commits":
        data = _diff(runner, [*DIFF_FLAGS, old, new, "--", *only], max_bytes)
        return parse_git_diff(data, old, new)
    if scope == "staged":
        data = _diff(runner, ["--cached", *DIFF_FLAGS, old, "--", *only], max_bytes)
        return parse_git_diff(data, old, INDEX)
    return parse_git_diff(_worktree_diff(runner, old, max_bytes, only), old, WORKTREE)


def _commit(runner: GitRunner, ref: str) -> str:
    sha = resolve_commit(runner, ref)
    if sha is None:
        raise RepositoryError(
            f"unknown ref {ref!r}", hint="pass a branch, tag or commit that exists here"
        )
    return sha
