"""Audit planning on small real repositories: each risk signal, include/exclude, grouping,
units within the budget, determinism, and `reviewbot audit --plan` without a model."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from typing import Any

import pytest

from reviewbot.audit.plan import AuditPlan, FileRisk, plan_audit
from reviewbot.config import load_settings
from reviewbot.repo import RepoView
from tests.audit.conftest import FILES
from tests.helpers.gitrepo import GitRepo
from tests.helpers.launch import Run, reviewbot

BODY = "def f(x):\n    return x + 1\n"


def plan_of(repo: GitRepo, **flags: Any) -> AuditPlan:
    settings = load_settings(root=repo.path, env={}, flags=flags)
    with RepoView(repo.path, "HEAD") as view:
        assert view.ref is not None
        return plan_audit(view, settings, head=view.ref, repository="octo/app")


def risks(plan: AuditPlan) -> dict[str, FileRisk]:
    return {f.path: f for u in plan.units for f in u.files}


def two_files(make_repo: Callable[..., GitRepo], a: str, b: str, text: str = BODY) -> GitRepo:
    repo = make_repo()
    repo.write(a, text)
    repo.write(b, text)
    repo.commit("initial")
    return repo


def test_churn_raises_risk(make_repo: Callable[..., GitRepo]) -> None:
    repo = two_files(make_repo, "pkg/calm.py", "pkg/busy.py")
    for i in range(4):
        repo.write("pkg/busy.py", BODY + f"# {i}\n")
        repo.commit(f"busy {i}")
    r = risks(plan_of(repo))
    assert r["pkg/busy.py"].score > r["pkg/calm.py"].score
    assert any("churn: changed in 5 of the last 5 commit(s)" in x for x in r["pkg/busy.py"].reasons)


def test_bulk_commits_are_no_churn(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    for i in range(60):
        repo.write(f"pkg/m{i}.py", BODY)
    repo.commit("import everything")  # 60 files: a bulk commit
    r = risks(plan_of(repo))
    assert not any("churn" in x for x in r["pkg/m1.py"].reasons)


def test_size_raises_risk(make_repo: Callable[..., GitRepo]) -> None:
    repo = two_files(make_repo, "pkg/small.py", "pkg/large.py")
    repo.write("pkg/large.py", BODY * 1000)
    repo.commit("grow")
    r = risks(plan_of(repo))
    assert r["pkg/large.py"].score > r["pkg/small.py"].score
    assert any("size: 2,000 lines" in x for x in r["pkg/large.py"].reasons)


def test_fan_in_raises_risk(make_repo: Callable[..., GitRepo]) -> None:
    repo = two_files(make_repo, "lib/core.py", "lib/other.py")
    for name in ("a", "b", "c"):
        repo.write(f"users/{name}.py", "from lib.core import f\n")
    repo.commit("users")
    r = risks(plan_of(repo))
    assert r["lib/core.py"].score > r["lib/other.py"].score
    assert any("imported by 3 file(s)" in x for x in r["lib/core.py"].reasons)


def test_sensitive_path_raises_risk(make_repo: Callable[..., GitRepo]) -> None:
    repo = two_files(make_repo, "app/auth/check.py", "app/misc/check.py")
    r = risks(plan_of(repo))
    assert r["app/auth/check.py"].score > r["app/misc/check.py"].score
    assert "+2.0 sensitive path: authentication and authorisation" in r["app/auth/check.py"].reasons


@pytest.mark.parametrize(
    ("path", "code", "label"),
    [
        ("m.py", "import pickle\n\ndef f(b):\n    return pickle.loads(b)\n", "deserialisation"),
        ("m.py", "import yaml\n\ndef f(t):\n    return yaml.load(t)\n", "deserialisation"),
        ("m.py", "def f(t):\n    return eval(t)\n", "dynamic code execution"),
        ("m.py", "import subprocess\n\ndef f(c):\n    subprocess.run(c, shell=True)\n", "shell"),
        ("m.py", 'def f(cur, n):\n    cur.execute(f"SELECT a FROM t WHERE n={n}")\n', "SQL"),
        ("m.py", "import hashlib\n\ndef f(p):\n    return hashlib.md5(p).hexdigest()\n", "crypto"),
        ("m.py", "def view(request):\n    return request.args['q']\n", "untrusted input"),
        ("m.py", "def f(tar):\n    tar.extractall('/tmp/x')\n", "file and archive"),
        ("m.c", "void f(char *d, const char *s) { strcpy(d, s); }\n", "unchecked memory"),
        ("m.c", "long f(void *k, void *u) { return copy_from_user(k, u, 8); }\n", "untrusted"),
        ("m.py", 'API_KEY = "sk_live_0123456789abcdef"\n', "hard-coded credentials"),
    ],
)
def test_security_content_raises_risk(
    make_repo: Callable[..., GitRepo], path: str, code: str, label: str
) -> None:
    repo = make_repo()
    ext = path.rsplit(".", 1)[1]
    repo.write(f"src/risky.{ext}", code)
    repo.write(f"src/plain.{ext}", "int x;\n" if ext == "c" else "X = 1\n")
    repo.commit("initial")
    r = risks(plan_of(repo))
    risky = r[f"src/risky.{ext}"]
    assert risky.score > r[f"src/plain.{ext}"].score
    assert any(x.startswith("+") and "content:" in x and label in x for x in risky.reasons)
    assert "sk_live" not in " ".join(risky.reasons)  # a secret is never echoed


def test_safe_use_and_words_in_comments_do_not_count(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    safe = "import yaml\n\ndef f(t):\n    return yaml.load(t, Loader=yaml.SafeLoader)\n"
    repo.write("src/a.py", safe)
    repo.write("src/b.py", "# never pickle or eval anything, never use a shell\nX = 1\n")
    repo.commit("initial")
    r = risks(plan_of(repo))
    assert not any("content:" in x for x in r["src/a.py"].reasons + r["src/b.py"].reasons)


def test_tests_weigh_half(make_repo: Callable[..., GitRepo]) -> None:
    code = "import pickle\n\ndef f(b):\n    return pickle.loads(b)\n"
    repo = two_files(make_repo, "src/load.py", "tests/test_load.py", code)
    r = risks(plan_of(repo))
    assert r["tests/test_load.py"].score == pytest.approx(r["src/load.py"].score * 0.5)
    assert "test code: risk x0.5" in r["tests/test_load.py"].reasons


def test_what_is_audited_and_why_the_rest_is_not(project: GitRepo) -> None:
    project.write("bin/run", "#!/bin/sh\necho hi\n")
    project.write("bin/data", "just words\n")
    project.write("yarn.lock", "# lock\n")
    project.commit("more")
    plan = plan_of(project)
    audited = set(risks(plan))
    skipped = {x.path: x.reason for x in plan.skipped}
    assert "bin/run" in audited  # a script by its #! line
    assert skipped["bin/data"] == "not source code (no extension, no #! line)"
    assert skipped["docs/guide.md"] == "not source code (.md)"
    assert skipped["AGENTS.md"] == "not source code (.md)"
    assert skipped["yarn.lock"] == "lockfile"
    assert plan.guidance == ("AGENTS.md",)
    assert audited | set(skipped) == {*FILES, "bin/run", "bin/data", "yarn.lock"}


def test_include_and_exclude(project: GitRepo) -> None:
    plan = plan_of(
        project,
        **{"audit.include": ["app/**"], "audit.exclude": ["app/util/**"], "exclude": ["*/db/*"]},
    )
    skipped = {x.path: x.reason for x in plan.skipped}
    assert set(risks(plan)) == {
        "app/__init__.py",
        "app/auth/__init__.py",
        "app/auth/session.py",
        "app/auth/tokens.py",
    }
    assert skipped["tools/deploy.py"] == "not in audit.include"
    assert skipped["app/util/text.py"] == "excluded by config (audit.exclude)"
    assert skipped["app/db/store.py"] == "excluded by config (exclude)"


def test_grouping_by_folder_and_imports_within_the_budget(
    make_repo: Callable[..., GitRepo],
) -> None:
    repo = make_repo()
    filler = "".join(f"def g{i}(v):\n    return v + {i}\n\n" for i in range(40))
    for path in ("a/x1.py", "a/x2.py", "c/z1.py", "c/z2.py"):
        repo.write(path, filler)
    repo.write("b/y.py", filler)
    repo.write("a/x1.py", "from b.y import g1\n" + filler)  # a imports b
    repo.commit("initial")
    plan = plan_of(repo, budget=4600)
    units = [set(u.paths) for u in plan.units]
    assert {"a/x1.py", "a/x2.py"} <= next(u for u in units if "a/x1.py" in u)
    assert {"c/z1.py", "c/z2.py"} <= next(u for u in units if "c/z1.py" in u)
    joined = next(u for u in plan.units if "a/x1.py" in u.paths)
    assert "b/y.py" in joined.paths  # the import neighbour
    assert "c/z1.py" not in joined.paths
    assert any("joined with b: 1 import link(s)" in r for r in joined.reasons)
    assert len(plan.units) >= 2
    for u in plan.units:
        assert u.tokens <= plan.room
    assert sorted(p for u in units for p in u) == sorted(risks(plan))  # each file once


def test_a_file_over_the_budget_is_a_unit_of_its_own(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo()
    repo.write("big/huge.py", BODY * 800)
    repo.write("big/tiny.py", BODY)
    repo.commit("initial")
    plan = plan_of(repo, budget=5000)
    huge = next(u for u in plan.units if "big/huge.py" in u.paths)
    assert huge.paths == ("big/huge.py",) and huge.oversized
    assert huge.tokens > plan.room
    assert any("packed as excerpts" in r for r in huge.reasons)


def test_units_are_ordered_by_risk(project: GitRepo) -> None:
    plan = plan_of(project, budget=3500)
    assert len(plan.units) >= 3
    assert [u.number for u in plan.units] == list(range(1, len(plan.units) + 1))
    assert [u.risk for u in plan.units] == sorted((u.risk for u in plan.units), reverse=True)
    assert "app/auth/session.py" in plan.units[0].paths
    for u in plan.units:
        assert [f.score for f in u.files] == sorted((f.score for f in u.files), reverse=True)


def test_plan_is_deterministic_across_runs_and_clones(project: GitRepo, tmp_path: Any) -> None:
    first = plan_of(project, budget=3500).to_json()
    assert plan_of(project, budget=3500).to_json() == first
    clone_dir = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(project.path), str(clone_dir)], check=True)
    clone = GitRepo(clone_dir, project.repo)
    again = plan_of(clone, budget=3500).to_json()
    assert again["units"] == first["units"]


def test_too_small_a_budget_is_a_clear_error(project: GitRepo) -> None:
    from reviewbot.errors import ConfigError

    with pytest.raises(ConfigError, match="leaves no room for an audit unit"):
        plan_of(project, budget=1500)


def run_cli(repo: GitRepo, *args: str) -> Run:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEWBOT_")}
    return reviewbot(repo.path, "audit", *args, env={**env, "REVIEWBOT_BUDGET": "3500"}, timeout=60)


def test_plan_command_needs_no_key_and_prints_units_tokens_and_cost(project: GitRepo) -> None:
    done = run_cli(project, "--plan")
    assert done.code == 0, done.stderr
    assert "audit plan for project at" in done.stdout
    assert "   1. " in done.stdout and "risk " in done.stdout and "~$" in done.stdout
    assert "app/auth/session.py" in done.stdout
    assert "estimated cost ~$" in done.stdout
    assert "skipped: 2 not source code" in done.stdout
    data = json.loads(run_cli(project, "--plan", "--format", "json").stdout)
    assert data["head"] == project.head()
    assert data["estimated_cost_usd"] > 0
    assert {u["number"] for u in data["units"]} == set(range(1, len(data["units"]) + 1))
    first = data["units"][0]["files"][0]
    assert set(first) == {"path", "tokens", "lines", "risk", "reasons"}
    shards = [
        json.loads(run_cli(project, "--plan", "--format", "json", "--shard", f"{i}/2").stdout)
        for i in (1, 2)
    ]
    numbers = [{u["number"] for u in s["units"]} for s in shards]
    assert numbers[0].isdisjoint(numbers[1])
    assert numbers[0] | numbers[1] == {u["number"] for u in data["units"]}


def test_file_names_cannot_start_workflow_commands(project: GitRepo) -> None:
    project.write("app/x\n::error title=pwned::y.py", "import pickle\npickle.loads(b'')\n")
    project.write("::warning::z.py", "import os\nos.system('ls')\n")
    project.commit("hostile names")
    done = run_cli(project, "--plan", "-v")
    assert done.code == 0, done.stderr
    assert "app/x\\x0a::error title=pwned::y.py" in done.stdout
    for line in done.stdout.splitlines():
        assert not line.lstrip().startswith(("::", "##[")), line
