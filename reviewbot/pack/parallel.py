"""The scan on two cores: a forked worker scans part of the files while this process
builds the tokenizer and scans the rest.

Forking happens before any thread of ours is started (``fork`` with live threads can leave
a lock held in the child), the worker only reads through ``Source.read_many`` (a git
process of its own) and sends its ``ScanResult`` back through a pipe. Where ``fork`` is
missing, or when the scan is small, everything runs in this process.
"""

from __future__ import annotations

import gc
import os
import pickle
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol

from reviewbot.errors import ReviewbotError
from reviewbot.pack.imports import PathIndex
from reviewbot.pack.query import Query
from reviewbot.pack.scan import ScanResult, scan

PARALLEL_BYTES = 8_000_000  # below this, a second process costs more than it saves
WORKER_SHARE = 0.75  # the worker takes the larger part: this process also builds the tokenizer


class Reader(Protocol):
    def read_many(self, paths: Iterable[str]) -> Iterator[tuple[str, bytes]]: ...


def split(paths: Sequence[str], sizes: dict[str, int], share: float) -> tuple[list[str], list[str]]:
    """(mine, theirs): every path once, interleaved, ``theirs`` holding ``share`` of the bytes."""
    mine: list[str] = []
    theirs: list[str] = []
    mine_bytes = theirs_bytes = 0
    for p in paths:
        if theirs_bytes <= share * (theirs_bytes + mine_bytes):
            theirs.append(p)
            theirs_bytes += sizes[p]
        else:
            mine.append(p)
            mine_bytes += sizes[p]
    return mine, theirs


def merge(a: ScanResult, b: ScanResult) -> ScanResult:
    out = ScanResult()
    out.evidence = {**a.evidence, **b.evidence}
    out.excluded = {**a.excluded, **b.excluded}
    out.df = dict(a.df)
    for term, n in b.df.items():
        out.df[term] = out.df.get(term, 0) + n
    out.scanned = a.scanned + b.scanned
    out.total_words = a.total_words + b.total_words
    return out


class Forked:
    """A scan running in a forked child; ``result()`` waits for it."""

    def __init__(
        self,
        source: Reader,
        paths: list[str],
        query: Query | None,
        index: PathIndex,
        want_imports: bool,
    ) -> None:
        read_fd, write_fd = os.pipe()
        gc.freeze()  # the child's collector must not touch (and so copy) the parent's pages
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, reported through the pipe
            gc.disable()  # the scan makes no cycles
            os.close(read_fd)
            code = 0
            try:
                result = scan(source.read_many(paths), query, index, want_imports=want_imports)
                payload = pickle.dumps(("ok", result), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException as exc:  # noqa: BLE001 - sent to the parent
                payload = pickle.dumps(("error", f"{type(exc).__name__}: {exc}"))
                code = 1
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(payload)
            sys.stdout.flush()
            os._exit(code)
        gc.unfreeze()
        os.close(write_fd)
        self.pid = pid
        self.read_fd = read_fd

    def result(self) -> ScanResult:
        with os.fdopen(self.read_fd, "rb") as pipe:
            data = pipe.read()
        os.waitpid(self.pid, 0)
        try:
            status, value = pickle.loads(data)  # noqa: S301 - our own child's bytes
        except (pickle.UnpicklingError, EOFError, ValueError) as exc:
            raise ReviewbotError(
                "the scanning worker died", hint="rerun; report it if it repeats"
            ) from exc
        if status != "ok":
            raise ReviewbotError(f"the scanning worker failed: {value}")
        assert isinstance(value, ScanResult)
        return value


def scan_parallel(
    source: Reader,
    paths: list[str],
    sizes: dict[str, int],
    query: Query | None,
    index: PathIndex,
    *,
    want_imports: bool = False,
    meanwhile: Callable[[], object] = lambda: None,
    threshold: int = PARALLEL_BYTES,
) -> ScanResult:
    """Scan ``paths``; ``meanwhile`` runs (starting threads) right after the fork."""
    total = sum(sizes[p] for p in paths)
    if total < threshold or not hasattr(os, "fork"):
        meanwhile()
        return scan(source.read_many(paths), query, index, want_imports=want_imports)
    mine, theirs = split(paths, sizes, WORKER_SHARE)
    worker = Forked(source, theirs, query, index, want_imports)
    meanwhile()
    own = scan(source.read_many(mine), query, index, want_imports=want_imports)
    return merge(own, worker.result())
