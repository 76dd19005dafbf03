"""The one way the suites run reviewbot: ``python -m reviewbot`` as a subprocess.

``reviewbot(...)`` runs it in a folder with an environment that points at the fake model
(``model_env``; and, when the caller adds them, the fake GitHub's variables) and returns the
exit code, the output and the peak resident set size of the run: the largest process of the
run's tree, reviewbot itself or a git child. ``start(...)`` runs it in the background.

The peak is each process's own ``VmHWM`` sampled from /proc while the run goes on, not
``ru_maxrss`` from ``wait4``: on Linux a child's ``ru_maxrss`` starts from its parent's
resident size at fork and survives exec, so under a large pytest process every child would
report pytest's size. Sampling may miss growth in the last few milliseconds of a process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

API_KEY = "sk-launch-canary-5e1b9d7c3a8f"


@dataclass(frozen=True)
class Run:
    code: int
    out: bytes
    err: bytes
    peak_rss_kib: int
    seconds: float

    @property
    def stdout(self) -> str:
        return self.out.decode("utf-8", "replace")

    @property
    def stderr(self) -> str:
        return self.err.decode("utf-8", "replace")

    def error_line(self) -> str:
        """The last line on stderr (where a failure's one-line message goes)."""
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        return lines[-1] if lines else ""


class ModelServer(Protocol):
    """A loopback fake of a model API (the K2 fake, the inference.sh fake)."""

    @property
    def base_url(self) -> str: ...


def model_env(
    server: ModelServer | None, *, api_key: str = API_KEY, **extra: str | None
) -> dict[str, str]:
    """The environment of a reviewbot process (or of a git push running its hook) that talks
    to the fake model ``server``: this process's environment, the model settings, ``extra``
    (a value of None removes the variable)."""
    env = {
        **os.environ,
        "REVIEWBOT_PROVIDER": "openai-compatible",
        "REVIEWBOT_API_KEY": api_key,
        "REVIEWBOT_MAX_RETRY_SECONDS": "3",
        "NO_COLOR": "1",
    }
    if server is not None:
        env["REVIEWBOT_BASE_URL"] = server.base_url
    env.update({name: value for name, value in extra.items() if value is not None})
    for name in [name for name, value in extra.items() if value is None]:
        env.pop(name, None)
    return env


def command(*args: str) -> list[str]:
    """The command line of every reviewbot process a suite starts: this interpreter's
    ``python -m reviewbot`` (so it runs the code of the venv the tests run in)."""
    return [sys.executable, "-m", "reviewbot", *args]


def reviewbot(
    cwd: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
    stdin: bytes | str = b"",
    on_start: Callable[[int], None] | None = None,
) -> Run:
    """Run ``python -m reviewbot ARGS`` in ``cwd`` with the environment ``env`` (whole, as
    ``model_env`` makes it; this process's when None); ``on_start`` is told the process id
    as soon as it runs."""
    environment = dict(env if env is not None else os.environ)
    started = time.monotonic()
    proc = subprocess.Popen(
        command(*args),
        cwd=cwd,
        env=environment,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    if on_start is not None:
        on_start(proc.pid)
    chunks: dict[str, bytes] = {}

    def drain(name: str, stream: Any) -> None:
        chunks[name] = stream.read()

    readers = [
        threading.Thread(target=drain, args=("out", proc.stdout)),
        threading.Thread(target=drain, args=("err", proc.stderr)),
    ]
    for reader in readers:
        reader.start()
    try:
        proc.stdin.write(stdin.encode() if isinstance(stdin, str) else stdin)
        proc.stdin.close()
    except BrokenPipeError:
        pass
    timed_out: list[bool] = []

    def kill() -> None:
        timed_out.append(True)
        proc.kill()

    killer = threading.Timer(timeout, kill)
    killer.start()
    sampler = PeakSampler(proc.pid)
    sampler.start()
    try:
        _, status, _usage = os.wait4(proc.pid, 0)
    finally:
        killer.cancel()
        sampler.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    proc.stdout.close()
    proc.stderr.close()
    assert not timed_out, f"reviewbot {' '.join(args)} did not end within {timeout} s"
    return Run(
        code=proc.returncode,
        out=chunks.get("out", b""),
        err=chunks.get("err", b""),
        peak_rss_kib=sampler.peak_kib,
        seconds=time.monotonic() - started,
    )


class PeakSampler:
    """The largest ``VmHWM`` (peak resident set, KiB) of a process and its descendants."""

    def __init__(self, pid: int, interval: float = 0.005) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_kib = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._done.is_set():
            for pid in self._tree():
                self.peak_kib = max(self.peak_kib, _hwm_kib(pid))
            self._done.wait(self.interval)

    def _tree(self) -> list[int]:
        found, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            try:
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/children") as fh:
                        todo += [int(c) for c in fh.read().split()]
            except OSError:
                continue
        return found


def _hwm_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _as_in_a_terminal() -> None:
    """Ctrl-C as a user's terminal delivers it. A shell starting a job in the background
    (``cmd &``, as a CI runner may start the tests) sets SIGINT to ignored; that is
    inherited, Python then installs no KeyboardInterrupt handler, and a test's SIGINT
    would be lost."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(cwd: Path, *args: str, env: Mapping[str, str] | None = None) -> subprocess.Popen[str]:
    """``python -m reviewbot ARGS`` in the background (text pipes; the caller waits), with
    SIGINT as a terminal's foreground process has it."""
    return subprocess.Popen(  # preexec_fn: only signal.signal runs between fork and exec
        command(*args),
        cwd=cwd,
        env=dict(env if env is not None else os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_as_in_a_terminal,
    )
