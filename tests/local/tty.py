"""Running reviewbot with a pseudo-terminal on some of its standard streams (the command
line is the suites' one, ``tests.helpers.launch.command``)."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.helpers import launch


@dataclass
class TtyRun:
    """reviewbot with a terminal on ``stdout``, ``stderr`` and/or ``stdin``; what the terminal
    shows is in ``screen`` (raw bytes, escape codes included), the other streams are pipes."""

    cwd: Path
    args: tuple[str, ...]
    env: Mapping[str, str]
    on: frozenset[str]  # which of "stdin", "stdout", "stderr" are the terminal
    columns: int = 120
    screen: bytearray = field(default_factory=bytearray)

    def __post_init__(self) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, self.columns, 0, 0))
        self._master = master
        pipe = subprocess.PIPE

        def stream(name: str) -> int:
            return slave if name in self.on else pipe

        self.process = subprocess.Popen(
            launch.command(*self.args),
            cwd=self.cwd,
            env={**self.env, "TERM": "xterm-256color", "COLUMNS": str(self.columns)},
            stdin=stream("stdin") if "stdin" in self.on else subprocess.DEVNULL,
            stdout=stream("stdout"),
            stderr=stream("stderr"),
        )
        os.close(slave)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self._master, 4096)
            except OSError:  # EIO: every holder of the terminal has closed it
                return
            if not chunk:
                return
            self.screen += chunk

    def type(self, text: str) -> None:
        os.write(self._master, text.encode())

    def wait_for(self, needle: bytes, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.screen:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError(f"{needle!r} never shown; screen: {bytes(self.screen)!r}")
            time.sleep(0.02)

    def finish(self, timeout: float = 60) -> tuple[int, str, str]:
        """(exit code, stdout if a pipe, stderr if a pipe)."""
        out, err = self.process.communicate(timeout=timeout)
        self._reader.join(timeout=5)
        os.close(self._master)
        decode = lambda b: b.decode() if b else ""  # noqa: E731
        return self.process.returncode, decode(out), decode(err)

    @property
    def text(self) -> str:
        return self.screen.decode(errors="replace")
