"""Answers in threads: one reply to a question asked in a pull request conversation.

The question (``talk_event.Ask``) comes from someone with write access (checked by the
caller). The same agent as a review answers it (``pipeline.answer``: the read-only tools at
the pull request's head, and ``answer``) under its own cost cap; the thread's code and
earlier messages, gathered here, are in its context as data.

Exactly one answer per question, also when the workflow runs twice: an existing answer
(a hidden marker naming the question) ends the run; then the run claims the question with
a 👀 reaction, which GitHub creates once (201) and answers 200 to everyone after, so a
concurrent run stands down; a claim older than ``stale`` seconds (its run died) is taken
over; and after posting, the run reads the thread again and removes its own answer if an
earlier one got there first.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from reviewbot.github.talk_api import Said, Talk
from reviewbot.github.talk_event import Ask
from reviewbot.github.types import Actor

MAX_EARLIER = 12  # earlier messages of the conversation shown
MAX_MESSAGE = 3_000  # characters of one earlier message
MAX_DESCRIPTION = 4_000
AROUND = 25  # lines of the file shown before and after the question's line
_ANSWER = re.compile(r"\A<!-- reviewbot:answer to=(\d+) -->")


def answer_marker(question_id: int) -> str:
    return f"<!-- reviewbot:answer to={question_id} -->"


def answers_to(
    comments: Sequence[Said], question_id: int, ours: Callable[[Actor], bool]
) -> list[Said]:
    """reviewbot's answers to ``question_id`` among ``comments`` (oldest first)."""
    found = []
    for c in comments:
        marked = _ANSWER.match(c.body)
        if marked and int(marked.group(1)) == question_id and ours(c.author):
            found.append(c)
    return sorted(found, key=lambda c: c.id)


@dataclass(frozen=True)
class Question:
    ask: Ask
    asked: Said  # the question as GitHub has it
    root_id: int  # the review thread's first comment (0 on the pull request's conversation)
    earlier: tuple[Said, ...]  # oldest first
    everything: tuple[Said, ...]  # the thread's (or conversation's) comments, to find answers


def gather(talk: Talk, ask: Ask) -> Question:
    """The question, its thread (or the conversation before it), from GitHub."""
    if ask.on_thread:
        comments = talk.review_comments(ask.number)
        asked = next((c for c in comments if c.id == ask.comment_id), None)
        asked = asked or talk.review_comment(ask.comment_id)
        root = asked.in_reply_to or asked.id
        thread = [c for c in comments if root in (c.id, c.in_reply_to)]
        before = [c for c in thread if c.id < asked.id]
        return Question(ask, asked, root, tuple(before[-MAX_EARLIER:]), tuple(thread))
    comments = talk.issue_comments(ask.number)
    asked = next((c for c in comments if c.id == ask.comment_id), None)
    if asked is None:
        asked = Said(ask.comment_id, Actor(ask.author), "", ask.body, "", "")
    before = [c for c in comments if c.id < asked.id]
    return Question(ask, asked, 0, tuple(before[-MAX_EARLIER:]), tuple(comments))


def fenced(text: str, info: str = "text") -> str:
    """``text`` in a code fence it cannot close."""
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def _cut(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + " [… cut]"


def conversation_message(question: Question, *, title: str, description: str, code: str) -> str:
    """The question and its context as one user message; all of it is data but the
    question, and even the question is fenced (it is quoted text, not a system prompt)."""
    asked = question.asked
    out = [
        "# The pull request (data)",
        "",
        f"Title: {' '.join(title.split())[:300]}",
        "",
        "Description:",
        fenced(_cut(description, MAX_DESCRIPTION) or "(none)"),
    ]
    if asked.path:
        where = f"`{asked.path}`" + (f" line {asked.line}" if asked.line else "")
        out += ["", f"# The code the thread is on: {where} (data)", ""]
        if asked.diff_hunk:
            out += ["The diff hunk:", fenced(asked.diff_hunk, "diff"), ""]
        if code:
            out += ["The file at the pull request's head, around the line:", fenced(code)]
    if question.earlier:
        out += ["", "# The conversation before the question (oldest first; data)"]
        for said in question.earlier:
            out += ["", f"{said.author.login} ({said.association.lower()}):"]
            out.append(fenced(_cut(said.body, MAX_MESSAGE)))
    out += [
        "",
        f"# The question, from {asked.author.login} (write access)",
        "",
        fenced(_cut(question.ask.body, MAX_MESSAGE)),
        "",
        "Answer this question with `answer(text)`.",
    ]
    return "\n".join(out) + "\n"


def age_seconds(when: str, now: float | None = None) -> float:
    """Seconds since an ISO 8601 time GitHub gave (0 when it cannot be read)."""
    try:
        stamp = datetime.fromisoformat(when.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0
    return (time.time() if now is None else now) - stamp


def answer_body(question: Question, text: str, cost: float, prose: Callable[[str], str]) -> str:
    """The answer as posted: marker, the (neutralised) text, and where it came from."""
    lines = [answer_marker(question.asked.id)]
    if not question.ask.on_thread:
        first = " ".join(question.ask.body.split())[:200]
        quoted = prose(first).replace("\n", " ")
        link = f" ([question]({question.asked.url}))" if question.asked.url else ""
        lines += [f"> {quoted}{link}", ""]
    lines += [prose(text.strip()) or "_(no answer)_", "", f"<sub>reviewbot · ${cost:.4f}</sub>"]
    return "\n".join(lines) + "\n"
