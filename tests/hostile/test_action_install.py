"""Issue 14.11: what action.yml installs is pinned and hash-checked.

The install step runs as written, with real pip, offline from a local wheelhouse (see
tests/helpers/wheelhouse.py) whose lock names each wheel's sha256. One wheel is then swapped
for a tampered one of the same name and version: the step must refuse it, as it would refuse
a compromised or substituted upload on PyPI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.helpers.action import action_step, copy_action, offline_pip
from tests.helpers.wheelhouse import wheelhouse


def run_install(action: Path, wheels: Path, temp: Path) -> subprocess.CompletedProcess[str]:
    step = action_step("install")
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ["HOME"],
        "RUNNER_TEMP": str(temp),
        "GITHUB_ACTION_PATH": str(action),
        "PYTHON": sys._base_executable,  # the runner's Python, not this test's venv
        **{k: str(v) for k, v in step["env"].items() if k != "PYTHON"},
        **offline_pip(wheels),
    }
    return subprocess.run(
        ["bash", "-c", step["run"]], cwd=action, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip


def test_the_install_step_refuses_a_wheel_whose_hash_is_not_the_locked_one(
    tmp_path: Path,
) -> None:
    house = wheelhouse()
    action = copy_action(tmp_path / "action", lock=house.lock())
    tampered = tmp_path / "wheels"
    shutil.copytree(house.folder, tampered)
    with zipfile.ZipFile(tampered / house.wheels["idna"].name, "a") as wheel:
        wheel.writestr("idna/backdoor.py", "print('owned')\n")
    done = run_install(action, tampered, tmp_path / "temp")
    assert done.returncode != 0, "the tampered wheel was installed"
    assert "DO NOT MATCH THE HASHES" in done.stderr, done.stderr
    assert "idna" in done.stderr
