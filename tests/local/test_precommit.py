"""The pre-commit framework: the manifest's fields, and the range pre-commit passes in its
environment reviewed by the real CLI."""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml

from tests.fakes.k2_server import K2Server
from tests.helpers.launch import reviewbot
from tests.local.conftest import CLEAN, Pushable, comment, finish, model_env, prompt_text

MANIFEST = Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml"
# pre-commit's MANIFEST_HOOK_DICT (clientlib.py): required, then optional keys.
REQUIRED = {"id", "name", "entry", "language"}
OPTIONAL = {
    "alias", "files", "exclude", "types", "types_or", "exclude_types",
    "additional_dependencies", "args", "always_run", "fail_fast", "pass_filenames",
    "description", "language_version", "log_file", "minimum_pre_commit_version",
    "require_serial", "stages", "verbose",
}  # fmt: skip
BOOLEANS = {"always_run", "fail_fast", "pass_filenames", "require_serial", "verbose"}
STAGES = {
    "commit-msg", "post-checkout", "post-commit", "post-merge", "post-rewrite", "pre-commit",
    "pre-merge-commit", "pre-push", "pre-rebase", "prepare-commit-msg", "manual",
}  # fmt: skip


def test_manifest_is_valid_yaml_with_pre_commits_fields() -> None:
    hooks = yaml.safe_load(MANIFEST.read_text())
    assert isinstance(hooks, list) and len(hooks) == 1
    (hook,) = hooks
    assert REQUIRED <= set(hook) <= REQUIRED | OPTIONAL
    assert all(isinstance(hook[k], str) for k in REQUIRED | {"description"})
    assert all(isinstance(hook[k], bool) for k in BOOLEANS & set(hook))
    assert hook["language"] == "python"
    assert hook["stages"] == ["pre-push"] and set(hook["stages"]) <= STAGES
    assert hook["pass_filenames"] is False and hook["always_run"] is True
    assert hook["minimum_pre_commit_version"] == "3.2.0"  # where the stage became "pre-push"
    assert shlex.split(hook["entry"]) == ["reviewbot", "review", "--pre-push"]


def test_pre_commits_range_is_what_is_reviewed(pushable: Pushable, k2_server: K2Server) -> None:
    work = pushable.work
    first = work.head()
    work.write("app/util.py", "def clamp(x, lo, hi):\n    return min(max(x, lo), hi)\n")
    work.commit("util: swap")
    k2_server.script([comment("critical", line=2, path="app/util.py"), finish()])
    env = model_env(
        k2_server,
        PRE_COMMIT="1",
        PRE_COMMIT_FROM_REF=first,
        PRE_COMMIT_TO_REF=work.head(),
        PRE_COMMIT_REMOTE_NAME="origin",
        PRE_COMMIT_LOCAL_BRANCH="refs/heads/feature",
    )
    done = reviewbot(work.path, "review", "--pre-push", env=env)
    assert done.code == 1, done.stderr
    assert "push refused" in done.stderr
    task = k2_server.requests[0]["messages"][-1]["content"]
    assert "app/util.py" in task and "app/cache.py" not in task
    assert "min(max(x, lo), hi)" in prompt_text(k2_server.requests[0])


def test_pre_commit_without_a_range_reviews_nothing(
    pushable: Pushable, k2_server: K2Server
) -> None:
    k2_server.script(CLEAN)
    env = model_env(k2_server, PRE_COMMIT="1")
    done = reviewbot(pushable.work.path, "review", "--pre-push", env=env)
    assert done.code == 0, done.stderr
    assert "pre-commit gave no range" in done.stderr
    assert k2_server.requests == []
