"""The scheduled workflow in docs/audit.md is valid and safe: GitHub's schema, zizmor's
offline audits, actions pinned to full commit SHAs, no `${{ }}` inside `run:`, and
permissions granted per job."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

DOC = Path(__file__).resolve().parents[2] / "docs" / "audit.md"
BIN = Path(sys.executable).parent


def workflow_text() -> str:
    blocks = re.findall(r"^```yaml\n(.*?)^```$", DOC.read_text(), re.S | re.M)
    (text,) = [b for b in blocks if b.startswith("name: reviewbot audit")]
    return text


def steps(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for job in data["jobs"].values() for s in job["steps"]]


def test_workflow_is_pinned_and_keeps_expressions_out_of_run() -> None:
    text = workflow_text()
    data = yaml.safe_load(text)
    assert data["permissions"] == {}
    for job in data["jobs"].values():
        assert job["permissions"]["contents"] == "read"
    assert set(data["jobs"]["merge"]["permissions"]) == {"contents", "security-events", "issues"}
    for step in steps(data):
        assert "${{" not in step.get("run", "")
        if "uses" in step:
            assert re.fullmatch(r"[\w./-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False
    for line in text.splitlines():
        if "uses:" in line:
            assert re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), line
    shards = data["jobs"]["audit"]["strategy"]["matrix"]["shard"]
    assert data["env"]["SHARDS"] == str(len(shards))
    assert any("audit merge shards/*.sarif -o audit.sarif --issue" in s.get("run", "")
               for s in steps(data))  # fmt: skip


@pytest.mark.parametrize(
    "command",
    [
        ["zizmor", "--offline"],
        ["check-jsonschema", "--builtin-schema", "vendor.github-workflows"],
    ],
)
def test_workflow_passes_offline_checkers(command: list[str], tmp_path: Path) -> None:
    tool = BIN / command[0]
    if not tool.exists():
        found = shutil.which(command[0])
        if found is None:
            pytest.skip(f"{command[0]} is not installed")
        tool = Path(found)
    path = tmp_path / "reviewbot-audit.yml"
    path.write_text(workflow_text())
    done = subprocess.run(
        [str(tool), *command[1:], str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
