"""`reviewbot audit` end to end while the model or GitHub (the tracking issue) misbehaves.

The project and the reactive auditor model are the audit suite's (tests/audit/conftest.py):
three planted defects, found in the units' first turns. A recovered audit reports the same
three findings as an undisturbed one; a failed audit exits 3 with one line and every
finding filed before the failure is in its unit's findings.json; the tracking issue is
created exactly once whatever GitHub answers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.audit.conftest import auditor, environment, reviewbot
from tests.fakes.github_server import GitHubServer
from tests.fakes.k2_server import Fault, K2Server, Turn
from tests.faults.reliability import Outcome
from tests.helpers.gitrepo import GitRepo
from tests.hostile.checks import tool_answers

pytestmark = pytest.mark.faults

PLANTED = 3
ISSUES = r"/repos/octo/app/issues$"


def inject_after(server: K2Server, requests: int, faults: tuple[Fault, ...]) -> None:
    """The auditor, with ``faults`` hitting the request after the ``requests``-th."""
    served: list[int] = []

    def turn(body: dict[str, Any]) -> Turn:
        served.append(1)
        if len(served) == requests:
            for fault in faults:
                server.inject(fault)
        return auditor(body)

    if requests == 0:
        for fault in faults:
            server.inject(fault)
    server.script([turn] * 400)


def unit_findings(repo: GitRepo) -> int:
    runs = repo.path / ".git" / "reviewbot" / "runs"
    return sum(
        len(json.loads(p.read_text())["findings"]) for p in runs.glob("*/unit-*/findings.json")
    )


@dataclass(frozen=True)
class AuditCase:
    id: str
    fault: str
    after: int  # requests served before the faults strike
    faults: tuple[Fault, ...]
    recovers: bool = True
    env: dict[str, str] | None = None


CASES = [
    AuditCase("audit-model-429", "model: 3 × HTTP 429 with Retry-After: 0 on the first request",
              0, (Fault.rate_limited(retry_after="0", count=3),)),
    AuditCase("audit-model-5xx-burst", "model: 500, 502, 503 in a row at request 3",
              2, (Fault.status_code(500, retry_after="0"), Fault.status_code(502, retry_after="0"),
                  Fault.status_code(503, retry_after="0"))),
    AuditCase("audit-model-drop", "model: connection dropped mid-stream at request 2",
              1, (Fault.drop(after_chunks=3),)),
    AuditCase("audit-model-stall", "model: stream stalls 5 s (REVIEWBOT_IDLE_TIMEOUT=1)",
              1, (Fault.stall(5.0, after_chunks=2),), env={"REVIEWBOT_IDLE_TIMEOUT": "1"}),
    AuditCase("audit-model-malformed", "model: a truncated JSON chunk at request 2",
              1, (Fault.malformed(after_chunks=2),)),
    AuditCase("audit-model-fails-mid-audit", "model: HTTP 503 on all 8 tries of request 2",
              1, (Fault.status_code(503, retry_after="0", count=8),), recovers=False),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_audit_model_fault(
    case: AuditCase, project: GitRepo, k2_server: K2Server, outcome: Outcome
) -> None:
    inject_after(k2_server, case.after, case.faults)
    env = environment(k2_server, **(case.env or {}))
    run = reviewbot(project, env, "audit", "--format", "json", "-o", "audit.json")
    out = project.path / "audit.json"
    reported = len(json.loads(out.read_text())["findings"]) if out.exists() else 0
    filed = sum(1 for _, text in tool_answers(k2_server.requests) if text.startswith("recorded F"))
    kept = unit_findings(project)
    last = (run.stderr.strip().splitlines() or [""])[-1]
    shown = f": {last}" if run.code == 3 else ""
    outcome.record(
        suite="faults",
        case=case.id,
        command="reviewbot audit",
        fault=case.fault,
        expected="recovers: exit 1 with the 3 planted findings"
        if case.recovers
        else "exit 3, one line; every finding filed before the failure in its unit's findings.json",
        observed=f"exit {run.code}{shown}; findings reported {reported}, filed {filed}, "
        f"in the units' findings.json {kept}",
    )
    assert "Traceback" not in run.stderr
    if case.recovers:
        assert run.code == 1, run.stderr
        assert reported == PLANTED
    else:
        assert run.code == 3, run.stderr
        assert last.startswith("reviewbot: ") and "503" in last
        assert filed >= 1 and kept == filed


def github_env(server: GitHubServer, k2: K2Server) -> dict[str, str]:
    return environment(
        k2,
        **server.env(),
        GITHUB_TOKEN="ghs_audit_faults_token_0123456789",
        GITHUB_REPOSITORY="octo/app",
        REVIEWBOT_GITHUB_REQUEST_INTERVAL="0",
        REVIEWBOT_GITHUB_WRITE_INTERVAL="0",
        REVIEWBOT_GITHUB_BACKOFF="0.01",
    )


ISSUE_CASES: list[tuple[str, str, Callable[[GitHubServer], None]]] = [
    ("audit-issue-502", "GitHub: 2 × HTTP 502 on creating the tracking issue (not taken)",
     lambda s: s.inject("POST", ISSUES, 502, times=2)),
    ("audit-issue-502-after-taken", "GitHub: HTTP 502 after GitHub created the issue",
     lambda s: s.inject("POST", ISSUES, 502, process=True)),
    ("audit-issue-secondary-rate-limit", "GitHub: secondary rate limit (403, Retry-After: 1) "
     "on creating the issue", lambda s: s.inject_secondary_rate_limit("POST", ISSUES)),
    ("audit-issue-422", "GitHub: HTTP 422 on creating the issue",
     lambda s: s.inject("POST", ISSUES, 422, body={"message": "Validation Failed",
                                                    "errors": [], "status": "422"})),
]  # fmt: skip


@pytest.mark.parametrize(("case", "fault", "inject"), ISSUE_CASES, ids=[c[0] for c in ISSUE_CASES])
def test_audit_tracking_issue_fault(
    case: str,
    fault: str,
    inject: Callable[[GitHubServer], None],
    project: GitRepo,
    k2_server: K2Server,
    github_server: GitHubServer,
    outcome: Outcome,
    tmp_path: Path,
) -> None:
    github_server.add_repo("octo", "app")
    k2_server.script([auditor] * 400)
    inject(github_server)
    env = github_env(github_server, k2_server)
    first = reviewbot(project, env, "audit", "--issue", "--format", "json", "-o", "a.json")
    after_first = len(github_server.issues("octo", "app"))
    output = "yes" if (project.path / "a.json").exists() else "no"
    calls = len(k2_server.requests)
    second = reviewbot(project, env, "audit", "--issue", "--format", "json", "-o", "b.json")
    issues = github_server.issues("octo", "app")
    last = (first.stderr.strip().splitlines() or [""])[-1]
    shown = f": {last}" if first.code == 3 else ""
    failed = first.code == 3
    outcome.record(
        suite="faults",
        case=case,
        command="reviewbot audit --issue",
        fault=fault + "; then the next audit",
        expected="one tracking issue after both audits"
        + ("" if "422" not in case else "; the first fails with one line (exit 3)"),
        observed=f"first: exit {first.code}{shown}, {after_first} issue(s), -o written: {output}; "
        f"second: exit "
        f"{second.code}, {len(issues)} issue(s), model asked again: "
        + ("yes" if len(k2_server.requests) > calls else "no"),
    )
    assert "Traceback" not in first.stderr + second.stderr
    assert first.code in (1, 3) and second.code == 1, first.stderr + second.stderr
    if failed:
        assert last.startswith("reviewbot: ")
    assert len(issues) == 1
    assert github_server.violations == [] or "422" in case
