"""Answering one question with the review's agent: the read-only tools (``read_file``,
``list_files``, ``search_code``, ``git_log``) and ``answer``, under limits of its own.

The caller (``github/conversation``) builds the messages; the transcript is saved in the
run directory like a review's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reviewbot.agent.exceptions import Submitted
from reviewbot.agent.loop import Limits
from reviewbot.agent.tools import FindingsBook, FunctionTool, ReviewTools, Tool
from reviewbot.agent.transcript import Redactor, Transcript
from reviewbot.config import Settings
from reviewbot.llm.pricing import prices_for
from reviewbot.pack.tokens import TokenCounter
from reviewbot.pipeline.run import Execution, new_agent
from reviewbot.repo import ChangeSet, RepoView

READ_ONLY = ("read_file", "list_files", "search_code", "git_log")
NUDGE = "You replied without calling a tool. Call answer(text) with your answer to the question."


class AnswerTool:
    """``answer``: the agent's last call."""

    def answer(self, text: str) -> str:
        """Post your answer to the question, in Markdown. Call once, when you are done.

        Args:
            text: the answer: a few sentences, a short code block when it helps
        """
        raise Submitted(text.strip())


@dataclass(frozen=True)
class Answered:
    text: str  # "" when a limit stopped the agent first
    cost_usd: float
    stopped_by: str | None = None
    note: str = ""  # what stopped it


def answer_tools(view: RepoView, changes: ChangeSet) -> list[Tool]:
    reading = ReviewTools(view, changes, FindingsBook(), code_at=lambda *_: "")
    chosen: list[Tool] = [t for t in reading.tools() if t.name in READ_ONLY]
    return [*chosen, FunctionTool.of(AnswerTool().answer)]


def answer_question(
    messages: Sequence[dict[str, Any]],
    *,
    view: RepoView,
    changes: ChangeSet,
    settings: Settings,
    how: Execution,
    max_steps: int,
    max_cost: float,
    max_seconds: float,
    transcript_name: str = "answer.jsonl",
) -> Answered:
    """Run the agent on ``messages`` until it calls ``answer`` or a limit stops it."""
    secrets = (*how.secrets, *settings.known_secrets)
    how.run_dir.mkdir(parents=True, exist_ok=True)
    transcript = Transcript(how.run_dir / transcript_name, Redactor(secrets))
    counter = TokenCounter(settings.tokenizer).start()
    prices = prices_for(settings.effective_model, settings)
    limits = Limits(max_steps, max_cost, max_seconds, settings.tool_timeout)
    tools = answer_tools(view, changes)
    agent = new_agent(how, tools, settings, prices, limits, transcript, counter.count)
    try:
        outcome = agent.run(list(messages), nudge=lambda: NUDGE)
    finally:
        transcript.close()
    return Answered(outcome.summary or "", agent.totals.cost_usd, outcome.stopped_by, outcome.note)
