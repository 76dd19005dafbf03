"""The tracking issue: its body (ticks for fixed findings, lines kept for files not covered,
a person's tick respected, GitHub's size limit) and the upsert against the fake GitHub,
driven through `reviewbot audit --issue` as a process: created once, updated, never twice;
a missing token is told before any model call or file read."""

from __future__ import annotations

from reviewbot.audit.issue import MARKER, MAX_BODY, issue_body, parse_open
from reviewbot.audit.outputs import AuditResult
from reviewbot.review.findings import Finding, Severity
from reviewbot.review.result import ReviewResult, RunStats
from tests.audit.conftest import FILES, environment, padded, reviewbot, script_auditor
from tests.fakes.github_server import GitHubServer
from tests.fakes.k2_server import K2Server
from tests.helpers.gitrepo import GitRepo

HEAD = "abcdef0123456789abcdef0123456789abcdef01"


def f(path: str, title: str, fp: str, severity: Severity = "major", line: int = 3) -> Finding:
    return Finding(path, line, None, "RIGHT", severity, title, "b", fingerprint=fp)


def audit(*found: Finding, covered: frozenset[str] | None = None) -> AuditResult:
    return AuditResult(
        ReviewResult("s", found, RunStats()),
        head=HEAD,
        date="2026-12-01",
        covered=covered,
        repository_url="https://github.com/octo/app",
    )


def everywhere(path: str) -> bool:
    return True


def test_first_body_lists_every_finding_open() -> None:
    body, fixed = issue_body(
        audit(f("a.py", "Bad", "fp1", "critical"), f("b c.py", "Worse", "fp2")),
        None,
        exists=everywhere,
    )
    assert fixed == 0
    assert body.startswith(f"<!-- {MARKER} -->\n## reviewbot audit\n")
    assert "**2 open finding(s)** (1 critical, 1 major); 0 fixed since the last audit." in body
    assert (
        f"- [ ] **critical** [`a.py:3`](https://github.com/octo/app/blob/{HEAD}/a.py#L3) Bad "
        "<!-- fp:fp1 a.py -->" in body
    )
    assert "<!-- fp:fp2 b%20c.py -->" in body
    assert [(i.fingerprint, i.path, i.ticked) for i in parse_open(body)] == [
        ("fp1", "a.py", False),
        ("fp2", "b c.py", False),
    ]


def test_second_body_ticks_fixed_keeps_uncovered_and_respects_ticks() -> None:
    first, _ = issue_body(
        audit(
            f("a.py", "Fixed soon", "fp1"),
            f("b.py", "Still there", "fp2"),
            f("c.py", "Not looked at", "fp3"),
            f("d.py", "File deleted", "fp4"),
            f("e.py", "Ticked by a person", "fp5"),
        ),
        None,
        exists=everywhere,
    )
    first = first.replace("- [ ] **major** `e.py", "- [x] **major** `e.py").replace(
        "- [ ] **major** [`e.py", "- [x] **major** [`e.py"
    )
    second, fixed = issue_body(
        audit(
            f("b.py", "Still there", "fp2", line=9),
            f("e.py", "Ticked by a person", "fp5"),
            covered=frozenset({"a.py", "b.py", "e.py"}),
        ),
        first,
        exists=lambda path: path != "d.py",
    )
    assert fixed == 2  # a.py (audited, gone) and d.py (deleted)
    items = {i.fingerprint: i for i in parse_open(second)}
    assert set(items) == {"fp2", "fp3", "fp5"}
    assert not items["fp2"].ticked and "b.py#L9" in items["fp2"].line
    assert "Not looked at" in items["fp3"].line  # c.py not covered: kept as it was
    assert items["fp5"].ticked
    fixed_part = second.split("### Fixed since the last audit", 1)[1]
    assert "- [x] ~~**major**" in fixed_part
    assert "Fixed soon" in fixed_part and "File deleted" in fixed_part
    assert "**3 open finding(s)**" in second and "2 fixed since the last audit" in second
    third, again = issue_body(audit(covered=frozenset({"c.py"})), second, exists=everywhere)
    assert again == 1  # fp3 now; the items ticked last time are not carried on
    assert "Fixed soon" not in third


def test_body_fits_githubs_limit() -> None:
    many = [f(f"pkg/m{i}.py", "A long title " * 8, f"fp{i}") for i in range(2000)]
    body, _ = issue_body(audit(*many), None, exists=everywhere)
    assert len(body) <= MAX_BODY
    assert "more not listed: see the audit report" in body
    assert body.rstrip().endswith("</sub>")


def test_issue_upserted_once_and_updated_with_fixed_findings_ticked(
    make_repo: object, k2_server: K2Server, github_server: GitHubServer, project: GitRepo
) -> None:
    github_server.add_repo("octo", "app")
    github_server.add_issue("octo", "app", title="human", body=f"<!-- {MARKER} -->", author="bob")
    script_auditor(k2_server)
    env = environment(
        k2_server,
        **github_server.env(),
        GITHUB_TOKEN="ghs_audit_token_1234",
        GITHUB_REPOSITORY="octo/app",
        REVIEWBOT_GITHUB_REQUEST_INTERVAL="0",
        REVIEWBOT_GITHUB_WRITE_INTERVAL="0",
    )
    first = reviewbot(project, env, "audit", "--issue", "--format", "json", "-q")
    assert first.code == 1, first.stderr  # a critical finding
    ours = [i for i in github_server.issues("octo", "app") if i["user"]["login"] != "bob"]
    assert len(ours) == 1
    number, body = ours[0]["number"], ours[0]["body"]
    assert body.count("- [ ] ") == 3 and "Unpickles data from the request" in body
    assert [label["name"] for label in ours[0]["labels"]] == ["reviewbot-audit"]

    fixed = padded("app/auth/session.py", FILES["app/auth/session.py"]).replace(
        "pickle.loads(blob)", "json.loads(blob)"
    )
    project.write("app/auth/session.py", fixed)
    project.commit("session: no pickle")
    second = reviewbot(project, env, "audit", "--issue", "--format", "json")
    assert second.code == 0, second.stderr
    assert "ticked as fixed" in second.stderr
    ours = [i for i in github_server.issues("octo", "app") if i["user"]["login"] != "bob"]
    assert [i["number"] for i in ours] == [number]  # updated, not duplicated
    body = ours[0]["body"]
    assert "**2 open finding(s)**" in body and "1 fixed since the last audit" in body
    assert "- [x] ~~**critical**" in body and "Unpickles data from the request" in body
    assert github_server.violations == []
    human = [i for i in github_server.issues("octo", "app") if i["user"]["login"] == "bob"]
    assert human[0]["body"] == f"<!-- {MARKER} -->"  # a person's issue is never taken over


def test_issue_from_a_merged_sarif_makes_no_model_call(
    k2_server: K2Server, github_server: GitHubServer, project: GitRepo
) -> None:
    """The workflow's merge job: `audit merge ... --issue`, and a `--since audit.sarif
    --issue` refresh; neither needs a model key nor calls the model."""
    github_server.add_repo("octo", "app")
    script_auditor(k2_server)
    env = environment(k2_server, REVIEWBOT_BUDGET="3500")
    for i in (1, 2):
        shard = reviewbot(project, env, "audit", "--shard", f"{i}/2", "-o", f"s{i}.sarif")
        assert shard.code in (0, 1), shard.stderr
    merged = reviewbot(project, env, "audit", "merge", "s1.sarif", "s2.sarif", "-o", "a.sarif")
    assert merged.code == 0, merged.stderr
    calls = len(k2_server.requests)
    issue_env = {
        **{k: v for k, v in env.items() if k != "REVIEWBOT_API_KEY"},
        **github_server.env(),
        "REVIEWBOT_BASE_URL": "http://127.0.0.1:9/v1",  # nothing listens: a call would fail
        "REVIEWBOT_FAIL_ON": "none",
        "GITHUB_TOKEN": "ghs_audit_token_1234",
        "GITHUB_REPOSITORY": "octo/app",
        "REVIEWBOT_GITHUB_REQUEST_INTERVAL": "0",
        "REVIEWBOT_GITHUB_WRITE_INTERVAL": "0",
    }
    merged = reviewbot(
        project, issue_env, "audit", "merge", "s1.sarif", "s2.sarif", "-o", "b.sarif", "--issue"
    )
    assert merged.code == 0, merged.stderr
    (issue,) = github_server.issues("octo", "app")
    assert issue["body"].count("- [ ] ") == 3
    run = reviewbot(
        project, issue_env, "audit", "--since", "a.sarif", "--issue", "-q", "--format", "json"
    )
    assert run.code == 0, run.stderr
    assert len(k2_server.requests) == calls
    (again,) = github_server.issues("octo", "app")
    assert again["number"] == issue["number"]
    assert again["body"].count("- [ ] ") == 3
    assert github_server.violations == []


def test_issue_without_a_token_fails_before_any_work(k2_server: K2Server, project: GitRepo) -> None:
    script_auditor(k2_server)
    env = {**environment(k2_server), "GITHUB_REPOSITORY": "octo/app"}
    run = reviewbot(project, env, "audit", "--issue", "--format", "json", "-o", "a.json")
    assert run.code == 2, run.stderr
    assert run.stderr.strip().splitlines() == [
        "reviewbot: --issue needs GITHUB_TOKEN; pass it to the step: "
        "`env: GITHUB_TOKEN: ${{ github.token }}` (with `issues: write` permission)"
    ]
    assert k2_server.requests == []  # no unit ran, no money spent
    merged = reviewbot(project, env, "audit", "merge", "missing.sarif", "-o", "m.sarif", "--issue")
    assert merged.code == 2 and "--issue needs GITHUB_TOKEN" in merged.stderr
    assert not (project.path / "m.sarif").exists()
