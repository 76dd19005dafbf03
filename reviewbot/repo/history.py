"""Commit history and blame, each from one git process.

``git log -z --name-only`` gives commits with the files they touched (the packer's
co-change signal reads up to a few thousand commits this way); ``git blame --porcelain``
gives who last changed each line of a range.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from reviewbot.errors import RepositoryError
from reviewbot.repo.gitcmd import GitRunner, open_repo

_MARK = b"\x1eRB\x1f"
_FORMAT = "%x1eRB%x1f%H%x1f%an%x1f%aI%x1f%s%x1f%b"
_HEADER = re.compile(
    rb"\x1eRB\x1f([0-9a-f]{40,64})\x1f([^\x1f]*)\x1f([^\x1f]*)\x1f([^\x1f]*)\x1f(.*)", re.DOTALL
)


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    author: str
    date_iso: str
    subject: str
    files: tuple[str, ...]
    body: str = ""  # the message after the subject line


@dataclass(frozen=True)
class BlameLine:
    line: int
    sha: str
    author: str
    date_iso: str
    summary: str
    text: str


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def parse_log(data: bytes, allowed: Callable[[str], bool]) -> list[CommitInfo]:
    """Parse ``git log -z --name-only --format=_FORMAT`` output."""
    commits: list[CommitInfo] = []
    header: re.Match[bytes] | None = None
    files: list[str] = []
    after_header = False
    for token in data.split(b"\0"):
        found = _HEADER.fullmatch(token) if token.startswith(_MARK) else None
        if found is not None:
            if header is not None:
                commits.append(_commit(header, files))
            header, files, after_header = found, [], True
            continue
        if after_header and token.startswith(b"\n"):
            token = token[1:]
        after_header = False
        path = os.fsdecode(token)
        if token and header is not None and allowed(path):
            files.append(path)
    if header is not None:
        commits.append(_commit(header, files))
    return commits


def _commit(header: re.Match[bytes], files: list[str]) -> CommitInfo:
    sha, author, date, subject, body = header.groups()
    return CommitInfo(
        sha.decode("ascii"),
        _text(author),
        _text(date),
        _text(subject),
        tuple(files),
        _text(body).strip(),
    )


def git_log(
    runner: GitRunner,
    rev: str | None,
    path: str | None,
    max_count: int,
    allowed: Callable[[str], bool],
    *,
    merges: bool = True,
) -> list[CommitInfo]:
    """Newest first. ``rev=None`` means HEAD (an empty list on a branch without commits)."""
    if rev is None:
        rev = runner.try_text(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])
        if rev is None:
            return []
    args = [
        "log",
        "-z",
        "--name-only",
        "--no-color",
        f"--format={_FORMAT}",
        f"--max-count={max_count}",
    ]
    args += [] if merges else ["--no-merges"]
    args += ["--full-diff", rev, "--", path] if path else [rev, "--"]
    return parse_log(runner.out(args), allowed)


def range_messages(root: Path, base: str, head: str, *, limit: int = 50) -> str:
    """The messages of the commits in ``base..head`` (merges left out, newest first, at most
    ``limit``): what the author said the change is, for ranking its context."""
    runner = GitRunner(open_repo(root))
    commits = git_log(runner, f"{base}..{head}", None, limit, lambda _: False, merges=False)
    return "\n\n".join(f"{c.subject}\n{c.body}".strip() for c in commits)


def _iso(epoch: str, tz: str) -> str:
    sign = -1 if tz.startswith("-") else 1
    offset = (
        timedelta(hours=int(tz[1:3]), minutes=int(tz[3:5])) * sign if len(tz) == 5 else timedelta()
    )
    return datetime.fromtimestamp(int(epoch), timezone(offset)).isoformat()


def git_blame(
    runner: GitRunner, rev: str | None, path: str, start: int, end: int
) -> list[BlameLine]:
    """Blame lines ``start..end`` of ``path`` at ``rev`` (``None``: the work tree)."""
    if start < 1 or end < start:
        raise RepositoryError(f"bad line range {start}..{end}", hint="lines count from 1")
    args = ["blame", "--porcelain", "-L", f"{start},{end}", *([rev] if rev else []), "--", path]
    status, data, err = runner.run(args, ok=range(256))
    if status != 0:
        detail = " ".join(err.replace("fatal: ", "").split())
        raise RepositoryError(f"cannot blame {path!r}: {detail[:200]}")
    info: dict[str, dict[str, str]] = {}
    out: list[BlameLine] = []
    current: dict[str, str] = {}
    sha = ""
    final_line = 0
    for raw in data.split(b"\n"):
        if raw.startswith(b"\t"):
            meta = info.setdefault(sha, current)
            date = _iso(meta.get("author-time", "0"), meta.get("author-tz", "+0000"))
            out.append(
                BlameLine(
                    final_line,
                    sha,
                    meta.get("author", ""),
                    date,
                    meta.get("summary", ""),
                    _text(raw[1:]),
                )
            )
            current = {}
            continue
        key, _, value = _text(raw).partition(" ")
        if re.fullmatch(r"[0-9a-f]{40,64}", key):
            sha = key
            final_line = int(value.split()[1])
            current = info.get(sha, {})
        elif key:
            current[key] = value
    return out
