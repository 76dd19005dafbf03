"""Path traversal and symlink escapes through every path argument of the real tools.

A repository with symlinks that lead out of it (relative and absolute, to a file and to a
folder), to a denied file, into loops, and a secret file next to it. Hypothesis builds path
strings from the pieces an attacker would use; every tool that takes a path, a folder or a
glob is called with them through its schema (``FunctionTool.invoke``), on the reviewed
commit and on the work tree. No answer may contain a byte of a file outside the repository
or of a denied file, and no error other than a refusal the model can read may escape.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewbot.agent.exceptions import ToolArgumentError
from reviewbot.agent.tools import FindingsBook, FunctionTool, ReviewTools
from reviewbot.pipeline.run import code_from_diff
from reviewbot.repo import RepoView, changeset_from_git, resolve_range
from tests.faults.reliability import Outcome
from tests.helpers.gitrepo import GitRepo
from tests.hostile.payloads import DOTENV, DOTENV_CANARY, KEY_CANARY, PRIVATE_KEY

OUTSIDE_CANARY = "outside-canary-3c9e1f7a2b"
EXAMPLES = 200

PIECES = [
    "..", ".", "", ".git", ".GIT", ".env", "app", "ok.py", "out_rel", "out_abs", "out_dir",
    "to_env", "dir_link", "loop1", "self", "secret.txt", "outside", "deploy", "id_rsa",
    "%2e%2e", "..\\..", "\x00", "*", "**", "?", "~", "env_dir", "HEAD", "config",
]  # fmt: skip
PREFIXES = ["", "/", "./", "~/", "\\", "C:/", "//", "file://"]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ReviewTools]:
    top = tmp_path_factory.mktemp("paths")
    outside = top / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(OUTSIDE_CANARY + "\n")
    repo = GitRepo.create(top / "repo")
    repo.write("app/ok.py", "VALUE = 1\n")
    repo.write(".env", DOTENV)
    repo.write("deploy/id_rsa", PRIVATE_KEY)
    repo.symlink("out_rel", "../outside/secret.txt")
    repo.symlink("out_abs", str(outside / "secret.txt"))
    repo.symlink("out_dir", "../outside")
    repo.symlink("to_env", ".env")
    repo.symlink("env_dir", "deploy")
    repo.symlink("dir_link", "app")
    repo.symlink("loop1", "loop2")
    repo.symlink("loop2", "loop1")
    repo.symlink("self", "self")
    repo.symlink("app/up", "../../outside/secret.txt")
    repo.commit("initial")
    repo.branch("feature")
    repo.write("app/ok.py", "VALUE = 2\n")
    repo.commit("change")
    changes = changeset_from_git(repo.path, resolve_range(repo.path, "main"))
    views = {"commit": RepoView(repo.path, changes.head), "work tree": RepoView(repo.path)}
    return {
        name: ReviewTools(view, changes, FindingsBook(), code_at=code_from_diff(changes))
        for name, view in views.items()
    }


def path_strings() -> st.SearchStrategy[str]:
    built = st.tuples(st.sampled_from(PREFIXES), st.lists(st.sampled_from(PIECES), max_size=6)).map(
        lambda t: t[0] + "/".join(t[1])
    )
    return st.one_of(built, st.text(max_size=40), st.just(str(Path("/").resolve())))


CALLS: dict[str, Callable[[str], dict[str, Any]]] = {
    "read_file": lambda p: {"path": p},
    "read_file lines": lambda p: {"path": p, "start_line": 1, "end_line": 5},
    "list_files path": lambda p: {"path": p},
    "list_files pattern": lambda p: {"pattern": p},
    "search_code path_glob": lambda p: {"pattern": "canary|CANARY|VALUE", "path_glob": p},
    "git_log": lambda p: {"path": p},
    "add_comment": lambda p: {
        "path": p, "line": 1, "severity": "nit", "title": "t", "body": "b", "evidence": f"{p}:1"
    },
}  # fmt: skip
SECRETS = (OUTSIDE_CANARY, DOTENV_CANARY, KEY_CANARY)


def attempt(tools: ReviewTools, call: str, path: str) -> str:
    name = call.split()[0]
    tool = next(t for t in tools.tools() if t.name == name)
    assert isinstance(tool, FunctionTool)
    try:
        return tool.invoke(CALLS[call](path))
    except ToolArgumentError as exc:  # what the model is told
        return f"error: {exc}"


@pytest.mark.parametrize("where", ["commit", "work tree"])
@pytest.mark.parametrize("call", list(CALLS))
def test_no_path_escapes(call: str, where: str, sandbox: dict[str, ReviewTools]) -> None:
    tools = sandbox[where]

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(path=path_strings())
    def check(path: str) -> None:
        answer = attempt(tools, call, path)
        assert not any(s in answer for s in SECRETS), (path, answer)

    check()


KNOWN = {
    "out_rel": "points outside",
    "out_abs": "points outside",
    "out_dir/secret.txt": "points outside",
    "app/up": "points outside",
    "dir_link/../../outside/secret.txt": "'..' is not allowed",
    "to_env": "refused path",
    "env_dir/id_rsa": "deny list",
    "loop1": "too many levels",
    "self": "too many levels",
    ".env": "deny list",
    ".git/config": ".git",
    "/etc/passwd": "absolute",
}


@pytest.mark.parametrize("where", ["commit", "work tree"])
def test_known_escapes_are_refused_with_a_reason(
    where: str, sandbox: dict[str, ReviewTools], outcome: Outcome
) -> None:
    tools = sandbox[where]
    answers = {path: attempt(tools, "read_file", path) for path in KNOWN}
    wrong = {p: a for p, a in answers.items() if KNOWN[p] not in a or not a.startswith("error:")}
    inside = attempt(tools, "read_file", "dir_link/ok.py")
    outcome.record(
        suite="repo",
        case=f"tool-paths-{where.replace(' ', '-')}",
        command="tools (in process, the real RepoView)",
        fault=f"path traversal and symlink escapes in every path argument of 6 tools "
        f"(hypothesis, {EXAMPLES} examples per argument) and {len(KNOWN)} known escapes",
        expected="no byte of an outside or denied file in any answer; each known escape "
        "refused with its reason; a symlink inside the repository still works",
        observed=f"{len(KNOWN) - len(wrong)}/{len(KNOWN)} known escapes refused with the "
        f"reason; inside symlink read: {'yes' if 'VALUE = 2' in inside else 'no'}",
    )
    assert wrong == {}
    assert "VALUE = 2" in inside
