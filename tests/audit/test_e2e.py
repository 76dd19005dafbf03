"""`reviewbot audit` end to end: a real repository, the real CLI as processes, a scripted
model on 127.0.0.1. Three shards run as separate processes at once and their merge equals
the unsharded audit; incremental audits carry earlier findings over; one cost cap covers
all units."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.audit.conftest import (
    API_KEY,
    FILES,
    environment,
    padded,
    planted_lines,
    reviewbot,
    script_auditor,
    start,
)
from tests.fakes.k2_server import K2Server
from tests.helpers.gitrepo import GitRepo

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "schemas" / "sarif-2.1.0.json").read_text()
)


def keys(findings: list[dict[str, Any]]) -> set[tuple[str, str, int, str, str]]:
    return {(f["fingerprint"], f["path"], f["line"], f["severity"], f["title"]) for f in findings}


def sarif_keys(data: dict[str, Any]) -> set[tuple[str, str, int]]:
    out = set()
    for r in data["runs"][0]["results"]:
        place = r["locations"][0]["physicalLocation"]
        fp = r["partialFingerprints"]["primaryLocationLineHash"].rsplit(":", 1)[0]
        out.add((fp, place["artifactLocation"]["uri"], place["region"]["startLine"]))
    return out


def test_findings_sit_on_the_planted_lines(project: GitRepo, k2_server: K2Server) -> None:
    """The scripted model cites the line numbers reviewbot shows it; the findings must
    land where the defects are in the files (an off-by-one in the numbering fails here)."""
    script_auditor(k2_server)
    run = reviewbot(project, environment(k2_server), "audit", "--format", "json", "-o", "a.json")
    assert run.code == 1, run.stderr
    found = json.loads((project.path / "a.json").read_text())["findings"]
    assert {(f["path"], f["line"], f["title"]) for f in found} == planted_lines()
    assert len(planted_lines()) == 3


@pytest.mark.slow
def test_three_shards_as_processes_merge_to_the_whole_audit(
    project: GitRepo, k2_server: K2Server
) -> None:
    script_auditor(k2_server)
    env = environment(k2_server, REVIEWBOT_BUDGET="3500")
    plan = json.loads(reviewbot(project, env, "audit", "--plan", "--format", "json").stdout)
    assert len(plan["units"]) >= 3

    whole = reviewbot(project, env, "audit", "--format", "json", "-o", "whole.json")
    assert whole.code == 1, whole.stderr  # a critical finding, --fail-on critical
    expected = json.loads((project.path / "whole.json").read_text())
    assert len(expected["findings"]) == 3
    assert f"unit 1/{len(plan['units'])}: " in whole.stderr
    requests_whole = len(k2_server.requests)

    outputs = ["shard1.json", "shard2.sarif", "shard3.sarif"]
    running = [
        start(project, env, "audit", "--shard", f"{i}/3", "--format", out.rsplit(".")[1], "-o", out)
        for i, out in enumerate(outputs, start=1)
    ]
    for process in running:
        _, err = process.communicate(timeout=120)
        assert process.returncode in (0, 1), err
        assert "(shard " in err
    assert len(k2_server.requests) == 2 * requests_whole  # each unit ran once more, no more

    merged = reviewbot(project, env, "audit", "merge", *outputs, "-o", "merged.json")
    assert merged.code == 0, merged.stderr
    data = json.loads((project.path / "merged.json").read_text())
    assert keys(data["findings"]) == keys(expected["findings"])
    for name in ("steps", "tool_calls", "output_tokens"):
        assert data["stats"][name] == expected["stats"][name], name
    # Input differs by a few tokens: the fake numbers tool calls server-wide.
    assert abs(data["stats"]["input_tokens"] - expected["stats"]["input_tokens"]) < 100

    assert reviewbot(project, env, "audit", "merge", *outputs, "-o", "merged.sarif").code == 0
    sarif = json.loads((project.path / "merged.sarif").read_text())
    jsonschema.validate(sarif, SCHEMA)
    run = sarif["runs"][0]
    assert run["automationDetails"]["id"].startswith("reviewbot/audit/20")
    assert run["properties"]["audit"]["head"] == project.head()
    assert sarif_keys(sarif) == {(k[0], k[1], k[2]) for k in keys(expected["findings"])}
    units = {r["properties"].get("unit") for r in run["results"]} - {None}  # JSON has none
    assert units and units <= {u["label"] for u in plan["units"]}
    for out in outputs[1:]:
        shard = json.loads((project.path / out).read_text())
        jsonschema.validate(shard, SCHEMA)
        assert "/shard-" in shard["runs"][0]["automationDetails"]["id"]

    runs = project.path / ".git" / "reviewbot" / "runs"
    saved = "".join(p.read_text() for p in runs.rglob("*") if p.is_file())
    assert "transcript" in " ".join(p.name for p in runs.rglob("*"))
    assert API_KEY not in saved


@pytest.mark.slow
def test_incremental_audit_carries_over_untouched_findings(
    project: GitRepo, k2_server: K2Server
) -> None:
    script_auditor(k2_server)
    env = environment(k2_server, REVIEWBOT_BUDGET="3500")
    full = reviewbot(project, env, "audit", "--format", "sarif", "-o", "full.sarif")
    assert full.code == 1, full.stderr
    before = sarif_keys(json.loads((project.path / "full.sarif").read_text()))
    assert len(before) == 3
    first_requests = len(k2_server.requests)

    fixed = padded("tools/deploy.py", FILES["tools/deploy.py"]).replace(
        "'rsync -a build/ ' + target, shell=True", "['rsync', '-a', 'build/', target]"
    )
    project.write("tools/deploy.py", fixed)
    project.commit("deploy: no shell")

    # "last" is the commit of the audit before it (here the HEAD~1 run): nothing changed.
    for since, touched in (("full.sarif", 1), ("HEAD~1", 1), ("last", 0)):
        mark = len(k2_server.requests)
        run = reviewbot(
            project, env, "audit", "--since", since, "--format", "sarif", "-o", "inc.sarif"
        )
        assert run.code == 1, run.stderr
        data = json.loads((project.path / "inc.sarif").read_text())
        after = sarif_keys(data)
        assert {k[1] for k in after} == {"app/auth/session.py", "app/db/store.py"}
        assert after <= before  # the same findings, carried or found again
        notes = " ".join(data["runs"][0]["properties"]["audit"]["notes"])
        assert "incremental since" in notes and "carried over" in notes
        ran = len(k2_server.requests) - mark
        assert (0 < ran < first_requests) if touched else ran == 0  # only touched units ran
        assert f"{touched} touched since" in run.stderr

    nothing = reviewbot(project, env, "audit", "--since", "HEAD", "--format", "json")
    assert nothing.code == 1, nothing.stderr  # no unit touched: every finding carried over
    assert len(json.loads(nothing.stdout)["findings"]) == 2


def unit_costs(project: GitRepo) -> list[float]:
    runs = project.path / ".git" / "reviewbot" / "runs"
    found = sorted(runs.glob("*/unit-*/findings.json"))
    return [json.loads(p.read_text())["stats"]["cost_usd"] for p in found]


def test_max_cost_covers_all_units_and_keeps_findings(
    project: GitRepo, k2_server: K2Server
) -> None:
    script_auditor(k2_server)
    prices = {
        "REVIEWBOT_BUDGET": "3500",
        "REVIEWBOT_PRICES_INPUT": "100",
        "REVIEWBOT_PRICES_CACHED_INPUT": "100",
        "REVIEWBOT_PRICES_OUTPUT": "100",
    }
    env = environment(k2_server, **prices)
    free = reviewbot(project, env, "audit", "--max-cost", "0", "--format", "json")
    assert free.code == 1, free.stderr
    costs = unit_costs(project)
    assert len(costs) >= 3
    cap = costs[0] + costs[1] / 2

    capped = reviewbot(project, env, "audit", "--max-cost", f"{cap:.6f}", "--format", "sarif")
    assert capped.code == 1, capped.stderr  # unit 1's critical finding is kept
    data = json.loads(capped.stdout)
    stats = data["runs"][0]["properties"]["stats"]
    assert stats["cost_usd"] <= cap
    assert "unit 2/" in capped.stderr and "unit 3/" not in capped.stderr  # never started
    notes = " ".join(data["runs"][0]["properties"]["audit"]["notes"])
    assert "unit(s) not run: what is left of the max cost" in notes
    assert "Unpickles data from the request" in json.dumps(data)
    assert data["runs"][0]["properties"]["audit"]["units_run"] == 2

    # The next incremental audit runs the units the cap left out, though nothing changed.
    mark = len(k2_server.requests)
    rest = reviewbot(
        project, env, "audit", "--since", "last", "--max-cost", "0", "--format", "json"
    )
    assert rest.code == 1, rest.stderr
    assert f"{len(costs) - 2} touched since the last audit" in rest.stderr
    assert len(k2_server.requests) > mark
    titles = {f["title"] for f in json.loads(rest.stdout)["findings"]}
    assert titles == {
        "Unpickles data from the request",
        "SQL built with an f-string",
        "Shell command built from input",
    }
