"""Issue 14.6: who can make the example workflows spend money, and who can cancel a review.

The job conditions are evaluated by a real runner implementation (nektos/act, dry run: steps
are listed, not run) on real webhook payloads changed to come from a stranger, a member or a
maintainer's label. act ignores `concurrency`, so the groups are checked by rule: on the job
(a job skipped by its condition never joins its group, a workflow-level group is joined by
every run, skipped or not) and one group name per workflow.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.fakes.github_events import fork_event, load_event
from tests.helpers.act import run_act, stand_in_action
from tests.helpers.gitrepo import GitRepo

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / "docs" / "workflows"
TRUSTED = ("OWNER", "MEMBER", "COLLABORATOR")
STRANGERS = ("NONE", "CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER")
COMMENT = ROOT / "tests" / "github" / "webhooks" / "issue_comment.created.1.json"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe", pure=True).load(
        (WORKFLOWS / name).read_text(encoding="utf-8")
    )
    return data


def uses_of(name: str) -> set[str]:
    workflow = load(name)
    return {s["uses"] for job in workflow["jobs"].values() for s in job["steps"] if "uses" in s}


def job_starts(
    tmp_path: Path, name: str, event_name: str, event: dict[str, Any], job: str = "review"
) -> bool:
    """Does act start the workflow's job (`review`) for this event?"""
    folder = tmp_path / "repo"
    (folder / ".github" / "workflows").mkdir(parents=True, exist_ok=True)
    # act takes `github.repository` from the clone's origin, as GitHub takes it from the repo.
    git = GitRepo.create(folder)
    git.repo.create_remote("origin", f"https://github.com/{event['repository']['full_name']}")
    shutil.copy(WORKFLOWS / name, folder / ".github" / "workflows" / name)
    local = {ref: stand_in_action(tmp_path / "actions" / ref.split("@")[0], name=ref)
             for ref in uses_of(name)}  # fmt: skip
    run = run_act(folder, event_name, event, local=local, cache=tmp_path / "act", dry_run=True)
    assert run.code == 0 or job in run.jobs_started(), run.log()
    started = run.jobs_started()
    assert started <= {job}, run.log()
    return job in started


def pull_event(action: str, association: str, *, fork: bool, labels: tuple[str, ...] = (),
               label: str | None = None) -> dict[str, Any]:  # fmt: skip
    event = load_event("pull_request.opened.1")
    if fork:
        event = fork_event(event, "stranger")
    event["action"] = action
    event["pull_request"]["author_association"] = association
    event["pull_request"]["labels"] = [{"name": name} for name in labels]
    if label is not None:
        event["label"] = {"name": label}
    return event


def comment_event(association: str, body: str = "/review") -> dict[str, Any]:
    event: dict[str, Any] = json.loads(COMMENT.read_text(encoding="utf-8"))
    event = copy.deepcopy(event)
    event["issue"]["pull_request"] = {"url": "https://api.github.com/repos/o/r/pulls/1"}
    event["comment"]["body"] = body
    event["comment"]["author_association"] = association
    event["comment"]["user"] = {**event["comment"]["user"], "login": "someone", "type": "User"}
    return event


FORK_SAFE = "reviewbot-fork-safe.yml"


@pytest.mark.parametrize("association", STRANGERS)
@pytest.mark.parametrize("action", ["opened", "synchronize", "reopened", "ready_for_review"])
def test_a_strangers_pull_request_does_not_start_a_paid_review(
    tmp_path: Path, action: str, association: str
) -> None:
    # Also when a maintainer labelled it earlier: the label does not cover later pushes.
    event = pull_event(action, association, fork=True, labels=("reviewbot",))
    assert not job_starts(tmp_path, FORK_SAFE, "pull_request_target", event)


@pytest.mark.parametrize("association", TRUSTED)
def test_a_pull_request_of_someone_with_a_role_is_reviewed(
    tmp_path: Path, association: str
) -> None:
    event = pull_event("synchronize", association, fork=True)
    assert job_starts(tmp_path, FORK_SAFE, "pull_request_target", event)


def test_a_maintainers_label_reviews_a_strangers_pull_request_once(tmp_path: Path) -> None:
    labelled = pull_event("labeled", "NONE", fork=True, labels=("reviewbot",), label="reviewbot")
    assert job_starts(tmp_path / "a", FORK_SAFE, "pull_request_target", labelled)
    other = pull_event("labeled", "MEMBER", fork=True, labels=("bug",), label="bug")
    assert not job_starts(tmp_path / "b", FORK_SAFE, "pull_request_target", other)


@pytest.mark.parametrize("association", STRANGERS)
def test_a_strangers_review_command_starts_nothing(tmp_path: Path, association: str) -> None:
    event = comment_event(association)
    assert not job_starts(tmp_path, "reviewbot-command.yml", "issue_comment", event)


@pytest.mark.parametrize("association", TRUSTED)
def test_a_review_command_from_someone_with_a_role_runs(tmp_path: Path, association: str) -> None:
    assert job_starts(tmp_path / "a", "reviewbot-command.yml", "issue_comment",
                      comment_event(association))  # fmt: skip
    assert not job_starts(tmp_path / "b", "reviewbot-command.yml", "issue_comment",
                          comment_event(association, "looks good"))  # fmt: skip


def test_the_default_workflow_skips_forks(tmp_path: Path) -> None:
    own = pull_event("opened", "MEMBER", fork=False)
    assert job_starts(tmp_path / "a", "reviewbot.yml", "pull_request", own)
    forked = pull_event("opened", "NONE", fork=True)
    assert not job_starts(tmp_path / "b", "reviewbot.yml", "pull_request", forked)


@pytest.mark.parametrize("name", sorted(p.name for p in WORKFLOWS.glob("*.yml")))
def test_only_a_job_that_passed_its_gate_joins_a_concurrency_group(name: str) -> None:
    workflow = load(name)
    assert "concurrency" not in workflow, (
        f"{name}: a workflow-level group is joined by every run, also one whose job its "
        "condition skips, so such a run can cancel or displace a review"
    )
    for job in workflow["jobs"].values():
        assert "concurrency" in job and "if" in job, name
        assert job["concurrency"]["group"].startswith(name.removesuffix(".yml") + "-"), name


def test_no_two_workflows_share_a_group_for_one_pull_request() -> None:
    groups = [
        re.sub(r"\$\{\{[^}]*\}\}", "7", job["concurrency"]["group"])
        for path in WORKFLOWS.glob("*.yml")
        for job in load(path.name)["jobs"].values()
    ]
    assert len(groups) == len(set(groups)) == 4, groups


def test_every_gate_carries_its_reason() -> None:
    for path in WORKFLOWS.glob("*.yml"):
        lines = path.read_text(encoding="utf-8").splitlines()
        at = next(i for i, line in enumerate(lines) if re.match(r"\s+if:", line))
        above = [line.strip() for line in lines[max(0, at - 10) : at]]
        assert any(line.startswith("#") for line in above), f"{path.name}: no reason beside if:"


def test_the_command_workflow_never_cancels_a_running_review() -> None:
    job = load("reviewbot-command.yml")["jobs"]["review"]
    assert job["concurrency"]["cancel-in-progress"] is False
    assert "author_association" in job["if"]


CONVERSATION = "reviewbot-conversation.yml"


@pytest.mark.parametrize("association", STRANGERS)
def test_a_strangers_mention_starts_nothing(tmp_path: Path, association: str) -> None:
    event = comment_event(association, "@reviewbot why is this wrong?")
    assert not job_starts(tmp_path, CONVERSATION, "issue_comment", event, "converse")


@pytest.mark.parametrize(
    "body", ["@reviewbot why is this wrong?", "/ask what does put() do?", "false positive"]
)
def test_a_maintainers_question_or_rejection_starts_a_run(tmp_path: Path, body: str) -> None:
    event = comment_event("MEMBER", body)
    assert job_starts(tmp_path, CONVERSATION, "issue_comment", event, "converse")


def test_other_comments_and_bots_start_nothing(tmp_path: Path) -> None:
    plain = comment_event("OWNER", "Thanks, looks good")
    assert not job_starts(tmp_path / "a", CONVERSATION, "issue_comment", plain, "converse")
    bot = comment_event("OWNER", "@reviewbot hello")
    bot["comment"]["user"]["type"] = "Bot"
    assert not job_starts(tmp_path / "b", CONVERSATION, "issue_comment", bot, "converse")
