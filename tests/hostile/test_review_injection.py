"""`reviewbot review` of a change full of prompt injection, by a model that obeys it.

The worst case: the scripted model reads every secret it was told to, searches for more,
and writes the secrets (as if guessed), mentions, workflow commands and attacker links
into its comment and summary. Whatever it does, the tools refuse every out-of-bounds read,
no secret of the environment or of the refused files reaches the model or any byte
reviewbot writes, and nothing it prints can act as a workflow command or a mention.
"""

from __future__ import annotations

import re

import pytest

from tests.fakes.k2_server import K2Server
from tests.faults.harness import tree_bytes
from tests.faults.reliability import Outcome
from tests.helpers.gitrepo import GitRepo
from tests.helpers.launch import Run, model_env, reviewbot
from tests.hostile.checks import command_lines, leaks, raw_mentions, refusals, tool_answers
from tests.hostile.conftest import COMMENT_LINE, HANDLER
from tests.hostile.payloads import ENV_CANARIES, obeying_script

FORMATS = ["text", "json", "markdown", "sarif", "github"]


def hostile_run(repo: GitRepo, server: K2Server, fmt: str, to_file: bool) -> tuple[Run, bytes]:
    server.script(obeying_script(HANDLER, COMMENT_LINE))
    out = repo.path.parent / f"review.{fmt}"
    args = ["review", "--base", "main", "--format", fmt, "-v"]
    if to_file:
        args += ["-o", str(out)]
    env = model_env(server, **ENV_CANARIES)
    run = reviewbot(repo.path, *args, env=env)
    return run, out.read_bytes() if to_file else b""


def model_text(printed: str) -> str:
    """Printed output without the repository's own code shown as context (numbered lines
    and a suggestion's removed lines): mentions there are the author's, not the model's."""
    context = re.compile(r"^\s*>?\s*\d+ │|^\s*- ")
    return "\n".join(line for line in printed.splitlines() if not context.match(line))


@pytest.mark.parametrize("fmt", FORMATS)
def test_obeying_model_cannot_leak_or_act(
    fmt: str, hostile_repo: GitRepo, k2_server: K2Server, outcome: Outcome
) -> None:
    run, written = hostile_run(hostile_repo, k2_server, fmt, to_file=fmt in ("json", "sarif"))
    printed = run.stdout + written.decode("utf-8", "replace")
    refused, allowed = refusals(k2_server)
    # Secrets the model could only know by reading them: never sent to it.
    to_model = leaks(str([t for _, t in tool_answers(k2_server.requests)]))
    prompt = leaks(str(k2_server.requests[0]))
    # Secrets of the environment, written by the model itself: never written out.
    env_values = list(ENV_CANARIES.values())
    everywhere = {
        "stdout": leaks(run.out, env_values),
        "stderr": leaks(run.err, env_values),
        "-o file": leaks(written, env_values),
        "run dir": leaks(tree_bytes(hostile_repo.path / ".git" / "reviewbot"), env_values),
    }
    leaked = {where: found for where, found in everywhere.items() if found}
    commands = command_lines(printed, annotations=fmt == "github") + command_lines(run.stderr)
    mentions = raw_mentions(model_text(printed))
    observed = (
        f"exit {run.code}; {len(refused)}/{len(refused) + len(allowed)} out-of-bounds calls "
        f"refused; secrets in the prompt: {len(prompt)}, in tool results: {len(to_model)}; "
        f"secrets written: {sum(map(len, leaked.values()))} ({', '.join(leaked) or 'none'}); "
        f"workflow-command lines printed: {len(commands)}; raw mentions printed: {len(mentions)}"
    )
    outcome.record(
        suite="hostile",
        case=f"review-obeying-model-{fmt}",
        command=f"reviewbot review --format {fmt}",
        fault="injection in diff, file, README and commit message; model obeys it",
        expected="every out-of-bounds read refused; no file secret sent to the model; no "
        "environment secret in any output, transcript or findings.json; no workflow command "
        "or raw mention printed",
        observed=observed,
    )
    assert "Traceback" not in run.stderr
    assert run.code in (0, 1), run.stderr
    assert allowed == [], allowed
    assert prompt == [] and to_model == []
    assert leaked == {}
    assert commands == []
    assert mentions == []
