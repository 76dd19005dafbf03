"""The scan on two cores: a forked worker scans part of the files while this process
builds the tokenizer, reads the history and scans the rest.

The fork happens first, before any thread of ours exists (``fork`` with live threads can
leave a lock held in the child); the worker then plans the same scan as this process (the
plan is deterministic, so both split it the same way), reads only through
``Source.read_many`` (a git process of its own) and sends its ``ScanResult`` back through a
pipe. Where ``fork`` is missing, or the scan is small, this process scans everything.
"""

from __future__ import annotations

import gc
import os
import pickle
import threading
from collections.abc import Callable, Mapping, Sequence

from reviewbot.errors import ReviewbotError
from reviewbot.pack.scan import ScanResult

PARALLEL_BYTES = 8_000_000  # below this, a second process costs more than it saves
WORKER_SHARE = 0.75  # the worker takes the larger part: this process also builds the tokenizer


def split(
    paths: Sequence[str], sizes: Mapping[str, int], threshold: int | None
) -> tuple[list[str], list[str]]:
    """(mine, theirs): every path once, interleaved, ``theirs`` holding ``WORKER_SHARE`` of
    the bytes; everything is mine when there is no worker (``threshold`` None) or the scan
    is smaller than ``threshold`` bytes."""
    if threshold is None or sum(sizes[p] for p in paths) < threshold:
        return list(paths), []
    mine: list[str] = []
    theirs: list[str] = []
    mine_bytes = theirs_bytes = 0
    for p in paths:
        if theirs_bytes <= WORKER_SHARE * (theirs_bytes + mine_bytes):
            theirs.append(p)
            theirs_bytes += sizes[p]
        else:
            mine.append(p)
            mine_bytes += sizes[p]
    return mine, theirs


def can_fork() -> bool:
    """Fork only where it exists and while this process runs a single thread: a lock held
    by another thread at the fork would stay held forever in the child."""
    return hasattr(os, "fork") and threading.active_count() == 1


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
    """``job()`` running in a forked child; ``result()`` waits for its ``ScanResult``."""

    def __init__(self, job: Callable[[], ScanResult]) -> None:
        read_fd, write_fd = os.pipe()
        gc.freeze()  # the child's collector must not touch (and so copy) the parent's pages
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, reported through the pipe
            gc.disable()  # the scan makes no cycles
            os.close(read_fd)
            code = 0
            try:
                payload = pickle.dumps(("ok", job()), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException as exc:  # noqa: BLE001 - sent to the parent
                payload = pickle.dumps(("error", f"{type(exc).__name__}: {exc}"))
                code = 1
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(payload)
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
