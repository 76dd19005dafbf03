"""Bytes -> text the model can read, with honest flags for what could not be shown.

Binary means a NUL byte in the first 8,000 bytes (git's own test). Text is decoded as
UTF-8 over the whole file (never a sniffed prefix, where a multibyte character cut in two
would look invalid); bytes that are not UTF-8 become U+FFFD and the result says so. Lines
are split on ``\\n`` only, the way git and GitHub number them.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewbot.errors import RepositoryError

BINARY_SNIFF_BYTES = 8000
LFS_POINTER_PREFIX = b"version https://git-lfs.github.com/spec/"
LFS_POINTER_MAX_BYTES = 1024


@dataclass(frozen=True)
class FileText:
    """Lines ``start_line..end_line`` (1-based, inclusive) of ``path`` out of ``total_lines``.

    ``text`` is empty for binary and too-large files; for a Git LFS pointer it is the
    pointer itself (the real content is not in the repository).
    """

    path: str
    text: str
    start_line: int
    end_line: int
    total_lines: int
    binary: bool = False
    lfs_pointer: bool = False
    too_large: bool = False
    decoded_with_replacement: bool = False
    size: int = 0


def is_binary(data: bytes) -> bool:
    return b"\0" in data[:BINARY_SNIFF_BYTES]


def is_lfs_pointer(data: bytes) -> bool:
    return len(data) <= LFS_POINTER_MAX_BYTES and data.startswith(LFS_POINTER_PREFIX)


def decode(data: bytes) -> tuple[str, bool]:
    """(text, whether any byte had to be replaced)."""
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), True


def split_lines(text: str) -> list[str]:
    """Lines without their ``\\n``; a final newline does not start another line."""
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def too_large(path: str, size: int) -> FileText:
    return FileText(path, "", 0, 0, 0, too_large=True, size=size)


def file_text(path: str, data: bytes, start_line: int | None, end_line: int | None) -> FileText:
    """The requested lines of ``data``; a range past the end is an error that says the length."""
    size = len(data)
    if is_binary(data):
        return FileText(path, "", 0, 0, 0, binary=True, size=size)
    text, replaced = decode(data)
    lines = split_lines(text)
    total = len(lines)
    first = max(start_line or 1, 1)
    last = total if end_line is None else min(end_line, total)
    if end_line is not None and start_line is not None and end_line < start_line:
        raise RepositoryError(f"end_line {end_line} is before start_line {start_line}")
    if first > max(total, 1):
        raise RepositoryError(f"{path!r} has {total} lines; start_line {first} is past the end")
    body = "\n".join(lines[first - 1 : last])
    return FileText(
        path,
        body,
        first,
        last,
        total,
        lfs_pointer=is_lfs_pointer(data),
        decoded_with_replacement=replaced,
        size=size,
    )
