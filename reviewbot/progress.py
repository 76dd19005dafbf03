"""Progress while the model works: a live status line on a terminal, lines elsewhere.

On a terminal (``live``) one line at the bottom of stderr is redrawn several times a second:

    ⠹ step 3/150 · read_file app/cache.py:1-40 · 12,345 in (81% cached) · 456 out · $0.0123 · 14s

With ``show_reasoning`` the model's reasoning streams above it, dimmed: finished lines are
printed, the line being written shows just above the status line. A ``Retrying`` event
voids what the failed attempt streamed: the unfinished line is dropped and a note marks the
printed lines as discarded. Off a terminal nothing is printed unless ``verbose`` asks for one
line per tool call, per turn and per retry.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from rich.console import Console, ConsoleOptions, RenderResult
from rich.live import Live
from rich.text import Text

from reviewbot.agent.loop import AgentEvent, StepStarted, ToolStarted, TurnDone
from reviewbot.config import Settings
from reviewbot.llm.types import ContentDelta, ReasoningDelta, Retrying, ToolCallDelta, Usage
from reviewbot.review.sanitize import MIN_KNOWN_SECRET, REDACTED, for_log

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
ASCII_SPINNER = "|/-\\"
ACTIVITY_WIDTH = 48
REASONING_STYLE = "dim italic"


def clock_text(seconds: float) -> str:
    """``42s``, ``3m05s``, ``1h02m``."""
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


def _short(text: str, width: int = ACTIVITY_WIDTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def describe_call(name: str, arguments: str) -> str:
    """A tool call as a person would say it: ``read_file app/cache.py:10-40``."""
    try:
        args: Any = json.loads(arguments)
    except ValueError:  # the agent reports at most 200 characters of the arguments
        args = None
    if not isinstance(args, dict):
        return _short(f"{name} {arguments}".strip())
    path = str(args.get("path") or "")
    if name == "read_file" and args.get("start_line"):
        path += f":{args['start_line']}-{args.get('end_line') or ''}".rstrip("-")
    parts: list[str] = {
        "read_file": [path],
        "list_files": [path or ".", str(args.get("pattern") or "")],
        "search_code": [repr(str(args.get("pattern", ""))), str(args.get("path_glob") or "")],
        "git_log": [path],
        "add_comment": [str(args.get("severity", "")), f"{path}:{args.get('line', '?')}"],
        "verify_finding": [str(args.get("id", "")), str(args.get("verdict", ""))],
        "finish_review": [],
    }.get(name, [_short(arguments, 30)])
    return _short(" ".join([name, *(p for p in parts if p)]))


class Progress:
    """Receives agent and stream events; draws or prints progress on ``console`` (stderr)."""

    @classmethod
    def for_run(
        cls,
        console: Console,
        settings: Settings,
        *,
        live: bool,
        quiet: bool,
        verbose: bool,
        secrets: Iterable[str] = (),
    ) -> Progress:
        """Progress for a command run: ``quiet`` wins over ``live``, ``verbose`` and the
        reasoning setting; the run's secrets are never shown."""
        return cls(
            console,
            live=live and not quiet,
            verbose=verbose and not quiet,
            quiet=quiet,
            show_reasoning=settings.show_reasoning and not quiet,
            secrets=(*secrets, *settings.known_secrets),
        )

    def __init__(
        self,
        console: Console,
        *,
        live: bool,
        verbose: bool = False,
        quiet: bool = False,
        show_reasoning: bool = False,
        clock: Callable[[], float] = time.monotonic,
        refresh_per_second: float = 8,
        secrets: Iterable[str] = (),
    ) -> None:
        self.console = console
        self.secrets = tuple(s for s in secrets if len(s) >= MIN_KNOWN_SECRET)
        self.verbose = verbose and not quiet
        self.quiet = quiet
        self.show_reasoning = show_reasoning and not quiet
        self.clock = clock
        self.started = clock()
        self.step = 0
        self.max_steps = 0
        self.activity = "preparing"
        self.usage = Usage()
        self.cost = 0.0
        self.partial = ""  # the reasoning line being written (not printed yet)
        self.printed = 0  # reasoning lines printed during the current attempt
        self.reasoned = False  # any reasoning printed at all
        self._calls: dict[int, tuple[str, int]] = {}  # streamed call index -> (name, chars)
        self._live: Live | None = None
        if live and not quiet:
            self._live = Live(
                _Status(self),
                console=console,
                refresh_per_second=refresh_per_second,
                transient=True,
                redirect_stdout=False,
                redirect_stderr=False,
            )

    def __enter__(self) -> Progress:
        self.started = self.clock()
        if self._live is not None:
            self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._flush_reasoning()
        if self._live is not None:
            self._live.stop()
        if self.reasoned:
            self.console.print()  # a gap between the reasoning and the report

    # What is shown ----------------------------------------------------------------------
    def line(self) -> str:
        u = self.usage
        share = u.cached_tokens / u.input_tokens if u.input_tokens else 0.0
        steps = f"step {self.step}/{self.max_steps}" if self.max_steps else "starting"
        return (
            f"{steps} · {self.activity} · {u.input_tokens:,} in ({share:.0%} cached) · "
            f"{u.output_tokens:,} out · ${self.cost:.4f} · "
            f"{clock_text(self.clock() - self.started)}"
        )

    def spinner(self) -> str:
        frames = SPINNER if (self.console.encoding or "").lower().startswith("utf") else None
        frames = frames or ASCII_SPINNER
        return frames[int((self.clock() - self.started) * 10) % len(frames)]

    def status_lines(self, width: int) -> Iterator[Text]:
        """What the live region shows: the reasoning line being written, then the status."""
        if self.show_reasoning and self.partial.strip():
            shown = self.safe(self._hide_secret_start(self.partial))
            partial = Text(shown, style=REASONING_STYLE, no_wrap=True, overflow="ellipsis")
            partial.truncate(width, overflow="ellipsis")
            yield partial
        status = Text(f"{self.spinner()} ", style="cyan")
        status.append(self.safe(self.line()), style="bold")
        status.truncate(width, overflow="ellipsis")
        yield status

    # Events -----------------------------------------------------------------------------
    def __call__(self, event: AgentEvent) -> None:
        if isinstance(event, StepStarted):
            self._flush_reasoning()
            self.step, self.max_steps = event.step, event.max_steps
            self.printed = 0
            self._calls.clear()
            self.activity = "waiting for the model"
        elif isinstance(event, ReasoningDelta):
            self.activity = "thinking"
            if self.show_reasoning:
                self._reason(event.text)
        elif isinstance(event, ContentDelta):
            self._flush_reasoning()
            self.activity = "writing"
        elif isinstance(event, ToolCallDelta):
            self._flush_reasoning()
            self._calls[event.index] = (
                event.name or self._calls.get(event.index, ("?", 0))[0],
                self._calls.get(event.index, ("", 0))[1] + len(event.arguments_fragment),
            )
            name, size = self._calls[event.index]
            self.activity = f"calling {name}" + (f" ({size:,} chars)" if size else "")
        elif isinstance(event, ToolStarted):
            self.activity = describe_call(event.name, event.arguments)
            if self.verbose:
                self._print(Text(self.safe(f"step {event.step}: {self.activity}")))
        elif isinstance(event, TurnDone):
            self._flush_reasoning()
            self.usage, self.cost = event.usage, event.cost_usd
            if self.verbose:
                self._print(Text(self.safe(self.line()), style="dim"))
        elif isinstance(event, Retrying):
            self._void_attempt(event)
        self.refresh()

    def refresh(self) -> None:
        if self._live is not None:
            self._live.refresh()

    # Reasoning --------------------------------------------------------------------------
    def _reason(self, text: str) -> None:
        self.partial += text
        *done, self.partial = self.partial.split("\n")
        for line in done:
            self._print(Text(self.safe(line), style=REASONING_STYLE), reasoning=True)
            self.printed += 1

    def _flush_reasoning(self) -> None:
        if self.partial.strip():
            self._print(Text(self.safe(self.partial), style=REASONING_STYLE), reasoning=True)
            self.printed += 1
        self.partial = ""

    def _void_attempt(self, event: Retrying) -> None:
        self.partial = ""
        self._calls.clear()
        if self.printed and self.show_reasoning:
            self._print(
                Text(f"[the {self.printed} line(s) above came from a failed attempt: void]"),
                style="dim",
            )
        self.printed = 0
        self.activity = f"retrying in {event.wait_seconds:.0f}s ({_short(event.reason, 40)})"
        if self.verbose:
            self._print(
                Text(
                    self.safe(
                        f"model call failed ({event.reason}); retrying in {event.wait_seconds:.0f}s"
                    ),
                    style="yellow",
                )
            )

    # Safety: model text is shown with the run's secrets redacted and no line able to act
    # as a CI workflow command; the unfinished line also hides the start of a secret.
    def safe(self, text: str) -> str:
        return for_log(text, self.secrets)

    def _hide_secret_start(self, text: str) -> str:
        for secret in self.secrets:
            for size in range(min(len(secret) - 1, len(text)), 3, -1):
                if text.endswith(secret[:size]):
                    return text[:-size] + REDACTED
        return text

    def _print(self, text: Text, *, style: str = "", reasoning: bool = False) -> None:
        if not self.quiet:
            self.reasoned = self.reasoned or reasoning
            self.console.print(text, style=style)


class _Status:
    """The live region, rendered afresh at every refresh (so time and spinner move)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.progress.status_lines(options.max_width)
