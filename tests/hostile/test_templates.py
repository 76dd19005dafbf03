"""Prompt-template overrides are the repository's code: they render in Jinja's immutable
sandbox, and they are read from a commit, never from the work tree.

Issue 14, item 2: overrides in ``.reviewbot/prompts/`` were rendered by a plain
``jinja2.Environment`` from the work tree, so ``{{ cycler.__init__.__globals__.os.system(...)
}}`` ran a shell command during ``reviewbot audit --plan`` (no key needed) and
``review --dry-run``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fakes.k2_server import FakeCall, K2Server, Turn
from tests.helpers.gitrepo import GitRepo
from tests.helpers.launch import model_env, reviewbot

PAYLOADS = {
    "shell through cycler": "{{{{ cycler.__init__.__globals__.os.system('touch {marker}') }}}}",
    "shell through a string's class": (
        "{{% for c in ''.__class__.__mro__[1].__subclasses__() %}}"
        "{{% if c.__name__ == 'Popen' %}}{{{{ c(['touch', '{marker}']) }}}}{{% endif %}}"
        "{{% endfor %}}"
    ),
    "shell through lipsum": "{{{{ lipsum.__globals__['os'].popen('touch {marker}').read() }}}}",
    "change a value": "{{% set seen = [] %}}{{{{ seen.append(1) }}}}{{{{ seen | length }}}}",
    "exhaust memory": "{{{{ 'x' * 4000000000 }}}}",
}
COMMANDS = {
    "audit --plan": (["audit", "--plan"], "system.md.j2"),
    "audit": (["audit"], "audit.md.j2"),
    "review --dry-run": (["review", "--base", "main", "--dry-run"], "review.md.j2"),
    "review": (["review", "--base", "main", "--no-verify"], "system.md.j2"),
}


def _repo(make_repo: Callable[..., GitRepo], template: str, text: str) -> GitRepo:
    repo = make_repo("templated")
    repo.write("app/a.py", "def f():\n    return 1\n")
    repo.write(f".reviewbot/prompts/{template}", text)
    repo.commit("initial")
    repo.branch("feature")
    repo.write("app/a.py", "def f():\n    return 2\n")
    repo.commit("change")
    return repo


@pytest.mark.parametrize("payload", list(PAYLOADS))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_hostile_template_runs_nothing(
    payload: str,
    command: str,
    make_repo: Callable[..., GitRepo],
    k2_server: K2Server,
    tmp_path: Path,
) -> None:
    marker = tmp_path / "pwned"
    args, template = COMMANDS[command]
    repo = _repo(make_repo, template, PAYLOADS[payload].format(marker=marker))
    k2_server.script([Turn(tool_calls=[FakeCall("finish_review", {"summary": "ok"})])])
    run = reviewbot(repo.path, *args, env=model_env(k2_server), timeout=60)
    assert not marker.exists()
    assert "Traceback" not in run.stderr
    assert k2_server.requests == []
    assert f".reviewbot/prompts/{template}" in run.stderr
    if command == "audit":  # a unit that fails is reported with the audit's outcome
        assert run.code == 3, run.stderr
    else:
        assert run.code == 2 and len(run.stderr.strip().splitlines()) == 1, run.stderr


@pytest.mark.parametrize("command", ["review", "review --uncommitted", "audit"])
def test_overrides_come_from_the_commit_not_the_work_tree(
    command: str, make_repo: Callable[..., GitRepo], k2_server: K2Server
) -> None:
    template = "system.md.j2"
    repo = _repo(make_repo, template, "COMMITTED template for {{ repository }}.\n")
    # A file on disk that was never committed (a build step's, an attacker's) is not used.
    repo.write(f".reviewbot/prompts/{template}", "WORK TREE template.\n")
    repo.write(".reviewbot/prompts/review.md.j2", "WORK TREE task.\n")
    done = Turn(tool_calls=[FakeCall("finish_review", {"summary": "ok"})])
    k2_server.default_turn = done
    args = {
        "review": ["review", "--base", "main", "--no-verify"],
        "review --uncommitted": ["review", "--uncommitted", "--no-verify"],
        "audit": ["audit"],
    }[command]
    run = reviewbot(repo.path, *args, "-o", str(repo.path.parent / "out"), env=model_env(k2_server))
    assert run.code == 0, run.stderr
    system = k2_server.requests[0]["messages"][0]
    assert system["role"] == "system"
    assert system["content"].startswith("COMMITTED template for")
    if command == "review --uncommitted":
        task = k2_server.requests[0]["messages"][-1]["content"]
        assert not task.startswith("WORK TREE"), task[:80]
        return  # the uncommitted templates are the change under review: data in the diff
    prompts = str([m["content"] for r in k2_server.requests for m in r["messages"]])
    assert "WORK TREE" not in prompts
