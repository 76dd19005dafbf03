"""`reviewbot github` on a pull request full of prompt injection (title, body, diff, files,
commit message), reviewed by a model that obeys it.

Checked in everything the run produces: the requests it sends to GitHub, its log, the step
summary, the outputs and its run directory. No secret of the environment, no mention, no
workflow command, no APPROVE, and links to foreign hosts defanged or dropped per setting.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewbot.review.sanitize import ZWSP
from tests.fakes.github_server import GitHubServer
from tests.fakes.k2_server import K2Server
from tests.faults.harness import tree_bytes
from tests.faults.reliability import Outcome
from tests.github.conftest import Bench
from tests.helpers.gitrepo import GitRepo
from tests.hostile.checks import command_lines, leaks, live_links, raw_mentions, refusals
from tests.hostile.conftest import COMMENT_LINE, HANDLER
from tests.hostile.payloads import ATTACKER_HOST, ENV_CANARIES, INJECTION, obeying_script

ENV_VALUES = list(ENV_CANARIES.values())


@pytest.fixture
def hostile_bench(
    github_server: GitHubServer, k2_server: K2Server, hostile_repo: GitRepo, tmp_path: Path
) -> Iterator[Bench]:
    base = hostile_repo.git("rev-parse", "main")
    made = Bench(github_server, k2_server, hostile_repo, base, hostile_repo.head(), tmp_path / "r")
    made.tmp.mkdir()
    yield made
    made.check()


def posted_bodies(server: GitHubServer) -> list[str]:
    """Every text reviewbot sent to GitHub (request bodies, JSON as sent)."""
    return [json.dumps(r.body) for r in server.requests if r.body is not None]


def texts_of(server: GitHubServer) -> str:
    """The bodies as GitHub stores them: reviews, inline comments, issue comments."""
    return "\n".join(
        str(value)
        for r in server.requests
        if isinstance(r.body, dict)
        for key, value in r.body.items()
        if key in ("body", "comments", "title")
    )


@pytest.mark.parametrize("links", ["defang", "drop"])
def test_obeying_model_on_a_hostile_pull_request(
    links: str, hostile_bench: Bench, outcome: Outcome, tmp_path: Path
) -> None:
    bench = hostile_bench
    event = bench.event()
    event["pull_request"]["title"] = "Fix handler. " + INJECTION.splitlines()[1]
    event["pull_request"]["body"] = INJECTION
    bench.seed(event)
    bench.k2.script(obeying_script(HANDLER, COMMENT_LINE))
    run = bench.run(event, env={**ENV_CANARIES, "REVIEWBOT_GITHUB_LINKS": links})

    refused, allowed = refusals(bench.k2)
    to_model = leaks(
        str([m for r in bench.k2.requests for m in r["messages"] if m["role"] != "assistant"])
    )
    sent = "\n".join(posted_bodies(bench.server))
    stored = texts_of(bench.server)
    written = {
        "GitHub requests": leaks(sent, ENV_VALUES),
        "log": leaks(run.stdout + run.stderr, ENV_VALUES),
        "step summary": leaks(run.summary, ENV_VALUES),
        "outputs": leaks(json.dumps(run.outputs), ENV_VALUES),
        "run dir": leaks(tree_bytes(bench.repo.path / ".git" / "reviewbot"), ENV_VALUES),
    }
    leaked = {k: v for k, v in written.items() if v}
    events = [
        r.body.get("event")
        for r in bench.server.requests
        if r.method == "POST" and r.path.endswith("/reviews") and isinstance(r.body, dict)
    ]
    states = [r["state"] for r in bench.reviews()]
    mentions = raw_mentions(stored) + raw_mentions(run.summary)
    commands = command_lines(stored) + command_lines(run.stdout + run.stderr)
    foreign = live_links(stored) + live_links(run.summary)
    host_left = ATTACKER_HOST in stored if links == "drop" else False
    observed = (
        f"exit {run.code}; {len(refused)}/{len(refused) + len(allowed)} out-of-bounds calls "
        f"refused; secrets to the model: {len(to_model)}; secrets written: "
        f"{sum(map(len, leaked.values()))} ({', '.join(leaked) or 'none'}); review events "
        f"{sorted(set(map(str, events)))}, states {sorted(set(states))}; raw mentions: "
        f"{len(mentions)}; workflow-command lines: {len(commands)}; live attacker links: "
        f"{len(foreign)}" + ("; attacker host left: yes" if host_left else "")
    )
    outcome.record(
        suite="hostile",
        case=f"github-obeying-model-links-{links}",
        command=f"reviewbot github (github_links={links})",
        fault="injection in PR title, body, diff, files and commit message; model obeys it",
        expected="every out-of-bounds read refused; no secret sent or written anywhere; "
        "mentions and workflow commands neutralised; never APPROVE; foreign links "
        + ("defanged" if links == "defang" else "dropped"),
        observed=observed,
    )
    assert "Traceback" not in run.stderr
    assert run.code in (0, 1), run.stderr
    assert len(bench.reviews()) == 1
    # The hostile text was posted, neutralised (so the checks below look at something).
    assert "[REDACTED]" in stored and f"@{ZWSP}everyone" in stored
    assert allowed == [] and to_model == []
    assert leaked == {}
    assert "APPROVE" not in events and "APPROVED" not in states
    assert mentions == [] and commands == []
    assert foreign == []
    if links == "drop":
        assert not host_left
    else:
        assert f"hxxps://{ATTACKER_HOST.replace('.', '[.]')}" in stored
