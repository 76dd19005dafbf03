"""Hostile repository content, each kind built into a real repository cheaply.

Every kind has a ``main`` branch with a small package and a ``feature`` branch (checked
out) that changes ``app/core.py`` (so there is always a normal line to comment on) and
adds the hostile content. The big ones are generated, never committed to this project:
the 100 MB file is written in 1 MiB pieces, the 100,000 files are one blob listed under
100,000 names by one ``git fast-import``.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.helpers.gitrepo import GitRepo

CORE_BEFORE = "def area(w, h):\n    return w * h\n"
CORE_AFTER = "def area(w, h):\n    if w < 0:\n        return 0\n    return w * h\n"
CORE_LINE = 2  # an added line of app/core.py


@dataclass(frozen=True)
class Content:
    id: str
    what: str  # as the table says it
    build: Callable[[GitRepo], None]  # on `feature`, before the commit
    reads: tuple[str, ...] = ()  # paths the scripted model reads
    on_main: Callable[[GitRepo], None] | None = None  # more commits on main
    skipped: tuple[str, ...] = ()  # text the review's notes must contain
    slow: bool = False
    rss_bound_mib: int = 400
    extra: dict[str, str] = field(default_factory=dict)


def make(repo: GitRepo, content: Content) -> GitRepo:
    repo.write("app/__init__.py", "")
    repo.write("app/core.py", CORE_BEFORE)
    repo.commit("initial")
    if content.on_main is not None:
        content.on_main(repo)  # commits on main itself
    repo.branch("feature")
    repo.write("app/core.py", CORE_AFTER)
    content.build(repo)
    repo.commit("hostile content")
    return repo


def noise(size: int, seed: str) -> bytes:
    """Deterministic bytes that look random (with NULs): a binary blob."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}{counter}".encode()).digest()
        counter += 1
    return bytes(out[:size])


def binary_with_text_names(repo: GitRepo) -> None:
    repo.write("app/blob.py", noise(64 * 1024, "blob"))
    repo.write("docs/image.txt", b"\x89PNG\r\n\x1a\n" + noise(4096, "png"))
    repo.write("data/records.json", b'{"a": "' + b"\x00" * 16 + b'"}\n')


def invalid_utf8(repo: GitRepo) -> None:
    repo.write("app/latin1.py", "caf\xe9 = 'na\xefve'\n".encode("latin-1") + b"x = 1\n")
    repo.write("app/broken.py", b"ok = 1\nbad = '\xed\xa0\x80 \xc0\xaf \xff\xfe'\nend = 2\n")
    repo.write("app/cut.py", "é".encode()[:1] + b"\nz = 3\n")


def symlink_loops(repo: GitRepo) -> None:
    repo.symlink("loop_a", "loop_b")
    repo.symlink("loop_b", "loop_a")
    repo.symlink("self", "self")
    repo.symlink("escape", "/etc/passwd")
    repo.symlink("up", "../../..")
    repo.symlink("app/back", "../app")


WEIRD_NAMES = (
    "app/we\nird.py",
    "app/tab\there.py",
    'app/quote"s.py',
    "app/naïve ✓.py",
    "-rf.py",
    "app/ space .py",
    "app/back\\slash.py",
    "app/:colon::x.py",
    "app/x\n::set-output name=pwned::1.py",
    "app/y\r\n##[error]pwned.py",
)


def weird_names(repo: GitRepo) -> None:
    for i, name in enumerate(WEIRD_NAMES):
        repo.write(name, f"VALUE_{i} = {i}\n")


def fifty_thousand_lines(repo: GitRepo) -> None:
    repo.write("gen/table.py", "".join(f"ROW_{i} = {i * 7 % 1000}\n" for i in range(50_000)))


MB = 1024 * 1024


def sql_file(repo: GitRepo, name: str, size: int) -> None:
    """``size`` bytes of SQL lines, written 1 MiB at a time."""
    line = b"INSERT INTO t VALUES (1, 'reviewbot hostile content line of text');\n"
    piece = line * (MB // len(line))
    target = repo.path / name
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as fh:
        written = 0
        while written + len(piece) <= size:
            fh.write(piece)
            written += len(piece)


def hundred_megabytes(repo: GitRepo) -> None:
    sql_file(repo, "data/huge.sql", 100 * MB)


def fifteen_megabytes(repo: GitRepo) -> None:
    """Just under the size above which git diffs a blob as binary: the largest text diff."""
    sql_file(repo, "data/big.sql", 15 * MB)


def hundred_thousand_files(repo: GitRepo) -> None:
    """100,000 files of one blob, committed on `main` by one fast-import (no checkout)."""
    parent = repo.head()
    blob, message = "VALUE = 1\n", "100,000 tiny files"
    lines = [
        "blob",
        "mark :1",
        f"data {len(blob)}",
        blob,
        "commit refs/heads/main",
        "committer Test <t@example.invalid> 1700000000 +0000",
        f"data {len(message)}",
        message,
        f"from {parent}",
    ]
    lines += [f"M 100644 :1 many/d{i // 1000:03}/f{i:06}.py" for i in range(100_000)]
    script = "\n".join(lines) + "\n"
    subprocess.run(
        ["git", "fast-import", "--quiet"],
        cwd=repo.path,
        input=script.encode(),
        check=True,
        capture_output=True,
    )
    repo.git("reset", "--quiet", "--hard", "main")  # checked out, as actions/checkout would
