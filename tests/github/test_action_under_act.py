"""action.yml run by a real runner implementation: nektos/act 0.2.89, host mode, offline.

A workflow uses the action as users do (`reviewbot/reviewbot@<sha>`, mapped by act's
`--local-repository` to a copy of this folder) on a `pull_request` event; the review posts to
the fake GitHub (act's `--env GITHUB_API_URL=...`) from the loopback K2 server. What is
real: act's reading of action.yml (inputs, defaults, expressions, `env:`, outputs), the
composite steps run by bash, `python -m venv` and pip installing from a hashed lock, the
installed console script. What stands in:

- actions/setup-python: its real interface (tests/fixtures/setup-python, see PROVENANCE.md)
  with one bash step that does what it does for a version in the tool cache; the tool cache
  is pre-filled with this machine's CPython. CI cannot fetch the real action (no GitHub) and
  this project does not keep its 7 MB of bundled JavaScript. Set REVIEWBOT_ACT_SETUP_PYTHON
  to a checkout of it to run the real one.
- PyPI: a wheelhouse packed from this environment's installed distributions, with a lock of
  its hashes (tests/helpers/wheelhouse.py); pip runs with --require-hashes as in CI.
- actions/checkout: a `git clone` step.

act 0.2.89 copies a composite action's last inner step's outputs onto the outer step
(nektos/act #2553), which would hide a broken `outputs:` mapping; the outputs are read from
act's JSON log as it evaluated the mapping (ActRun.outputs).
"""

from __future__ import annotations

import os
import platform
import re
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from reviewbot.github.body import Style, comment_body
from reviewbot.review.findings import Finding
from tests.fakes.github_events import load_event, retarget, seed_pull
from tests.fakes.github_files import files_from_git_diff
from tests.fakes.github_server import GitHubServer
from tests.fakes.k2_server import K2Server
from tests.github.conftest import NAME, NUMBER, OWNER, REPOSITORY, comment, review_script
from tests.helpers.act import ActRun, run_act
from tests.helpers.action import copy_action, load_action, offline_pip
from tests.helpers.gitrepo import GitRepo
from tests.helpers.samples import CACHE_AFTER, CACHE_BEFORE
from tests.helpers.wheelhouse import wheelhouse

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
REAL_SETUP_PYTHON = os.environ.get("REVIEWBOT_ACT_SETUP_PYTHON")  # read before conftest clears it
RELEASE = "reviewbot/reviewbot@" + "5" * 40
API_KEY = "sk-act-canary-1c9e4b7d2f"
TOKEN = "ghs_actInputToken0123456789abcdefABCDEFGH"
RUNNER_TOKEN = "ghs_actRunnerToken0123456789abcdefABCDEF"  # what ${{ github.token }} is
MODEL = "k2-under-act"
INSTRUCTION = "Canary instruction 7f3a from the config input."
CONFIG = ".github/reviewbot-under-act.toml"
LINK = "https://attacker.example/exploit"
STAND_IN_STEP = r"""set -euo pipefail
# What actions/setup-python does for a version in the tool cache (it downloads others).
found=""
for dir in "$RUNNER_TOOL_CACHE/Python/$VERSION" "$RUNNER_TOOL_CACHE/Python/$VERSION".*; do
  if [ -f "$dir/$ARCH.complete" ]; then found="$dir/$ARCH"; fi
done
if [ -z "$found" ]; then
  echo "::error::Python $VERSION is not in the tool cache (setup-python stand-in)"; exit 1
fi
echo "python-version=$(basename "$(dirname "$found")")" >> "$GITHUB_OUTPUT"
echo "python-path=$found/bin/python" >> "$GITHUB_OUTPUT"
if [ "$UPDATE" = "true" ]; then echo "$found/bin" >> "$GITHUB_PATH"; fi
"""
ARCH = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}[
    platform.machine().lower()
]


def yaml_dump(data: Any, path: Path) -> None:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)


def setup_python(folder: Path) -> Path:
    if REAL_SETUP_PYTHON:
        return Path(REAL_SETUP_PYTHON)
    interface = YAML(typ="safe", pure=True).load(
        (ROOT / "tests" / "fixtures" / "setup-python" / "action.yml").read_text(encoding="utf-8")
    )
    env = {"VERSION": "${{ inputs.python-version }}", "ARCH": ARCH,
           "UPDATE": "${{ inputs.update-environment }}"}  # fmt: skip
    interface["runs"] = {
        "using": "composite",
        "steps": [{"id": "setup", "shell": "bash", "env": env, "run": STAND_IN_STEP}],
    }
    for name, output in interface["outputs"].items():
        output["value"] = f"${{{{ steps.setup.outputs.{name} }}}}"
    folder.mkdir(parents=True)
    yaml_dump(interface, folder / "action.yml")
    return folder


def fill_tool_cache(cache: Path) -> None:
    """This machine's CPython as setup-python would have left it in the tool cache."""
    version = cache / "tool_cache" / "Python" / platform.python_version()
    (version / ARCH / "bin").mkdir(parents=True)
    (version / ARCH / "bin" / "python").symlink_to(Path(sys._base_executable).resolve())
    (version / f"{ARCH}.complete").touch()


class ActBench:
    """One pull request on the fake GitHub, a workflow folder, and act's folders."""

    def __init__(self, tmp: Path, server: GitHubServer, k2: K2Server) -> None:
        self.tmp, self.server, self.k2 = tmp, server, k2
        repo = GitRepo.create(tmp / "project", branch="master")
        repo.write("app/__init__.py", "")
        repo.write("app/cache.py", CACHE_BEFORE)
        repo.write(CONFIG, f'instructions = "{INSTRUCTION}"\n')
        self.base = repo.commit("initial")
        repo.branch("changes")
        repo.write("app/cache.py", CACHE_AFTER)
        self.head = repo.commit("cache: expire entries")
        self.repo = repo
        self.event = retarget(load_event("pull_request.opened.1"), head_sha=self.head,
                              base_sha=self.base)  # fmt: skip
        diff = repo.git("diff", "-M", self.base, self.head)
        seed_pull(server, self.event, files=files_from_git_diff(diff))
        house = wheelhouse()
        self.action = copy_action(tmp / "action", lock=house.lock())
        self.pip = offline_pip(house.folder)
        self.setup_python = setup_python(tmp / "setup-python")
        fill_tool_cache(tmp / "act")
        self.workflows = GitRepo.create(tmp / "workflows")
        self.workflows.repo.create_remote("origin", f"https://github.com/{REPOSITORY}")

    def run(self, steps: list[dict[str, Any]], secrets: dict[str, str]) -> ActRun:
        checkout = {
            "name": "Check out the pull request (stand-in for actions/checkout)",
            "shell": "bash",
            "env": {"SOURCE": str(self.repo.path), "HEAD_SHA": self.head},
            "run": 'git clone --quiet "$SOURCE" . && git checkout --quiet "$HEAD_SHA"',
        }
        workflow = {"name": "reviewbot under act", "on": "pull_request",
                    "jobs": {"review": {"runs-on": "ubuntu-latest",
                                        "steps": [checkout, *steps]}}}  # fmt: skip
        folder = self.workflows.path / ".github" / "workflows"
        folder.mkdir(parents=True, exist_ok=True)
        yaml_dump(workflow, folder / "review.yml")
        setup = load_action()["runs"]["steps"][0]["uses"]
        env = {
            **self.server.env(),
            "REVIEWBOT_VERIFY": "false",
            "REVIEWBOT_MAX_RETRY_SECONDS": "3",
            "REVIEWBOT_GITHUB_REQUEST_INTERVAL": "0",
            "REVIEWBOT_GITHUB_WRITE_INTERVAL": "0",
            # Output priced at $0.001 a token, input free: the first turn (tens of output
            # tokens) costs cents, so a max-cost of 0.01 stops the review after it while the
            # default, 2.0, would not; the first call itself is projected at $0.
            "REVIEWBOT_PRICES_INPUT": "0",
            "REVIEWBOT_PRICES_CACHED_INPUT": "0",
            "REVIEWBOT_PRICES_OUTPUT": "1000",
            "NO_PROXY": "*",
            **self.pip,
        }
        return run_act(
            self.workflows.path, "pull_request", self.event,
            local={RELEASE: self.action, setup: self.setup_python},
            cache=self.tmp / "act", env=env, secrets=secrets, timeout=420,
        )  # fmt: skip

    def seed_posted(self, line: int, title: str, severity: str) -> None:
        """An earlier review of the bot's (the token's user) that posted this finding."""
        finding = Finding(path="app/cache.py", line=line, end_line=None, side="RIGHT",
                          severity=severity, title=title, body="Posted before.")  # fmt: skip
        spec = {"path": "app/cache.py", "line": line, "side": "RIGHT",
                "body": comment_body(finding, self.head, Style())}  # fmt: skip
        self.server.add_review(OWNER, NAME, NUMBER, author="github-actions[bot]",
                               comments=[spec], commit_id=self.head)  # fmt: skip

    def review_url(self, count: int = 1) -> str:
        """The URL of the last of the ``count`` reviews on the pull request."""
        reviews = self.server.reviews(OWNER, NAME, NUMBER)
        assert len(reviews) == count, reviews
        return str(reviews[-1]["html_url"])


@pytest.fixture
def act_bench(tmp_path: Path) -> Iterator[ActBench]:
    with GitHubServer(token=TOKEN) as server:
        k2 = K2Server(api_key=API_KEY, models={MODEL}).start()
        try:
            yield ActBench(tmp_path, server, k2)
        finally:
            k2.stop()
        assert server.violations == [] and not server.fake_errors


def test_every_input_reaches_reviewbot_and_every_output_is_mapped(act_bench: ActBench) -> None:
    body = f"Evict them, see {LINK} for the pattern."
    # Posted by an earlier run: found again, not posted again, so findings (2) and
    # new-findings (1) differ and a swapped mapping of the two shows.
    act_bench.seed_posted(16, "put overwrites silently", "minor")
    act_bench.k2.script(
        review_script(
            [
                comment("app/cache.py", 11, "Expired entries stay", severity="major", body=body),
                comment("app/cache.py", 16, "put overwrites silently", severity="minor"),
                comment("app/cache.py", 16, "stamp uses the wall clock", severity="minor"),
                comment("app/cache.py", 13, "Name the constant", severity="nit"),
            ]
        )
    )
    inputs = {
        "api-key": "${{ secrets.RB_API_KEY }}",
        "provider": "openai-compatible",
        "model": MODEL,
        "base-url": act_bench.k2.base_url,
        "fail-on": "major",
        "max-comments": "2",
        "min-severity": "minor",
        "max-cost": "0.01",
        "config": CONFIG,
        "links": "drop",
        "github-token": "${{ secrets.RB_TOKEN }}",
        "python-version": platform.python_version(),
    }
    assert set(inputs) == set(load_action()["inputs"])
    step = {"id": "review", "uses": RELEASE, "with": inputs}
    run = act_bench.run([step], {"RB_API_KEY": API_KEY, "RB_TOKEN": TOKEN,
                                 "GITHUB_TOKEN": RUNNER_TOKEN})  # fmt: skip

    # fail-on: major fails the step on a major finding (the default, critical, would not).
    assert run.step_result(["review"]) == "failure", run.log()
    assert run.step_result(["review", "review"]) == "failure", run.log()
    # python-version: the tool cache holds this version only.
    python = run.outputs(["review", "python"]) or run.written(["review", "python"])  # real: node
    assert python.get("python-version") == platform.python_version(), run.log()
    # provider, base-url, api-key, model: the K2 fake answers only this key and model.
    request = act_bench.k2.requests[0]
    assert request["model"] == MODEL
    # config: its instructions, read from the base commit, reach the model.
    assert INSTRUCTION in str(request["messages"])
    # max-cost: the first turn's cost passes the cap, the finishing turn is never asked for.
    assert len(act_bench.k2.requests) == 1 and act_bench.k2.remaining == 1
    # github-token: the fake GitHub answers only that token (not the runner's).
    # min-severity drops the nit, max-comments keeps two of the three left (the last minor
    # goes), the one posted before is not posted again, links drops LINK.
    _, review = act_bench.server.reviews(OWNER, NAME, NUMBER)  # the seeded one, then this
    comments = [
        c
        for c in act_bench.server.review_comments(OWNER, NAME, NUMBER)
        if c["pull_request_review_id"] == review["id"]
    ]
    assert [c["line"] for c in comments] == [11], comments
    summary = review["body"]
    assert "1 finding(s) below minor" in summary and "1 finding(s) over max_comments" in summary
    assert "Evict them" in str(comments) and "attacker" not in str(comments) + summary

    written = run.written(["review", "review"])  # what reviewbot wrote to GITHUB_OUTPUT
    mapped = run.outputs(["review"])
    assert mapped == written, run.log()
    assert mapped["highest-severity"] == "major"
    assert mapped["review-url"] == act_bench.review_url(count=2)  # the seeded one, this one
    assert (mapped["findings"], mapped["new-findings"], mapped["skipped"]) == ("2", "1", "")
    assert float(mapped["cost-usd"]) >= 0.01


def documented_steps() -> list[dict[str, Any]]:
    """The Outputs example of docs/github-action.md, as written."""
    text = (ROOT / "docs" / "github-action.md").read_text(encoding="utf-8")
    section = text[text.index("## Outputs") :]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block
    steps: list[dict[str, Any]] = YAML(typ="safe", pure=True).load(textwrap.dedent(block.group(1)))
    return steps


def test_the_documented_outputs_example_runs_after_a_critical_finding(
    act_bench: ActBench,
) -> None:
    act_bench.k2.script(
        review_script(comment("app/cache.py", 11, "Expired entries stay", severity="critical"))
    )
    steps = documented_steps()
    review, follow = steps
    assert review["uses"].startswith("reviewbot/reviewbot@")
    review["uses"] = RELEASE
    review["with"] |= {"provider": "openai-compatible", "base-url": act_bench.k2.base_url,
                       "model": MODEL, "python-version": platform.python_version()}  # fmt: skip
    follow["id"] = "follow"
    # The form the docs showed before: the failed step makes its implicit success() false.
    old = {"id": "old", "if": "steps.review.outputs.highest-severity == 'critical'",
           "run": "echo old form ran"}  # fmt: skip
    run = act_bench.run([review, follow, old], {"MOONSHOT_API_KEY": API_KEY,
                                                "GITHUB_TOKEN": TOKEN})  # fmt: skip
    assert run.step_result(["review"]) == "failure", run.log()  # default fail-on: critical
    assert run.outputs(["review"])["highest-severity"] == "critical"
    assert run.step_result(["follow"]) == "success", run.log()
    assert "reviewbot found a critical problem" in run.printed(["follow"])
    assert run.step_result(["old"]) != "success" and "old form ran" not in run.log()
    # github-token's default (${{ github.token }}) is what posted.
    assert act_bench.review_url()
