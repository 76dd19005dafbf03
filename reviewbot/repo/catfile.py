"""Many blobs through ``git cat-file --batch``, requests and replies pipelined.

Writer threads feed object ids while the caller reads the replies, so git never waits for
Python between objects. Inflating objects is git's main cost, so large requests are split
over one process per core (two on the reference machine), object by object in turn, with
pipes enlarged to 1 MiB so that each process can run ahead while another one is read.
Reading all 78,000 files of the Linux tree costs two processes, not 78,000.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import threading
from collections.abc import Iterable, Iterator

from reviewbot.errors import RepositoryError
from reviewbot.repo.gitcmd import GitRunner, read_exact

PARALLEL_FROM = 64  # objects; below this one process is quicker to start
PIPE_BYTES = 1 << 20


def _workers(count: int) -> int:
    return max(1, min(2, os.cpu_count() or 1)) if count >= PARALLEL_FROM else 1


def _feed(proc: subprocess.Popen[bytes], ids: list[str]) -> threading.Thread:
    stdin = proc.stdin
    assert stdin is not None

    def feed() -> None:
        try:
            stdin.write(b"".join(oid.encode("ascii") + b"\n" for oid in ids))
            stdin.close()
        except (BrokenPipeError, ValueError, OSError):
            pass  # the reader stopped early and killed git

    thread = threading.Thread(target=feed, name="reviewbot-cat-file", daemon=True)
    thread.start()
    return thread


def _read_one(proc: subprocess.Popen[bytes]) -> bytes | None:
    stdout = proc.stdout
    assert stdout is not None
    header = stdout.readline()
    if not header:
        raise RepositoryError("git cat-file stopped early; is the repository readable?")
    fields = header.split()
    if len(fields) == 2 and fields[1] == b"missing":
        return None
    data = read_exact(stdout, int(fields[2]))
    stdout.read(1)  # the newline after each object
    return data


def stream_blobs(
    runner: GitRunner, object_ids: Iterable[str]
) -> Iterator[tuple[str, bytes | None]]:
    """Yield ``(object_id, content)`` in request order; ``None`` for a missing object."""
    ids = list(object_ids)
    if not ids:
        return
    count = _workers(len(ids))
    procs = [runner.popen(["cat-file", "--batch", "--buffer"], stdin=True) for _ in range(count)]
    for proc in procs:
        assert proc.stdout is not None
        with contextlib.suppress(OSError, AttributeError):
            fcntl.fcntl(proc.stdout.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    writers = [_feed(proc, ids[k::count]) for k, proc in enumerate(procs)]
    finished = False
    try:
        for at, oid in enumerate(ids):
            yield oid, _read_one(procs[at % count])
        finished = True
    finally:
        for proc, writer in zip(procs, writers, strict=True):
            if not finished:
                proc.kill()
            writer.join()
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
            proc.wait()
