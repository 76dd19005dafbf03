"""The pre-push hook in real repositories pushing to a bare remote, with the model played by
the fake K2 server over HTTP: the hook's reviewbot process reads its settings from the
environment given to `git push`."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from reviewbot.commands.hooks import BACKUP, MARKER, hook_script
from tests.fakes.k2_server import K2Server
from tests.helpers.launch import reviewbot
from tests.local.conftest import CLEAN, TITLE, Pushable, finding_script, git, model_env, prompt_text


def hook_path(p: Pushable) -> Path:
    return p.work.path / ".git" / "hooks" / "pre-push"


def install(p: Pushable, *args: str, cwd: Path | None = None) -> str:
    done = reviewbot(cwd or p.work.path, "install-hook", *args)
    assert done.code == 0, done.stderr
    return done.stdout


def test_a_push_with_a_critical_finding_is_refused(pushable: Pushable, k2_server: K2Server) -> None:
    install(pushable)
    k2_server.script(finding_script("critical"))
    push = git(pushable.work.path, "push", "origin", "feature", env=model_env(k2_server))
    assert push.code != 0
    assert "critical" in push.stderr and TITLE in push.stderr
    assert "push refused: findings at or above critical" in push.stderr
    assert "git push --no-verify" in push.stderr
    assert "failed to push some refs" in push.stderr
    assert pushable.remote_has("feature") is None
    assert len(k2_server.requests) == 2
    # What was reviewed is the pushed commit: its diff is in the prompt.
    assert "if time.time() - stamp > self.ttl:" in prompt_text(k2_server.requests[0])


def test_a_push_without_findings_goes_through(pushable: Pushable, k2_server: K2Server) -> None:
    install(pushable)
    k2_server.script(CLEAN)
    push = git(pushable.work.path, "push", "origin", "feature", env=model_env(k2_server))
    assert push.code == 0, push.stderr
    assert pushable.remote_has("feature") == pushable.work.head()
    assert "no findings" in push.stderr  # git shows the hook's stdout on stderr
    assert len(k2_server.requests) == 1


def test_findings_below_fail_on_do_not_block(pushable: Pushable, k2_server: K2Server) -> None:
    install(pushable)  # default: critical
    k2_server.script(finding_script("major"))
    push = git(pushable.work.path, "push", "origin", "feature", env=model_env(k2_server))
    assert push.code == 0, push.stderr
    assert "1 finding (1 major)" in push.stderr


@pytest.mark.slow
def test_fail_on_given_at_install_is_what_blocks(pushable: Pushable, k2_server: K2Server) -> None:
    install(pushable, "--fail-on", "major")
    k2_server.script(finding_script("major"))
    push = git(pushable.work.path, "push", "origin", "feature", env=model_env(k2_server))
    assert push.code != 0
    assert pushable.remote_has("feature") is None


def test_no_verify_bypasses_the_hook(pushable: Pushable, k2_server: K2Server) -> None:
    install(pushable)
    push = git(
        pushable.work.path, "push", "--no-verify", "origin", "feature", env=model_env(k2_server)
    )
    assert push.code == 0, push.stderr
    assert k2_server.requests == []
    assert pushable.remote_has("feature") == pushable.work.head()


def test_reviewbot_skip_bypasses_the_hook(pushable: Pushable, k2_server: K2Server) -> None:
    install(pushable)
    env = model_env(k2_server, REVIEWBOT_SKIP="1")
    push = git(pushable.work.path, "push", "origin", "feature", env=env)
    assert push.code == 0, push.stderr
    assert "REVIEWBOT_SKIP is set" in push.stderr
    assert k2_server.requests == []


@pytest.mark.slow
def test_only_the_new_commits_of_an_update_are_reviewed(
    pushable: Pushable, k2_server: K2Server
) -> None:
    install(pushable)
    work = pushable.work
    k2_server.script(CLEAN)
    assert git(work.path, "push", "origin", "feature", env=model_env(k2_server)).code == 0
    work.write("app/util.py", "def clamp(x, lo, hi):\n    return min(max(x, lo), hi)\n")
    work.commit("util: swap min and max")
    k2_server.script(CLEAN)
    push = git(work.path, "push", "origin", "feature", env=model_env(k2_server))
    assert push.code == 0, push.stderr
    second = prompt_text(k2_server.requests[1])
    task = k2_server.requests[1]["messages"][-1]["content"]
    assert "return min(max(x, lo), hi)" in second
    assert "app/util.py" in task and "app/cache.py" not in task  # the first push's file


def test_pushing_a_ref_that_is_not_head_reviews_that_ref(
    pushable: Pushable, k2_server: K2Server
) -> None:
    install(pushable)
    work = pushable.work
    work.checkout("main")
    work.branch("other")
    work.write("app/util.py", "def clamp(x, lo, hi):\n    return lo\n")
    work.commit("util: broken clamp")  # HEAD is `other`; we push `feature`
    k2_server.script(CLEAN)
    push = git(work.path, "push", "origin", "feature", env=model_env(k2_server))
    assert push.code == 0, push.stderr
    task = k2_server.requests[0]["messages"][-1]["content"]
    assert "app/cache.py" in task
    assert "app/util.py" not in task
    assert "return lo" not in prompt_text(k2_server.requests[0])


def test_a_deletion_is_not_reviewed(pushable: Pushable, k2_server: K2Server) -> None:
    work = pushable.work
    work.git("push", "--quiet", "origin", "feature")
    install(pushable)
    push = git(work.path, "push", "origin", ":feature", env=model_env(k2_server))
    assert push.code == 0, push.stderr
    assert "being deleted; nothing to review" in push.stderr
    assert k2_server.requests == []
    assert pushable.remote_has("feature") is None


@pytest.mark.slow
def test_the_hook_works_from_a_linked_worktree(pushable: Pushable, k2_server: K2Server) -> None:
    work = pushable.work
    work.checkout("main")
    linked = work.path.parent / "linked"
    work.git("worktree", "add", str(linked), "feature")
    out = install(pushable, cwd=linked)
    assert str(hook_path(pushable)) in out  # the common hooks folder
    k2_server.script(finding_script("critical"))
    push = git(linked, "push", "origin", "feature", env=model_env(k2_server))
    assert push.code != 0
    assert pushable.remote_has("feature") is None


def test_core_hooks_path_is_respected(pushable: Pushable, k2_server: K2Server) -> None:
    work = pushable.work
    work.git("config", "core.hooksPath", ".githooks")
    install(pushable)
    assert (work.path / ".githooks" / "pre-push").is_file()
    assert not hook_path(pushable).exists()
    k2_server.script(finding_script("critical"))
    push = git(work.path, "push", "origin", "feature", env=model_env(k2_server))
    assert push.code != 0
    assert "push refused" in push.stderr


def test_a_foreign_hook_is_kept_and_restored_byte_for_byte(pushable: Pushable) -> None:
    hook = hook_path(pushable)
    original = b"#!/bin/sh\r\n# someone else's hook \xff\xfe\r\nexit 0\r\n"
    hook.write_bytes(original)
    hook.chmod(0o750)
    refused = reviewbot(pushable.work.path, "install-hook")
    assert refused.code == 2
    assert "was not written by reviewbot" in refused.stderr and "--force" in refused.stderr
    assert hook.read_bytes() == original

    install(pushable, "--force")
    backup = hook.with_name(BACKUP)
    assert backup.read_bytes() == original
    assert MARKER in hook.read_text()
    assert os.access(hook, os.X_OK)

    install(pushable, "--fail-on", "major")  # ours: updated in place, backup untouched
    assert "--fail-on major" in hook.read_text()
    assert backup.read_bytes() == original

    out = install(pushable, "--uninstall")
    assert "restored the previous one" in out
    assert hook.read_bytes() == original
    assert stat.S_IMODE(hook.stat().st_mode) == 0o750
    assert not backup.exists()


def test_uninstall_without_a_hook_and_refusing_a_foreign_one(pushable: Pushable) -> None:
    assert "nothing to do" in install(pushable, "--uninstall")
    hook = hook_path(pushable)
    hook.write_text("#!/bin/sh\nexit 0\n")
    done = reviewbot(pushable.work.path, "install-hook", "--uninstall")
    assert done.code == 2
    assert "leaving it as it is" in done.stderr
    assert hook.read_text() == "#!/bin/sh\nexit 0\n"


def test_the_hook_runs_the_python_that_installed_it(pushable: Pushable) -> None:
    install(pushable)
    text = hook_path(pushable).read_text()
    assert f"exec {sys.executable} -P -m reviewbot review --pre-push" in text
    odd = hook_script("/opt/my python/bin/python3", "critical")
    assert "exec '/opt/my python/bin/python3' -P -m reviewbot" in odd


@pytest.mark.slow
def test_a_python_path_with_spaces_and_quotes_runs(
    pushable: Pushable, k2_server: K2Server, tmp_path: Path
) -> None:
    odd = tmp_path / 'it\'s a "py" $HOME' / "python"
    odd.parent.mkdir()
    odd.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')  # a venv needs its own path
    odd.chmod(0o755)
    hook = hook_path(pushable)
    hook.write_text(hook_script(str(odd), "critical"))
    hook.chmod(0o755)
    k2_server.script(CLEAN)
    push = git(pushable.work.path, "push", "origin", "feature", env=model_env(k2_server))
    assert push.code == 0, push.stderr
    assert len(k2_server.requests) == 1


def test_a_vanished_python_refuses_the_push_and_says_why(pushable: Pushable) -> None:
    hook = hook_path(pushable)
    hook.write_text(hook_script("/nonexistent/venv/bin/python", "critical"))
    hook.chmod(0o755)
    push = git(pushable.work.path, "push", "origin", "feature")
    assert push.code != 0
    assert "/nonexistent/venv/bin/python is gone; reinstall the hook" in push.stderr
    assert "git push --no-verify" in push.stderr
