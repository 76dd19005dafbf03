"""The wheel carries the prompts: a non-editable install finds them without the source tree."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers.launch import reviewbot

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    (built,) = out.glob("reviewbot-*.whl")
    return built


def test_wheel_contains_every_prompt_template(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = sorted(p.name for p in (ROOT / "prompts").glob("*.j2"))
    assert templates, "the source tree has templates"
    for name in templates:
        assert f"reviewbot/prompts/{name}" in names


def test_installed_wheel_runs_and_finds_prompts(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
         str(wheel)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    # The installed copy comes first on the path; run from an empty folder, away from the
    # source tree, so nothing can be found by accident in prompts/.
    env = {**os.environ, "PYTHONPATH": str(target)}
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    probe = (
        "import reviewbot, reviewbot.prompts as p; "
        "print(reviewbot.__file__); print(p.packaged_prompts_dir()); "
        "print(len(p.render('system.md.j2', {'repository': 'o/r', 'instructions': ''})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=workdir, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    module_file, prompts_dir, length = done.stdout.split()
    assert module_file.startswith(str(target))
    assert prompts_dir == str(target / "reviewbot" / "prompts")
    assert int(length) > 500
    for args in (["--version"], ["--help"], ["config"]):
        run = reviewbot(workdir, *args, env=env)
        assert run.code == 0, (args, run.stderr)
