"""A small real project for audits, and a scripted model that audits it.

The model is reactive and stateless: each answer is a function of the request alone, so
any number of reviewbot processes (shards) can share one fake server in any order. In a
unit's first turn it reads the numbered files of the unit from the context message and
comments on every line that holds one of the planted defects below; then it finishes;
in the verification pass it confirms every finding.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.k2_doubles import verdicts
from tests.fakes.k2_server import FakeCall, K2Server, Turn
from tests.helpers import launch
from tests.helpers.gitrepo import GitRepo
from tests.helpers.launch import Run

API_KEY = "sk-audit-canary-5d1e2f3a4b"

# Planted defects: a line holding the needle gets a finding with this severity and title.
DEFECTS = {
    "pickle.loads(": ("critical", "Unpickles data from the request"),
    "shell=True": ("major", "Shell command built from input"),
    'execute(f"': ("major", "SQL built with an f-string"),
}

FILES = {
    "app/__init__.py": "",
    "app/auth/__init__.py": "",
    "app/auth/session.py": (
        "import pickle\n\nfrom app.db.store import load_user\n\n\n"
        "def restore(request):\n"
        "    blob = request.cookies.get('session')\n"
        "    return pickle.loads(blob)\n\n\n"
        "def login(request, password):\n"
        "    user = load_user(request.form['name'])\n"
        "    return user is not None and user.password == password\n"
    ),
    "app/auth/tokens.py": (
        "import hashlib\n\n\ndef token_for(user):\n"
        "    return hashlib.md5(user.name.encode()).hexdigest()\n"
    ),
    "app/db/__init__.py": "",
    "app/db/store.py": (
        "import sqlite3\n\nDB = sqlite3.connect('app.db')\n\n\n"
        "def load_user(name):\n"
        "    cur = DB.cursor()\n"
        "    cur.execute(f\"SELECT * FROM users WHERE name = '{name}'\")\n"
        "    return cur.fetchone()\n"
    ),
    "app/util/__init__.py": "",
    "app/util/text.py": (
        "def clamp(x, lo, hi):\n    return max(lo, min(x, hi))\n\n\n"
        "def title(s):\n    return s[:1].upper() + s[1:]\n"
    ),
    "app/util/dates.py": "import time\n\n\ndef now():\n    return time.time()\n",
    "tools/deploy.py": (
        "import subprocess\nimport sys\n\n\ndef deploy(target):\n"
        "    subprocess.run('rsync -a build/ ' + target, shell=True, check=True)\n\n\n"
        "if __name__ == '__main__':\n    deploy(sys.argv[1])\n"
    ),
    "tests/test_text.py": (
        "from app.util.text import clamp\n\n\ndef test_clamp():\n    assert clamp(5, 0, 3) == 3\n"
    ),
    "docs/guide.md": "# Guide\n\nCall `pickle.loads` never.\n",
    "AGENTS.md": "Run pytest before committing.\n",
}


# Padding so that the files do not all fit one unit at a small budget.
FILLER = "".join(f"\n\ndef helper_{i}(value):\n    return value * {i} + {i}\n" for i in range(25))


def padded(path: str, text: str) -> str:
    if path.endswith(".py") and text and not path.startswith("tests/"):
        return text + FILLER
    return text


def planted_lines() -> set[tuple[str, int, str]]:
    """(path, line, title) of every planted defect, counted in the files as written: the
    oracle the audit's findings are checked against, independent of how reviewbot numbers
    the lines it shows the model (the scripted model cites those)."""
    return {
        (path, number, title)
        for path, text in FILES.items()
        if path.endswith(".py")
        for number, line in enumerate(padded(path, text).split("\n"), start=1)
        for needle, (_, title) in DEFECTS.items()
        if needle in line
    }


@pytest.fixture
def project(make_repo: Callable[..., GitRepo]) -> GitRepo:
    """The project, with some history: app/db/store.py changed in three commits."""
    repo = make_repo("project")
    for path, text in FILES.items():
        repo.write(path, padded(path, text))
    repo.commit("initial")
    for i in range(3):
        store = padded("app/db/store.py", FILES["app/db/store.py"])
        repo.write("app/db/store.py", store + f"\n# revision {i}\n")
        repo.commit(f"store: revision {i}")
    return repo


# The scripted model -----------------------------------------------------------------------

_HEADER = re.compile(r"^### (\S+)")
_NUMBERED = re.compile(r"^(\d+)\t(.*)$")


def numbered_lines(context: str) -> list[tuple[str, int, str]]:
    """(path, line, text) of every numbered line of the unit's files in the context."""
    out: list[tuple[str, int, str]] = []
    path = ""
    for raw in context.splitlines():
        header = _HEADER.match(raw)
        if header:
            path = header.group(1)
            continue
        line = _NUMBERED.match(raw)
        if line and path:
            out.append((path, int(line.group(1)), line.group(2)))
    return out


def planted(context: str) -> list[dict[str, Any]]:
    comments = []
    for path, number, text in numbered_lines(context):
        for needle, (severity, title) in DEFECTS.items():
            if needle in text:
                comments.append(
                    {
                        "path": path,
                        "line": number,
                        "evidence": f"{path}:{number}",
                        "severity": severity,
                        "title": title,
                        "body": f"`{text.strip()}` trusts its input.",
                    }
                )
    return comments


def auditor(request: dict[str, Any]) -> Turn:
    messages = request["messages"]
    last = messages[-1]
    if last["role"] == "tool":
        return Turn(
            reasoning="Done.",
            tool_calls=[FakeCall("finish_review", {"summary": "Audited the unit."})],
        )
    if last["role"] == "user" and last["content"].startswith("Verification pass"):
        calls = verdicts(last["content"], reason="seen")
        return Turn(reasoning="Checking.", tool_calls=calls)
    context = next(m for m in messages if m["content"].startswith("# Repository context"))
    comments = planted(context["content"])
    if not comments:
        return Turn(
            reasoning="Nothing here.",
            tool_calls=[FakeCall("finish_review", {"summary": "Nothing to report."})],
        )
    return Turn(reasoning="Found some.", tool_calls=[FakeCall("add_comment", c) for c in comments])


def script_auditor(server: K2Server, turns: int = 400) -> None:
    server.script([auditor] * turns)


def environment(server: K2Server, **extra: str) -> dict[str, str]:
    """The model environment of these suites: small units (a 4,000-token budget)."""
    defaults = {"REVIEWBOT_MAX_RETRY_SECONDS": "5", "REVIEWBOT_BUDGET": "4000"}
    return launch.model_env(server, api_key=API_KEY, **{**defaults, **extra})


def reviewbot(repo: GitRepo, env: dict[str, str], *args: str) -> Run:
    return launch.reviewbot(repo.path, *args, env=env)


def start(repo: GitRepo, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return launch.start(repo.path, *args, env=env)


def paths_in(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
