"""A fake K2 server that plays a whole scripted review slowly enough to watch it.

Run as its own process (bench/tmux_demo.sh does)::

    python -m tests.local.slow_k2 --delay 0.03      # prints its base URL, serves until killed

Every streamed chunk is held back ``--delay`` seconds, so reasoning streams at reading pace
and the status line has time to show each step. The script reviews the change of
``bench/tmux_demo.sh``'s repository (app/cache.py gains expiry): it looks around, reads the
file, has one stream dropped half-way (the client retries; the status line says so), files
a critical and a minor finding, finishes, and confirms both in the verification pass.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes.k2_doubles import verdict
from tests.fakes.k2_server import FakeCall, Fault, K2Server, Turn, _Handler


class _SlowHandler(_Handler):
    delay: float = 0.0

    def _write(self, data: bytes) -> None:
        time.sleep(self.delay)
        super()._write(data)


@dataclass
class SlowK2Server(K2Server):
    delay: float = 0.03

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return type("Handler", (_SlowHandler,), {"fake": self, "delay": self.delay})


THINK = (
    "The change adds a TTL to Cache.get. I should check how entries are stored\n"
    "and whether expired ones are ever removed, then look at the callers.\n"
)
EXPIRY = (
    "get() returns None for an expired entry but never deletes it, so a key that is\n"
    "written once and read after expiry stays in self.items forever: memory grows\n"
    "without bound for a long-running process. That is worth a critical finding.\n"
)
LEAK = {
    "path": "app/cache.py",
    "line": 11,
    "end_line": 12,
    "severity": "critical",
    "title": "Expired entries are never evicted",
    "body": "`get` returns None for an expired entry but leaves it in `items`, so the cache "
    "grows without bound in a long-running process.",
    "evidence": "app/cache.py:11-12",
    "suggestion": "        if time.time() - stamp > self.ttl:\n"
    "            del self.items[key]\n            return None\n",
}
NAME = {
    "path": "app/cache.py",
    "line": 16,
    "severity": "minor",
    "title": "put() does not refresh an existing entry's position",
    "body": "Harmless today, but an LRU on top of this will want `put` to move the key.",
    "evidence": "app/cache.py:16",
}


def demo_script(server: K2Server) -> list[Any]:
    def then_drop(body: dict[str, Any]) -> Turn:
        server.inject(Fault.drop(after_chunks=8))  # the next stream breaks mid-reasoning
        return Turn(reasoning=THINK, chunk_chars=6, tool_calls=[
            FakeCall("list_files", {"pattern": "*.py"}),
            FakeCall("search_code", {"pattern": "Cache\\(", "path_glob": "*.py"}),
        ])  # fmt: skip

    return [
        then_drop,
        Turn(reasoning="Now the file itself.\nWith line numbers, to see all of get().\n",
             chunk_chars=6,
             tool_calls=[FakeCall("read_file", {"path": "app/cache.py"})]),
        Turn(reasoning=EXPIRY, chunk_chars=6, tool_calls=[FakeCall("add_comment", LEAK)]),
        Turn(reasoning="One smaller point about put().\n", chunk_chars=6,
             tool_calls=[FakeCall("add_comment", NAME)]),
        Turn(reasoning="That is all.\n", chunk_chars=6, tool_calls=[
            FakeCall("finish_review", {"summary": "Adds expiry to Cache; expired entries leak."})
        ]),
        Turn(reasoning="Re-reading lines 9-16 to confirm both.\n", chunk_chars=6,
             tool_calls=[FakeCall("read_file", {"path": "app/cache.py", "start_line": 9,
                                                "end_line": 16})]),
        Turn(reasoning="Both hold.\n", chunk_chars=6, tool_calls=[
            verdict("F1", "app/cache.py:11-12", reason="items is never pruned"),
            verdict("F2", "app/cache.py:16", reason="put assigns in place"),
        ]),
        Turn(reasoning="Final summary.\n", chunk_chars=6, tool_calls=[
            FakeCall("finish_review", {"summary": "Adds expiry to Cache; expired entries leak."})
        ]),
    ]  # fmt: skip


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=0.03, help="seconds per streamed chunk")
    args = parser.parse_args(argv)
    server = SlowK2Server(delay=args.delay, strict_roundtrip=False).start()
    server.script(demo_script(server))
    print(server.base_url, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    server.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
