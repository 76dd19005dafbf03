"""action.yml and the example workflows: valid by SchemaStore's schemas, and safe by rule."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from reviewbot.cli import cli
from reviewbot.github.report import OUTPUTS

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "tests" / "fixtures" / "schemas"
WORKFLOWS = sorted((ROOT / "docs" / "workflows").glob("*.yml"))
PINNED = re.compile(r"^[\w.\-]+/[\w.\-]+(/[\w.\-/]+)?@[0-9a-f]{40}$")


def load(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def schema(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    data: dict[str, Any] = load(ROOT / "action.yml")
    return data


def test_action_yml_matches_the_schemastore_schema(action: dict[str, Any]) -> None:
    jsonschema.Draft7Validator(schema("github-actions.json")).validate(action)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_example_workflows_match_the_schemastore_schema(path: Path) -> None:
    jsonschema.Draft7Validator(schema("github-workflows.json")).validate(load(path))


def test_the_schema_test_can_fail(action: dict[str, Any]) -> None:
    broken = action | {"runs": {"using": "composite", "steps": [{"run": "x"}]}}  # no shell
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(schema("github-actions.json")).validate(broken)


def steps_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    if "runs" in document:
        return list(document["runs"]["steps"])
    return [step for job in document["jobs"].values() for step in job["steps"]]


@pytest.mark.parametrize("path", [ROOT / "action.yml", *WORKFLOWS], ids=lambda p: p.name)
def test_no_expression_inside_run_and_every_action_pinned(path: Path) -> None:
    for step in steps_of(load(path)):
        assert "${{" not in step.get("run", ""), step
        if "uses" in step:
            assert PINNED.match(step["uses"]), f"{path.name}: {step['uses']} is not pinned"
    text = path.read_text(encoding="utf-8")
    for line in text.splitlines():
        if "uses:" in line:
            assert re.search(r"@[0-9a-f]{40} # v", line), f"no version comment: {line}"


def test_action_installs_itself_and_runs_the_console_script(action: dict[str, Any]) -> None:
    assert action["runs"]["using"] == "composite"
    install, review = [s for s in action["runs"]["steps"] if "run" in s]
    assert '"$GITHUB_ACTION_PATH"' in install["run"]
    assert "python -m reviewbot" not in review["run"]
    assert '/bin/reviewbot" ${global[@]+"${global[@]}"} github \\\n' in review["run"]
    assert review["env"]["PYTHONSAFEPATH"] == "1" and install["env"]["PYTHONSAFEPATH"] == "1"


def test_every_input_reaches_a_step_and_every_output_is_written(action: dict[str, Any]) -> None:
    text = json.dumps(action["runs"])
    for name in action["inputs"]:
        assert f"inputs.{name} }}}}" in text, f"input {name} is never used"
    assert set(action["outputs"]) == set(OUTPUTS)
    for name, output in action["outputs"].items():
        assert output["value"] == f"${{{{ steps.review.outputs.{name} }}}}"


def test_the_flags_the_action_passes_exist(action: dict[str, Any]) -> None:
    script = next(s["run"] for s in action["runs"]["steps"] if s.get("id") == "review")
    flags = set(re.findall(r"args\+=\((--[\w-]+)", script))
    assert flags >= {"--provider", "--model", "--base-url", "--fail-on", "--max-comments"}
    helptext = CliRunner().invoke(cli, ["github", "--help"]).output
    for flag in flags:
        assert flag in helptext, flag
    assert "--config" in CliRunner().invoke(cli, ["--help"]).output


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_grant_least_privilege_and_keep_no_credentials(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {}
    for job in workflow["jobs"].values():
        assert set(job["permissions"]) <= {"contents", "pull-requests", "issues"}
        assert job["permissions"]["contents"] == "read"
        checkout = next(
            s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@")
        )
        assert checkout["with"]["persist-credentials"] is False
        assert checkout["with"]["fetch-depth"] == 0
        triggers = set(workflow["on"])
        if triggers & {"pull_request_target", "issue_comment"}:
            # Trusted context: the pull request's code is never checked out.
            assert "ref" not in checkout["with"] and "repository" not in checkout["with"]
