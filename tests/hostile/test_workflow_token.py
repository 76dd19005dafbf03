"""Issue 14.11: the token the example workflows hand to `git fetch`.

The fetch step runs as written in docs/workflows against a loopback git server (git's "dumb"
HTTP protocol over a real bare repository) that answers only with the right Basic
credentials. While git talks to it, the server reads every process's command line
(/proc/PID/cmdline, which any local user can read): neither the token nor its base64 form
may be there. The base64 form must be masked (`::add-mask::`) before anything can print it.
"""

from __future__ import annotations

import base64
import os
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.helpers.gitrepo import GitRepo

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "ghs_fetchCanaryToken0123456789abcdefABCDEF"
BASIC = base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
NUMBER = 7


def command_lines() -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
            except OSError:
                continue  # the process ended meanwhile
    return found


@dataclass
class GitServer:
    root: Path
    authorized: int = 0
    refused: int = 0
    exposed: list[str] = field(default_factory=list)

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        self.exposed += [c for c in command_lines() if TOKEN in c or BASIC in c]
        if h.headers.get("Authorization") != f"basic {BASIC}":
            self.refused += 1
            h.send_response(401)
            h.send_header("WWW-Authenticate", 'Basic realm="git"')
            h.end_headers()
            return
        self.authorized += 1
        target = (self.root / h.path.split("?", 1)[0].lstrip("/")).resolve()
        if not target.is_file() or self.root.resolve() not in target.parents:
            h.send_response(404)
            h.end_headers()
            return
        data = target.read_bytes()
        h.send_response(200)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)


@pytest.fixture
def git_server(tmp_path: Path) -> Iterator[tuple[GitServer, str]]:
    server = GitServer(tmp_path / "served")
    server.root.mkdir()
    handler = type(
        "Handler",
        (BaseHTTPRequestHandler,),
        {"do_GET": lambda h: server.handle(h), "log_message": lambda *a: None},
    )
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def fetch_step(name: str) -> dict[str, Any]:
    workflow = YAML(typ="safe", pure=True).load(
        (ROOT / "docs" / "workflows" / name).read_text(encoding="utf-8")
    )
    steps = workflow["jobs"]["review"]["steps"]
    step: dict[str, Any] = next(s for s in steps if "git" in s.get("run", ""))
    return step


@pytest.mark.parametrize("name", ["reviewbot-fork-safe.yml", "reviewbot-command.yml"])
def test_the_fetch_keeps_the_token_out_of_process_arguments_and_masks_its_base64(
    name: str,
    git_server: tuple[GitServer, str],
    make_repo: Callable[..., GitRepo],
    tmp_path: Path,
) -> None:
    server, url = git_server
    upstream = make_repo("upstream")
    upstream.write("a.py", "x = 1\n")
    upstream.commit("base")
    upstream.branch("pr")
    upstream.write("a.py", "x = 2\n")
    head = upstream.commit("pr head")
    bare = server.root / "o" / "r.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(upstream.path), str(bare)], check=True)
    subprocess.run(["git", "-C", str(bare), "update-ref", f"refs/pull/{NUMBER}/head", head],
                   check=True)  # fmt: skip
    subprocess.run(["git", "-C", str(bare), "update-server-info"], check=True)
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "-q", str(upstream.path), str(work)], check=True)
    subprocess.run(["git", "-C", str(work), "remote", "set-url", "origin", f"{url}/o/r.git"],
                   check=True)  # fmt: skip

    step = fetch_step(name)
    assert set(step["env"]) == {"PR_NUMBER", "GH_TOKEN"}, step["env"]
    env = {
        **os.environ,
        "PR_NUMBER": str(NUMBER),
        "GH_TOKEN": TOKEN,
        "GITHUB_SERVER_URL": url,  # what the runner sets (https://github.com on github.com)
        "GIT_TERMINAL_PROMPT": "0",
    }
    done = subprocess.run(
        ["bash", "-c", step["run"]], cwd=work, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    fetched = subprocess.run(
        ["git", "-C", str(work), "rev-parse", f"refs/remotes/pull/{NUMBER}/head"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert fetched == head
    assert server.authorized > 0 and server.refused == 0
    assert server.exposed == [], "the token is in a process's arguments"
    lines = done.stdout.splitlines()
    assert lines[:1] == [f"::add-mask::{BASIC}"], done.stdout
    assert BASIC not in "\n".join(lines[1:]) + done.stderr
    assert TOKEN not in done.stdout + done.stderr
