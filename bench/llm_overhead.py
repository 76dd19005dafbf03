"""Micro-benchmark of the model client's own overhead per turn (not a test).

The fake K2 server runs in its own process on 127.0.0.1 and answers at once (zero model
latency), so what is measured is the client: building and sending the request, reading
SSE, assembling reasoning, content and tool calls, usage. Reported per shape: median and
p95 wall milliseconds per turn, and the client thread's CPU milliseconds per turn
(wall includes the server process producing the reply; CPU is the client alone).

    .venv/bin/python bench/llm_overhead.py [--turns 200] [--mode moonshot]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reviewbot.llm.client import ChatClient, ClientConfig  # noqa: E402
from reviewbot.llm.providers import PROVIDERS  # noqa: E402

PROVIDER_OF_MODE = {
    "moonshot": "moonshot",
    "openrouter": "openrouter",
    "vllm": "openai-compatible",
}

TYPICAL = {
    "reasoning": "The change moves validation into the parser; callers may now skip it. " * 16,
    "content": "I will read the parser and its two callers before commenting. " * 5,
    "tool_calls": [
        {
            "name": "read_file",
            "arguments": {"path": "src/parser.py", "start_line": 1, "end_line": 200},
        },
        {
            "name": "search_code",
            "arguments": {"pattern": "parse_header\\(", "path_glob": "src/**/*.py"},
        },
    ],
    "chunk_chars": 8,
}
CHUNKS_1000 = {"content": "x" * 8000, "chunk_chars": 8}  # 1,000 content deltas (+3 framing chunks)

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "read_file",
            "parameters": {
                "type": "object",
                "properties": {
                    "path": {"type": "string"},
                    "start_line": {"type": "integer"},
                    "end_line": {"type": "integer"},
                },
                "required": ["path"],
            },
        },
    }
]
MESSAGES = [
    {"role": "system", "content": "You are a careful code reviewer. " * 250},
    {"role": "user", "content": "Review this diff:\n" + "+ added line of code\n" * 200},
]


@contextmanager
def fake_server(turn: dict[str, Any], mode: str) -> Iterator[str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.fakes.k2_server",
            "--mode",
            mode,
            "--turn-json",
            json.dumps(turn),
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=10)


def measure(
    base_url: str, mode: str, *, stream: bool, turns: int
) -> tuple[list[float], list[float], int]:
    config = ClientConfig(
        base_url=base_url,
        api_key="bench",
        model="kimi-k2-thinking",
        provider=PROVIDERS[PROVIDER_OF_MODE[mode]],
        stream=stream,
    )
    walls: list[float] = []
    cpus: list[float] = []
    events = 0

    def count(_: object) -> None:
        nonlocal events
        events += 1

    with ChatClient(config) as client:
        for _ in range(10):  # warm up: connection, imports, caches
            client.complete(MESSAGES, TOOLS)
        for _ in range(turns):
            wall, cpu = time.perf_counter(), time.thread_time()
            client.complete(MESSAGES, TOOLS, on_event=count)
            cpus.append((time.thread_time() - cpu) * 1000)
            walls.append((time.perf_counter() - wall) * 1000)
    return walls, cpus, events // turns


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description="client overhead per turn against a zero-latency fake server"
    )
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--mode", default="moonshot", choices=tuple(PROVIDER_OF_MODE))
    args = parser.parse_args()
    print(f"{args.turns} turns per row, mode {args.mode}, Python {sys.version.split()[0]}")
    widths = (34, 11, 12, 9, 11, 8)
    header = ("shape", "events/turn", "wall median", "wall p95", "cpu median", "cpu p95")
    print(
        " ".join(
            f"{h:{'<' if i == 0 else '>'}{w}}"
            for i, (h, w) in enumerate(zip(header, widths, strict=True))
        )
    )
    rows = [
        ("typical turn, streamed", TYPICAL, True),
        ("typical turn, not streamed", TYPICAL, False),
        ("1,000 chunks, streamed", CHUNKS_1000, True),
    ]
    for label, turn, stream in rows:
        with fake_server(turn, args.mode) as base_url:
            walls, cpus, events = measure(base_url, args.mode, stream=stream, turns=args.turns)
        print(
            f"{label:34} {events:>11} {statistics.median(walls):>9.2f} ms {p95(walls):>6.2f} ms"
            f" {statistics.median(cpus):>8.2f} ms {p95(cpus):>5.2f} ms"
        )


if __name__ == "__main__":
    main()
