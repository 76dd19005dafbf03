"""Live progress on a terminal: one status line that updates while the model works.

The line shows the step, the tool being called, tokens in and out, the cached share, the
cost so far and the elapsed time. It is drawn only on a terminal; elsewhere (CI logs,
pipes) the run is quiet unless ``verbose`` asks for one line per step.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.console import Console
from rich.live import Live
from rich.text import Text

from reviewbot.agent.loop import AgentEvent, StepStarted, ToolStarted, TurnDone
from reviewbot.llm.types import ContentDelta, ReasoningDelta, Retrying, ToolCallDelta, Usage


class Progress:
    def __init__(
        self,
        console: Console,
        *,
        live: bool,
        verbose: bool = False,
        show_reasoning: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.console = console
        self.verbose = verbose
        self.show_reasoning = show_reasoning
        self.clock = clock
        self.started = clock()
        self.step = 0
        self.max_steps = 0
        self.activity = "starting"
        self.usage = Usage()
        self.cost = 0.0
        self._live = Live(console=console, auto_refresh=False, transient=True) if live else None
        self._reasoning_open = False

    def __enter__(self) -> Progress:
        if self._live is not None:
            self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.stop()

    def line(self) -> str:
        u = self.usage
        share = u.cached_tokens / u.input_tokens if u.input_tokens else 0.0
        elapsed = self.clock() - self.started
        return (
            f"step {self.step}/{self.max_steps} · {self.activity} · "
            f"{u.input_tokens:,} in ({share:.0%} cached) · {u.output_tokens:,} out · "
            f"${self.cost:.4f} · {elapsed:.0f}s"
        )

    def __call__(self, event: AgentEvent) -> None:
        if isinstance(event, StepStarted):
            self.step, self.max_steps = event.step, event.max_steps
            self.activity = "thinking"
        elif isinstance(event, ToolStarted):
            self.activity = f"{event.name}({event.arguments[:60]})"
            if self.verbose:
                self.console.print(Text(f"step {event.step}: {event.name} {event.arguments}"))
        elif isinstance(event, TurnDone):
            self.usage, self.cost = event.usage, event.cost_usd
            if self.verbose:
                self.console.print(Text(self.line()))
        elif isinstance(event, ReasoningDelta):
            self.activity = "thinking"
            if self.show_reasoning:
                self._reason(event.text)
                return
        elif isinstance(event, ContentDelta):
            self.activity = "writing"
        elif isinstance(event, ToolCallDelta) and event.name:
            self.activity = f"calling {event.name}"
        elif isinstance(event, Retrying):
            self.activity = f"retrying in {event.wait_seconds:.0f}s ({event.reason})"
            if self.verbose or self._live is None:
                self.console.print(Text(f"model call failed ({event.reason}); retrying"))
        self._draw()

    def _reason(self, text: str) -> None:
        if self._live is not None:
            self._live.console.print(Text(text, style="dim italic"), end="")
        else:
            self.console.print(Text(text, style="dim italic"), end="")

    def _draw(self) -> None:
        if self._live is not None:
            self._live.update(Text(self.line(), style="bold"), refresh=True)
