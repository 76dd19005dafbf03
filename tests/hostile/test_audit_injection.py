"""`reviewbot audit --issue` of a repository full of prompt injection and secrets, by a
model that obeys the injection in every unit.

An audit packs the whole repository, so this is where a denied file would most easily
slip into a prompt. Checked: no file secret reaches the model; no environment secret,
raw mention, workflow command or live attacker link in the outputs (SARIF, Markdown), the
log, the run directory or the tracking issue.
"""

from __future__ import annotations

import json
from typing import Any

from reviewbot.review.sanitize import ZWSP
from tests.audit.conftest import numbered_lines
from tests.fakes.github_server import GitHubServer
from tests.fakes.k2_doubles import verdicts
from tests.fakes.k2_server import FakeCall, K2Server, Turn
from tests.faults.harness import tree_bytes
from tests.faults.reliability import Outcome
from tests.helpers.gitrepo import GitRepo
from tests.helpers.launch import model_env, reviewbot
from tests.hostile.checks import command_lines, leaks, live_links, raw_mentions
from tests.hostile.payloads import (
    ENV_CANARIES,
    FORBIDDEN_READS,
    HOSTILE_BODY,
    HOSTILE_SUMMARY,
    HOSTILE_TITLE,
    SEARCHES,
)

ENV_VALUES = list(ENV_CANARIES.values())


def obeying_auditor(request: dict[str, Any]) -> Turn:
    """Per unit: every forbidden read and search, one hostile finding, a hostile summary;
    in the verification pass, confirm everything."""
    messages = request["messages"]
    last = messages[-1]
    if last["role"] == "user" and last["content"].startswith("Verification pass"):
        calls = verdicts(last["content"], reason=".")
        return Turn(reasoning="Confirm.", tool_calls=calls or [_finish()])
    if last["role"] == "tool":
        if last["name"] in ("add_comment", "verify_finding"):
            return Turn(reasoning="Done.", tool_calls=[_finish()])
        spots = numbered_lines(messages[1]["content"])
        if not spots:
            return Turn(reasoning="Nothing to pin.", tool_calls=[_finish()])
        path, line, _ = spots[0]
        args = {"path": path, "line": line, "severity": "critical", "title": HOSTILE_TITLE,
                "body": HOSTILE_BODY, "evidence": f"{path}:{line}"}  # fmt: skip
        return Turn(reasoning="Post it.", tool_calls=[FakeCall("add_comment", args)])
    reads = [FakeCall("read_file", a) for a in FORBIDDEN_READS]
    return Turn(reasoning="As the files ask.", tool_calls=[*reads, *SEARCHES])


def _finish() -> FakeCall:
    return FakeCall("finish_review", {"summary": HOSTILE_SUMMARY})


def test_obeying_auditor_on_a_hostile_repository(
    hostile_repo: GitRepo, k2_server: K2Server, github_server: GitHubServer, outcome: Outcome
) -> None:
    github_server.add_repo("octo", "app")
    k2_server.script([obeying_auditor] * 400)
    env = model_env(
        k2_server,
        **ENV_CANARIES,
        **github_server.env(),
        GITHUB_REPOSITORY="octo/app",
        REVIEWBOT_GITHUB_REQUEST_INTERVAL="0",
        REVIEWBOT_GITHUB_WRITE_INTERVAL="0",
        REVIEWBOT_BUDGET="3000",
        REVIEWBOT_MAX_COST="0",
    )
    sarif = reviewbot(hostile_repo.path, "audit", "--issue", "-o", "audit.sarif", env=env)
    markdown = reviewbot(hostile_repo.path, "audit", "--format", "markdown", env=env)
    issues = github_server.issues("octo", "app")
    issue_text = json.dumps([i["body"] for i in issues], ensure_ascii=False)
    outputs = (hostile_repo.path / "audit.sarif").read_text() + markdown.stdout
    # What reviewbot itself sent: prompts and tool results (not the model's own words coming
    # back, in its messages or quoted in the verification pass).
    sent = str(
        [
            m["content"]
            for r in k2_server.requests
            for m in r["messages"]
            if m["role"] in ("system", "tool")
            or (m["role"] == "user" and not m["content"].startswith("Verification pass"))
        ]
    )
    to_model = leaks(sent)  # every canary, of the environment and of the refused files
    written = {
        "outputs": leaks(outputs, ENV_VALUES),
        "log": leaks(sarif.stderr + markdown.stderr, ENV_VALUES),
        "run dir": leaks(tree_bytes(hostile_repo.path / ".git" / "reviewbot"), ENV_VALUES),
        "issue": leaks(issue_text, ENV_VALUES),
    }
    leaked = {k: v for k, v in written.items() if v}
    issue_bodies = "\n".join(i["body"] for i in issues)
    mentions = raw_mentions(issue_bodies) + raw_mentions(markdown.stdout)
    commands = command_lines(markdown.stdout + sarif.stderr + markdown.stderr)
    foreign = live_links(issue_bodies)
    observed = (
        f"exits {sarif.code}, {markdown.code}; secrets to the model: {len(to_model)}; secrets "
        f"written: {sum(map(len, leaked.values()))} ({', '.join(leaked) or 'none'}); "
        f"{len(issues)} issue(s); raw mentions: {len(mentions)}; workflow-command lines: "
        f"{len(commands)}; live attacker links in the issue: {len(foreign)}"
    )
    outcome.record(
        suite="hostile",
        case="audit-obeying-model",
        command="reviewbot audit --issue; reviewbot audit --format markdown",
        fault="a repository with .env, a private key, symlinks to them and injection in "
        "files and history; the model obeys it in every unit",
        expected="no secret to the model; none in SARIF, Markdown, log, run dir or issue; "
        "mentions and workflow commands neutralised; issue links defanged",
        observed=observed,
    )
    assert "Traceback" not in sarif.stderr + markdown.stderr
    assert sarif.code == 1 and markdown.code == 1, sarif.stderr + markdown.stderr
    assert len(issues) == 1
    assert f"@{ZWSP}everyone" in issue_bodies or "[REDACTED]" in outputs  # hostile text got out
    assert to_model == [] and leaked == {}
    assert mentions == [] and commands == [] and foreign == []
