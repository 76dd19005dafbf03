"""Scripted reviewers for the K2 fake: models whose findings are known in advance, so the
review-quality benchmark's scoring can itself be tested (an oracle must score F1 = 1, a
silent model 0, a noisy one exactly the precision its noise implies).

A reviewer reads each request the way a model would: it tells which change it reviews
from the head commit named in the task, sees from the conversation what it has already
done, and fills tool arguments from the schemas it is offered (so added required fields,
such as evidence, do not break it). Per review: one turn of ``add_comment`` calls (all in
parallel), then ``finish_review``; in a verification pass, a confirming verdict for every
candidate finding it is shown, then ``finish_review`` again.

    reviewer = ScriptedReviewer({head_sha: [Planned("pkg/mod.py", 12)]})
    k2_server.script(reviewer.turns())
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reviewbot.eval.build import BuiltInstance
from reviewbot.eval.instances import GoldLine
from tests.fakes.k2_server import FakeCall, Turn

REVIEW_TOOLS = {"read_file", "list_files", "search_code", "git_log", "add_comment", "finish_review"}
_FINDING = re.compile(r"\b(F\d+)\b[^\n]*?([\w./-]+):(\d+)")


@dataclass(frozen=True)
class Planned:
    """A finding the scripted reviewer files."""

    path: str
    line: int
    side: str = "RIGHT"
    title: str = "Defect here"
    severity: str = "major"


def _calls(messages: Sequence[Mapping[str, Any]]) -> list[tuple[int, str]]:
    """(message index, tool name) of every tool call the model made so far."""
    out = []
    for index, message in enumerate(messages):
        for call in message.get("tool_calls") or ():
            out.append((index, str((call.get("function") or {}).get("name"))))
    return out


def _text(message: Mapping[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    return json.dumps(content)


def _properties(tool: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    parameters = (tool.get("function") or {}).get("parameters") or {}
    return dict(parameters.get("properties") or {}), list(parameters.get("required") or ())


def fill(tool: Mapping[str, Any], known: Mapping[str, Any], evidence: str) -> dict[str, Any]:
    """``known`` arguments the tool has, plus a plausible value for each other required one."""
    properties, required = _properties(tool)
    out = {k: v for k, v in known.items() if k in properties}
    for name in required:
        if name in out:
            continue
        schema = properties.get(name) or {}
        if schema.get("enum"):
            out[name] = schema["enum"][0]
        elif schema.get("type") == "integer":
            out[name] = int(known.get("line", 1))
        elif schema.get("type") == "boolean":
            out[name] = True
        elif schema.get("type") == "array":
            out[name] = [evidence]
        else:
            out[name] = evidence
    return out


class ScriptedReviewer:
    """A model that files ``plans[head]`` on the change whose head it is shown."""

    def __init__(
        self, plans: Mapping[str, Sequence[Planned]], *, refute: Sequence[str] = ()
    ) -> None:
        self.plans = {head[:12]: tuple(p) for head, p in plans.items()}
        self.refute = tuple(refute)  # verification refutes findings whose title has one of these
        self.unknown_heads = 0  # requests naming no planned head (a test can assert 0)

    def turns(self, count: int = 10_000) -> list[Any]:
        """Script entries for ``K2Server.script``: this reviewer answers every request."""
        return [self] * count

    def plan_for(self, messages: Sequence[Mapping[str, Any]]) -> tuple[Planned, ...]:
        task = "\n".join(_text(m) for m in messages if m.get("role") in ("user", "system"))
        for head, planned in self.plans.items():
            if head in task:
                return planned
        self.unknown_heads += 1
        return ()

    def __call__(self, body: dict[str, Any]) -> Turn:
        messages = body["messages"]
        tools = {(t.get("function") or {}).get("name"): t for t in body.get("tools") or ()}
        calls = _calls(messages)
        finished = [i for i, name in calls if name == "finish_review"]
        if finished:
            return self._verify(messages, tools, calls, finished[-1])
        planned = self.plan_for(messages)
        if planned and not any(name == "add_comment" for _, name in calls):
            return Turn(
                reasoning=f"I see {len(planned)} problem(s) in this change.",
                tool_calls=[
                    self._comment(tools["add_comment"], p, n) for n, p in enumerate(planned)
                ],
            )
        summary = f"{len(planned)} finding(s)." if planned else "Nothing to report."
        return Turn(reasoning="Done.", tool_calls=[FakeCall("finish_review", {"summary": summary})])

    def _comment(self, tool: Mapping[str, Any], p: Planned, n: int) -> FakeCall:
        known = {
            "path": p.path,
            "line": p.line,
            "severity": p.severity,
            "title": f"{p.title} ({n + 1})",
            "body": f"The code at {p.path}:{p.line} is wrong.",
        }
        if p.side != "RIGHT":
            known["side"] = p.side
        evidence = f"{p.path}:{p.line} shows it"
        return FakeCall("add_comment", fill(tool, known, evidence))

    def _verify(
        self,
        messages: Sequence[Mapping[str, Any]],
        tools: Mapping[str, Mapping[str, Any]],
        calls: Sequence[tuple[int, str]],
        finished_at: int,
    ) -> Turn:
        verdict_tool = next(
            (t for name, t in tools.items() if name not in REVIEW_TOOLS and _is_verdict(t)), None
        )
        after = "\n".join(_text(m) for m in messages[finished_at + 1 :]).splitlines()
        candidates = {
            match.group(1): (match.group(2), int(match.group(3)), line)
            for line in after
            if (match := _FINDING.search(line))
        }
        answered = any(i > finished_at and name not in REVIEW_TOOLS for i, name in calls)
        if verdict_tool is None or answered or not candidates:
            return Turn(
                reasoning="All checked.",
                tool_calls=[FakeCall("finish_review", {"summary": "Checked."})],
            )
        return Turn(
            reasoning="Re-read each finding.",
            tool_calls=[
                _verdict(verdict_tool, ident, path, number, any(t in text for t in self.refute))
                for ident, (path, number, text) in candidates.items()
            ],
        )


def _is_verdict(tool: Mapping[str, Any]) -> bool:
    properties, _ = _properties(tool)
    return "verdict" in properties


def _verdict(tool: Mapping[str, Any], ident: str, path: str, line: int, refute: bool) -> FakeCall:
    properties, _ = _properties(tool)
    choices = properties["verdict"].get("enum") or ["confirmed", "refuted"]
    wanted = "refute" if refute else "confirm"
    verdict = next((c for c in choices if str(c).startswith(wanted)), choices[0])
    id_key = next((k for k in properties if k in ("id", "finding", "finding_id")), "id")
    known: dict[str, Any] = {id_key: ident, "verdict": verdict, "line": line}
    name = (tool.get("function") or {}).get("name", "verify")
    return FakeCall(str(name), fill(tool, known, f"{path}:{line} reads as the finding says"))


MODELS = ("oracle", "silent", "noisy")


def plans(built: Iterable[BuiltInstance], model: str) -> dict[str, list[Planned]]:
    """What each scripted model files, per head commit of the built instances: the oracle
    one finding on the first gold line of each defect; the silent model nothing; the noisy
    model the oracle's findings plus one on the last changed line (RIGHT) that is more than
    3 lines from every gold line, in every instance that has such a line."""
    out: dict[str, list[Planned]] = {}
    for one in built:
        chosen: list[Planned] = []
        if model in ("oracle", "noisy") and one.gold:
            g = one.gold[0]
            chosen.append(Planned(g.path, g.line, g.side, title="Known defect"))
        if model == "noisy":
            far = [c for c in one.changed if c.side == "RIGHT" and not _near(one.gold, c)]
            if far:
                chosen.append(Planned(far[-1].path, far[-1].line, title="Noise"))
        out[one.head] = chosen
    return out


def _near(gold: Iterable[GoldLine], line: GoldLine) -> bool:
    return any(g.path == line.path and abs(g.line - line.line) <= 3 for g in gold)
