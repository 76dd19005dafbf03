"""The action's review step under the rules of bash before 4.4 (macOS runners ship 3.2).

Before 4.4, `"${a[@]}"` of an empty array under `set -u` stops the script ("unbound
variable"); bash 3.2 cannot be had here, so the step runs under this machine's bash with a
DEBUG trap that applies the old rule: before each command, every plain `${a[@]}` in the
command's text whose array is empty ends the script as bash 3.2 would. The guarded form
`${a[@]+"${a[@]}"}` expands to nothing in every bash and passes.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]

BASH32_NOUNSET = r"""
__bash32_nounset() {
  local rest=$BASH_COMMAND name count
  local word='[A-Za-z_][A-Za-z0-9_]*'
  local guarded="\\\$\\{($word)\\[[@*]\\]\\+\"\\\$\\{$word\\[[@*]\\]\\}\"\\}"
  local plain="\\\$\\{($word)\\[[@*]\\]\\}"
  while [[ $rest =~ $guarded ]]; do rest=${rest/"${BASH_REMATCH[0]}"/}; done
  while [[ $rest =~ $plain ]]; do
    name=${BASH_REMATCH[1]}
    rest=${rest/"${BASH_REMATCH[0]}"/}
    if declare -p "$name" >/dev/null 2>&1; then eval "count=\${#$name[@]}"; else count=0; fi
    if [[ $count -eq 0 ]]; then
      echo "bash: $name[@]: unbound variable (bash before 4.4, set -u)" >&2
      exit 1
    fi
  done
}
trap __bash32_nounset DEBUG
"""


def run_old_bash(script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", BASH32_NOUNSET + script], env=env, capture_output=True, text=True
    )


def test_the_old_rule_stops_a_plain_expansion_of_an_empty_array() -> None:
    plain = run_old_bash('set -u\na=()\necho "${a[@]}"\necho reached\n', {})
    assert plain.returncode == 1 and "a[@]: unbound variable" in plain.stderr
    assert "reached" not in plain.stdout
    guarded = run_old_bash('set -u\na=()\nb=(x)\necho ${a[@]+"${a[@]}"} "${b[@]}"\n', {})
    assert guarded.returncode == 0 and guarded.stdout == "x\n"


@pytest.fixture(scope="module")
def review_step() -> dict[str, Any]:
    action = YAML(typ="safe", pure=True).load((ROOT / "action.yml").read_text(encoding="utf-8"))
    step: dict[str, Any] = next(s for s in action["runs"]["steps"] if s.get("id") == "review")
    return step


def test_the_review_step_passes_only_the_inputs_that_are_set(
    review_step: dict[str, Any], tmp_path: Path
) -> None:
    """The step's script with a stand-in `reviewbot` that prints its arguments, under the
    old bash rule: with every input empty, both argument arrays are empty."""
    fake = tmp_path / "reviewbot-venv" / "bin" / "reviewbot"
    fake.parent.mkdir(parents=True)
    fake.write_text(
        '#!/usr/bin/env bash\nprintf "%s|" "$@"\necho "links=${REVIEWBOT_GITHUB_LINKS:-}"\n'
    )
    fake.chmod(0o755)
    inputs = {name: "" for name in review_step["env"] if name.startswith("INPUT_")}
    env = {"PATH": "/usr/bin:/bin", "RUNNER_TEMP": str(tmp_path), **inputs}
    done = run_old_bash(review_step["run"], env)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "github|links=\n"
    env |= {"INPUT_CONFIG": ".github/rb.toml", "INPUT_FAIL_ON": "major", "INPUT_LINKS": "drop",
            "INPUT_MODEL": "kimi-k2-thinking-turbo", "INPUT_MAX_COST": "0.5"}  # fmt: skip
    done = run_old_bash(review_step["run"], env)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "--config|.github/rb.toml|github|--model|kimi-k2-thinking-turbo|--fail-on|major|"
        "--max-cost|0.5|links=drop\n"
    )
