"""Mermaid's own parser (``mermaid.parse`` under node + jsdom, tests/mermaid) for tests.

One node process serves the whole test session (starting it costs about 0.7 s; a parse
then costs milliseconds). Install it once with ``npm ci --prefix tests/mermaid``; CI
(``.ci/run``) does, and from then on it runs offline. Without it the diagram tests are
skipped with that hint, except in CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

FOLDER = Path(__file__).resolve().parents[1] / "mermaid"
IN_CI = bool(os.environ.get("CI"))  # read at import: the tests' own fixture clears CI
INSTALL = "npm ci --prefix tests/mermaid"
_FENCE = re.compile(r"^```mermaid\n(.*?)^```", re.M | re.S)


@dataclass(frozen=True)
class Parsed:
    ok: bool
    type: str = ""
    error: str = ""


class MermaidParser:
    def __init__(self) -> None:
        node = shutil.which("node")
        if node is None or not (FOLDER / "node_modules" / "mermaid").is_dir():
            missing = "node" if node is None else "tests/mermaid/node_modules"
            message = f"Mermaid's parser is not installed ({missing}): run `{INSTALL}`"
            if IN_CI:
                pytest.fail(message)
            pytest.skip(message)
        self.process = subprocess.Popen(
            [node, str(FOLDER / "check.mjs")],
            cwd=FOLDER,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.lock = threading.Lock()

    def parse(self, text: str) -> Parsed:
        assert self.process.stdin is not None and self.process.stdout is not None
        with self.lock:
            self.process.stdin.write(json.dumps(text) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("Mermaid's parser process stopped")
        data = json.loads(line)
        return Parsed(bool(data["ok"]), data.get("type", ""), data.get("error", ""))

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait(timeout=10)


_parser: MermaidParser | None = None


def mermaid_parser() -> MermaidParser:
    """The session's parser (started on first use)."""
    global _parser
    if _parser is None:
        _parser = MermaidParser()
        atexit.register(_parser.close)
    return _parser


def diagrams_in(markdown: str) -> list[str]:
    """The ```mermaid blocks of a Markdown text."""
    return _FENCE.findall(markdown)


def assert_diagrams_parse(markdown: str) -> int:
    """Every ```mermaid block of ``markdown`` parses; returns how many there were."""
    found = diagrams_in(markdown)
    for diagram in found:
        parsed = mermaid_parser().parse(diagram)
        assert parsed.ok, f"Mermaid refused a diagram: {parsed.error}\n{diagram}"
    return len(found)
