"""`reviewbot audit` end to end while the model or GitHub (the tracking issue) misbehaves.

The project and the reactive auditor model are the audit suite's (tests/audit/conftest.py):
three planted defects, found in the units' first turns. A recovered audit reports the same
three findings as an undisturbed one; a failed audit exits 3 with one line, every finding
filed before the failure is in its unit's findings.json, and the outputs are still written
with the units completed (the failed and unstarted units recorded as not covered, so the
tracking issue keeps their findings open and `--since last` audits them); the tracking
issue is created exactly once whatever GitHub answers, and a GitHub failure on it leaves the
outputs written.
"""

from __future__ import annotations

import json
import re
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
    AuditCase("audit-model-fails-mid-audit", "model: HTTP 503 on all 8 tries of request 2 "
              "(the first unit)", 1, (Fault.status_code(503, retry_after="0", count=8),),
              recovers=False),
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
        else "exit 3, one line; every finding filed before the failure in its unit's "
        "findings.json and in the -o output",
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
        assert reported == kept  # written to -o too, though unverified
        assert f"(0 unit(s) completed, {kept} unverified from the failed unit)" in last, last


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
        expected="one tracking issue after both audits; -o written"
        + ("" if "422" not in case else "; the first fails with one line (exit 3)"),
        observed=f"first: exit {first.code}{shown}, {after_first} issue(s), -o written: {output}; "
        f"second: exit "
        f"{second.code}, {len(issues)} issue(s), model asked again: "
        + ("yes" if len(k2_server.requests) > calls else "no"),
    )
    assert "Traceback" not in first.stderr + second.stderr
    assert first.code in (1, 3) and second.code == 1, first.stderr + second.stderr
    assert output == "yes"  # the outputs are written before the issue is touched
    if failed:
        assert last.startswith("reviewbot: ") and "tracking issue was not updated" in last
        assert "kept 3 finding(s) in a.json and " in last
    if "422" in case:
        assert failed
        assert len(json.loads((project.path / "a.json").read_text())["findings"]) == PLANTED
    assert len(issues) == 1
    assert github_server.violations == [] or "422" in case


# A unit that fails mid-audit ------------------------------------------------------------

UNIT_OF = re.compile(r"\(unit (\d+) of (\d+)\)")
THREE_UNITS = {  # app/auth (pickle), app/db + app (SQL), tools (shell)
    "REVIEWBOT_BUDGET": "3000",
    "REVIEWBOT_AUDIT_EXCLUDE": "app/util/**,tests/**,app/auth/tokens.py",
}
SQL, SHELL = "SQL built with an f-string", "Shell command built from input"


def last_turn_of_unit(body: dict[str, Any], answer: Turn) -> bool:
    """Whether ``answer`` ends its unit's session (no request of that unit follows)."""
    if not any(call.name == "finish_review" for call in answer.tool_calls):
        return False
    messages = body["messages"]
    verifying = any(
        m["role"] == "user" and str(m.get("content") or "").startswith("Verification pass")
        for m in messages
    )
    return verifying or messages[-1]["role"] == "user"  # verified, or nothing filed


def fail_from_unit(server: K2Server, number: int, fault: Fault) -> None:
    """The auditor, with ``fault`` queued as the unit before ``number`` ends: it hits
    unit ``number``'s first request and every try after it."""

    def turn(body: dict[str, Any]) -> Turn:
        answer = auditor(body)
        found = UNIT_OF.search(str(body["messages"][2]["content"]))
        assert found is not None
        if int(found.group(1)) == number - 1 and last_turn_of_unit(body, answer):
            server.inject(fault)
        return answer

    server.script([turn] * 400)


def open_and_fixed(body: str) -> tuple[list[str], list[str]]:
    lines = [line for line in body.splitlines() if line.startswith("- [")]
    return [x for x in lines if "~~" not in x], [x for x in lines if "~~" in x]


def test_audit_model_fails_in_the_second_of_three_units(
    project: GitRepo,
    k2_server: K2Server,
    github_server: GitHubServer,
    outcome: Outcome,
) -> None:
    github_server.add_repo("octo", "app")
    k2_server.script([auditor] * 400)
    env = {**github_env(github_server, k2_server), **THREE_UNITS}
    plan = json.loads(reviewbot(project, env, "audit", "--plan", "--format", "json").stdout)
    assert len(plan["units"]) == 3
    first_unit = {f["path"] for f in plan["units"][0]["files"]}
    whole = reviewbot(project, env, "audit", "--issue", "-q", "--format", "json")
    assert whole.code == 1, whole.stderr
    (issue,) = github_server.issues("octo", "app")
    assert len(open_and_fixed(issue["body"])[0]) == PLANTED

    # The next audit: unit 2's first request fails on every try (500, small retry budget).
    failing = K2Server().start()
    try:
        fail_from_unit(failing, 2, Fault.status_code(500, count=50))
        env_failing = {
            **github_env(github_server, failing),
            **THREE_UNITS,
            "REVIEWBOT_MAX_RETRY_SECONDS": "1",
        }
        run = reviewbot(
            project, env_failing, "audit", "--issue", "-q", "--format", "sarif", "-o", "a.sarif"
        )
    finally:
        failing.stop()
    lines = run.stderr.strip().splitlines()
    out = project.path / "a.sarif"
    data = json.loads(out.read_text()) if out.exists() else {"runs": [{"results": []}]}
    sarif = data["runs"][0]
    paths = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
             for r in sarif["results"]}  # fmt: skip
    audit = sarif.get("properties", {}).get("audit", {})
    (issue,) = github_server.issues("octo", "app")
    still_open, ticked = open_and_fixed(issue["body"])
    outcome.record(
        suite="faults",
        case="audit-model-fails-in-unit-2-of-3",
        command="reviewbot audit --issue -q -o a.sarif, after a full audit",
        fault="model: HTTP 500 on every try of unit 2's first request "
        "(REVIEWBOT_MAX_RETRY_SECONDS=1); then `--since last`",
        expected="exit 3, one line; -o and the run folder's audit.sarif hold unit 1's findings; "
        "units 2-3 not covered: the issue ticks none of their findings; --since last audits "
        "units 2-3 only",
        observed=f"exit {run.code}, {len(lines)} stderr line(s): {lines[-1] if lines else ''}; "
        f"-o written: {'yes' if out.exists() else 'no'}, findings in {sorted(paths)}, "
        f"units_run {audit.get('units_run')}; issue: {len(still_open)} open, "
        f"{len(ticked)} ticked as fixed",
    )
    assert "Traceback" not in run.stderr
    assert run.code == 3, run.stderr
    assert len(lines) == 1 and lines[0].startswith("reviewbot: "), run.stderr
    assert "unit 2/3" in lines[0] and "failed" in lines[0] and "500" in lines[0]
    assert "kept 1 finding(s) in a.sarif and " in lines[0]
    assert "(1 unit(s) completed); 2 unit(s) not audited" in lines[0]
    assert paths == {"app/auth/session.py"} and paths <= first_unit
    assert audit["units_run"] == 1
    assert set(audit["covered"]) == first_unit
    assert any("failed" in n and "count as not audited" in n for n in audit["notes"])
    runs = project.path / ".git" / "reviewbot" / "runs"
    saved = sorted(runs.glob("*/audit.sarif"))[-1]
    assert json.loads(saved.read_text())["runs"][0]["results"] == sarif["results"]
    # Units 2 and 3 were not covered: their findings stay open, none is ticked as fixed.
    assert len(still_open) == PLANTED and ticked == []
    assert SQL in issue["body"] and SHELL in issue["body"]

    # The state records what was not audited: `--since last` runs exactly units 2 and 3.
    mark = len(k2_server.requests)
    rest = reviewbot(project, env, "audit", "--since", "last", "--format", "json")
    assert rest.code == 1, rest.stderr
    assert "2 touched since the last audit" in rest.stderr
    assert "unit 1/" not in rest.stderr or plan["units"][0]["label"] not in rest.stderr
    assert len(k2_server.requests) > mark
    titles = {f["title"] for f in json.loads(rest.stdout)["findings"]}
    assert titles == {"Unpickles data from the request", SQL, SHELL}


def test_audit_merge_issue_422_leaves_the_merged_output_written(
    project: GitRepo, k2_server: K2Server, github_server: GitHubServer, outcome: Outcome
) -> None:
    github_server.add_repo("octo", "app")
    k2_server.script([auditor] * 400)
    env = github_env(github_server, k2_server)
    for i in (1, 2):
        shard = reviewbot(project, env, "audit", "--shard", f"{i}/2", "-q", "-o", f"s{i}.sarif")
        assert shard.code in (0, 1), shard.stderr
    github_server.inject("POST", ISSUES, 422, body={"message": "Validation Failed"})
    merged = reviewbot(
        project, env, "audit", "merge", "s1.sarif", "s2.sarif", "-o", "m.sarif", "--issue"
    )
    out = project.path / "m.sarif"
    found = len(json.loads(out.read_text())["runs"][0]["results"]) if out.exists() else 0
    lines = merged.stderr.strip().splitlines()
    outcome.record(
        suite="faults",
        case="audit-merge-issue-422",
        command="reviewbot audit merge --issue",
        fault="GitHub: HTTP 422 on creating the tracking issue",
        expected="exit 3, one line; the merged -o output written with every finding",
        observed=f"exit {merged.code}: {' / '.join(lines)}; -o written: "
        f"{'yes' if out.exists() else 'no'} ({found} finding(s)); "
        f"{len(github_server.issues('octo', 'app'))} issue(s)",
    )
    assert "Traceback" not in merged.stderr
    assert merged.code == 3, merged.stderr
    assert len(lines) == 1 and lines[0].startswith("reviewbot: the tracking issue was not updated")
    assert "m.sarif" in lines[0]
    assert found == PLANTED
