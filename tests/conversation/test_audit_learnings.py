"""An audit in a workflow (a token, GITHUB_REPOSITORY) gets the maintainers' learnings."""

from __future__ import annotations

import json

from reviewbot.learnings import Learning, store
from tests.audit.conftest import environment, reviewbot, script_auditor
from tests.fakes.github_server import GitHubServer
from tests.fakes.k2_server import K2Server
from tests.helpers.gitrepo import GitRepo


def test_an_audit_drops_what_a_learning_covers(
    project: GitRepo, k2_server: K2Server, github_server: GitHubServer
) -> None:
    github_server.add_repo("octo", "app")
    rule = Learning("L1", "drop", "tools/**", "shell-command-built-input",
                    "deploy.py runs only from CI with a fixed target")  # fmt: skip
    github_server.add_issue("octo", "app", title=store.TITLE, body=store.render([rule]),
                            author="github-actions[bot]")  # fmt: skip
    script_auditor(k2_server)
    env = environment(
        k2_server, **github_server.env(), GITHUB_TOKEN="ghs_auditLearningsToken01234",
        GITHUB_REPOSITORY="octo/app",
    )  # fmt: skip
    run = reviewbot(project, env, "audit", "--format", "json", "-o", "audit.json")
    assert run.code == 1, run.stderr  # the critical finding stays
    assert "1 learning(s) from the learnings issue" in run.stderr
    found = json.loads((project.path / "audit.json").read_text())["findings"]
    titles = {f["title"] for f in found}
    assert "Shell command built from input" not in titles
    assert "Unpickles data from the request" in titles
    first = k2_server.requests[0]["messages"]
    assert first[1]["content"].startswith("# Maintainer instructions: learnings")
    assert "deploy.py runs only from CI" in first[1]["content"]


def test_without_github_an_audit_runs_as_before(project: GitRepo, k2_server: K2Server) -> None:
    script_auditor(k2_server)
    run = reviewbot(project, environment(k2_server), "audit", "--format", "json", "-o", "a.json")
    assert run.code == 1, run.stderr
    assert "learning" not in run.stderr
    assert k2_server.requests[0]["messages"][1]["content"].startswith("# Repository context")
