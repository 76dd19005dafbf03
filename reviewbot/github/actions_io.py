"""Talking to the Actions runner: the step summary, step outputs, and a log that cannot
carry workflow commands.

``GITHUB_OUTPUT`` is written in the multi-line form (``name<<DELIMITER``, the value,
``DELIMITER``) with a random delimiter that the value does not contain, so no value can
end early and set another output. ``SafeLog`` wraps a text stream: every line goes through
``sanitize.for_log`` (secrets redacted, no line can start ``::`` or ``##[``).
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO

from reviewbot.review.sanitize import for_log


def _delimiter(values: Iterable[str]) -> str:
    while True:
        token = f"ghadelimiter_{secrets.token_hex(16)}"
        if not any(token in value for value in values):
            return token


def output_text(values: Mapping[str, str]) -> str:
    """``GITHUB_OUTPUT`` lines for ``values`` (names are checked, values may be multi-line)."""
    chunks = []
    for name, value in values.items():
        if not name.replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"bad output name {name!r}")
        mark = _delimiter([value, name])
        chunks.append(f"{name}<<{mark}\n{value}\n{mark}\n")
    return "".join(chunks)


def write_outputs(path: Path | None, values: Mapping[str, str]) -> None:
    if path is None:
        return
    with path.open("a", encoding="utf-8") as fh:
        fh.write(output_text(values))


def append_summary(path: Path | None, markdown: str) -> None:
    if path is None:
        return
    with path.open("a", encoding="utf-8") as fh:
        fh.write(markdown.rstrip("\n") + "\n")


class SafeLog(io.TextIOBase):
    """A text stream for the job log: whole lines, each made safe before it is written."""

    def __init__(self, target: IO[str], secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.target = target
        self.secrets = tuple(secrets)
        self._partial = ""

    def write(self, text: str) -> int:
        self._partial += text
        if "\n" in self._partial:
            whole, self._partial = self._partial.rsplit("\n", 1)
            self.target.write(for_log(whole, self.secrets) + "\n")
        return len(text)

    def flush(self) -> None:
        if self._partial:
            self.target.write(for_log(self._partial, self.secrets))
            self._partial = ""
        self.target.flush()

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True
