"""The run directory: the transcript of every request and response, and the findings,
written before anything is published so nothing is lost if publishing fails.

Secrets (API keys, tokens) are replaced before a byte reaches the disk.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from reviewbot.llm.types import AssistantTurn

REDACTED = "[REDACTED]"


class Redactor:
    """Replaces known secret values (and nothing else) in text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        # Longest first, so a secret containing another is replaced whole.
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text


class Transcript:
    """Append-only JSON Lines log of one agent session."""

    def __init__(self, path: Path, redact: Redactor) -> None:
        self.path = path
        self.redact = redact
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("a", encoding="utf-8")

    def _write(self, kind: str, payload: Any) -> None:
        line = json.dumps({"t": round(time.time(), 3), "kind": kind, **payload}, default=str)
        self._file.write(self.redact(line) + "\n")
        self._file.flush()

    def request(self, new_messages: Sequence[dict[str, Any]], tools: Sequence[str]) -> None:
        self._write("request", {"messages": list(new_messages), "tools": list(tools)})

    def response(self, turn: AssistantTurn) -> None:
        self._write("response", {"turn": dataclasses.asdict(turn)})

    def note(self, text: str, **extra: Any) -> None:
        self._write("note", {"text": text, **extra})

    def close(self) -> None:
        self._file.close()
