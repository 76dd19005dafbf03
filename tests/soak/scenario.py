"""The soak scenario shared by tests/soak and bench/soak.py: a long scripted review.

A repository of 60 modules; the model makes one tool call per step for ``steps - 1``
steps (reading, searching, listing, history: every call different), files one finding
half-way, and finishes on the last step. The fake server reports usage computed from
the request's size (4 characters a token), so the context guard sees the conversation
grow as it would and hides old outputs when it nears the window.

The resident set size of the reviewbot process is sampled from /proc when the server
answers the first request, every 50th, and the last; the peak comes from ``wait4``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.fakes.k2_doubles import verdicts
from tests.fakes.k2_server import FakeCall, K2Server, Turn
from tests.faults.harness import rss_kib, run_dirs
from tests.helpers.gitrepo import GitRepo
from tests.helpers.launch import model_env, reviewbot

MODULES = 60
LINES = 1200
WINDOW = 131_072


@dataclass(frozen=True)
class Figures:
    steps: int
    exit_code: int
    samples: tuple[tuple[int, int], ...]  # (request number, RSS KiB)
    peak_rss_kib: int
    seconds: float
    transcript_bytes: int
    requests: int
    notes: tuple[str, ...]
    stderr: str

    @property
    def rss_start_kib(self) -> int:
        return self.samples[0][1] if self.samples else 0

    @property
    def rss_end_kib(self) -> int:
        return self.samples[-1][1] if self.samples else 0

    def lines(self) -> list[str]:
        mib = 1024
        return [
            f"steps: {self.steps} ({self.requests} model requests), exit {self.exit_code}, "
            f"{self.seconds:.1f} s",
            f"RSS at the first request: {self.rss_start_kib / mib:.0f} MiB; at the last: "
            f"{self.rss_end_kib / mib:.0f} MiB; peak: {self.peak_rss_kib / mib:.0f} MiB",
            "RSS by request: " + ", ".join(f"{n}: {kib / mib:.0f} MiB" for n, kib in self.samples),
            f"transcript: {self.transcript_bytes / mib / mib:.1f} MiB",
            *(f"note: {n}" for n in self.notes),
        ]


def module(i: int) -> str:
    body = [f'"""Module {i}."""\n', "\n"]
    body += [f"def func_{i}_{j}(x):\n    return x + {j * i % 97}\n\n" for j in range(LINES // 3)]
    return "".join(body)


def build_repo(folder: Path) -> GitRepo:
    repo = GitRepo.create(folder)
    for i in range(MODULES):
        repo.write(f"src/mod_{i:03}.py", module(i))
    repo.commit("initial")
    repo.branch("feature")
    repo.write("src/mod_000.py", module(0).replace("return x + 0\n", "return x - 1\n", 1))
    repo.commit("change")
    return repo


def call_for(step: int) -> FakeCall:
    """A different tool call for every step."""
    path = f"src/mod_{step % MODULES:03}.py"
    kind = step % 4
    if kind == 0:
        return FakeCall("read_file", {"path": path, "start_line": 1 + (step * 37) % 800})
    if kind == 1:
        return FakeCall(
            "search_code", {"pattern": f"func_\\d+_{step % 100}\\b", "path_glob": "*.py"}
        )
    if kind == 2:
        return FakeCall("git_log", {"path": path, "max_count": 1 + step % 40})
    return FakeCall("list_files", {"path": "src", "pattern": f"*{step:03}*"})


FINDING = {
    "path": "src/mod_000.py",
    "line": 4,
    "severity": "major",
    "title": "Off by one",
    "body": "The result is one less than before.",
    "evidence": "src/mod_000.py:4",
}


def usage_of(body: dict[str, Any]) -> dict[str, Any]:
    prompt = len(json.dumps(body["messages"], separators=(",", ":"))) // 4
    return {
        "prompt_tokens": prompt,
        "completion_tokens": 60,
        "total_tokens": prompt + 60,
        "cached_tokens": prompt * 9 // 10,
    }


def script(steps: int, pid: list[int], samples: list[tuple[int, int]]) -> list[Any]:
    def turn(step: int) -> Any:
        def reply(body: dict[str, Any]) -> Turn:
            if step == 1 or step % 50 == 0 or step == steps:
                samples.append((step, rss_kib(pid[0]) if pid else 0))
            if step == steps:
                call = FakeCall("finish_review", {"summary": f"Soak: {steps} steps."})
            elif step == steps // 2:
                call = FakeCall("add_comment", FINDING)
            else:
                call = call_for(step)
            return Turn(reasoning=f"Step {step}.", tool_calls=[call], usage=usage_of(body))

        return reply

    return [turn(step) for step in range(1, steps + 1)]


def run_soak(folder: Path, steps: int = 300) -> Figures:
    repo = build_repo(folder / "repo")
    server = K2Server().start()
    pid: list[int] = []
    samples: list[tuple[int, int]] = []
    try:
        server.script(script(steps, pid, samples))
        # A 128K window (a self-hosted deployment's), so the context guard has work to do.
        env = model_env(
            server, REVIEWBOT_MAX_STEPS=str(steps + 5), REVIEWBOT_CONTEXT_WINDOW=str(WINDOW)
        )
        run = reviewbot(
            repo.path,
            "review", "--base", "main", "--no-verify", "--max-cost", "0", "-q",
            env=env,
            timeout=900,
            on_start=pid.append,
        )  # fmt: skip
        requests = len(server.requests)
    finally:
        server.stop()
    (run_dir,) = run_dirs(repo.path)
    data = json.loads((run_dir / "findings.json").read_text())
    return Figures(
        steps=int(data["stats"]["steps"]),
        exit_code=run.code,
        samples=tuple(samples),
        peak_rss_kib=run.peak_rss_kib,
        seconds=run.seconds,
        transcript_bytes=(run_dir / "transcript.jsonl").stat().st_size,
        requests=requests,
        notes=tuple(data["notes"]),
        stderr=run.stderr,
    )


# The audit soak ---------------------------------------------------------------------------

AUDIT_FILES = 5000


def audit_module(i: int) -> str:
    risky = "    return eval(text)\n" if i % 500 == 7 else "    return text.strip()\n"
    return (
        f'"""Package module {i}."""\n\nimport os\n\n\n'
        f"def handle_{i}(text):\n    value = os.environ.get('MODE_{i}', '')\n{risky}\n\n"
        + "".join(f"def helper_{i}_{j}(x):\n    return x * {j}\n\n" for j in range(8))
    )


def build_audit_repo(folder: Path, files: int) -> GitRepo:
    repo = GitRepo.create(folder)
    for i in range(files):
        repo.write(f"pkg/area_{i // 100:02}/mod_{i:04}.py", audit_module(i))
    repo.commit("initial")
    return repo


def auditor_turn(steps: list[int], pid: list[int], samples: list[tuple[int, int]]) -> Any:
    """A stateless auditor: flags every `eval(` line of the unit's files (numbered in its
    context message), then finishes; confirms in the verification pass. Samples the
    process's RSS at the first and every 25th request."""
    numbered = re.compile(r"^(\d+)\t.*eval\(", re.M)
    header = re.compile(r"^### (\S+)", re.M)

    def reply(body: dict[str, Any]) -> Turn:
        steps.append(1)
        if len(steps) == 1 or len(steps) % 25 == 0:
            samples.append((len(steps), rss_kib(pid[0]) if pid else 0))
        last = body["messages"][-1]
        usage = usage_of(body)
        if last["role"] == "tool":
            done = FakeCall("finish_review", {"summary": "Audited."})
            return Turn(reasoning="Done.", tool_calls=[done], usage=usage)
        if last["role"] == "user" and last["content"].startswith("Verification pass"):
            calls = verdicts(last["content"], reason="eval")
            return Turn(reasoning="Confirm.", tool_calls=calls, usage=usage)
        calls = []
        chunks = header.split(body["messages"][1]["content"])
        for path, text in zip(chunks[1::2], chunks[2::2], strict=False):
            for match in numbered.finditer(text):
                args = {"path": path, "line": int(match.group(1)), "severity": "critical",
                        "title": "eval of input", "body": "Never eval text.",
                        "evidence": f"{path}:{match.group(1)}"}  # fmt: skip
                calls.append(FakeCall("add_comment", args))
        if not calls:
            calls = [FakeCall("finish_review", {"summary": "Nothing."})]
        return Turn(reasoning="Audit.", tool_calls=calls, usage=usage)

    return reply


@dataclass(frozen=True)
class AuditFigures:
    files: int
    units: int
    exit_code: int
    findings: int
    requests: int
    samples: tuple[tuple[int, int], ...]
    peak_rss_kib: int
    seconds: float
    stderr: str

    def lines(self) -> list[str]:
        mib = 1024
        start = self.samples[0][1] if self.samples else 0
        end = self.samples[-1][1] if self.samples else 0
        return [
            f"files: {self.files}, units: {self.units}, model requests: {self.requests}, "
            f"findings: {self.findings}, exit {self.exit_code}, {self.seconds:.1f} s",
            f"RSS at the first request: {start / mib:.0f} MiB; at the last: {end / mib:.0f} MiB;"
            f" peak: {self.peak_rss_kib / mib:.0f} MiB",
            "RSS by request: " + ", ".join(f"{n}: {k / mib:.0f} MiB" for n, k in self.samples),
        ]


def run_audit_soak(folder: Path, files: int = AUDIT_FILES, budget: int = 16_000) -> AuditFigures:
    repo = build_audit_repo(folder / "repo", files)
    server = K2Server().start()
    pid: list[int] = []
    samples: list[tuple[int, int]] = []
    steps: list[int] = []
    try:
        server.script([auditor_turn(steps, pid, samples)] * 5000)
        env = model_env(server, REVIEWBOT_BUDGET=str(budget))
        out = folder / "audit.json"
        run = reviewbot(
            repo.path,
            "audit", "--format", "json", "-o", str(out), "--max-cost", "0", "-q",
            env=env,
            timeout=1200,
            on_start=pid.append,
        )  # fmt: skip
        requests = len(server.requests)
    finally:
        server.stop()
    data = json.loads(out.read_text()) if out.exists() else {"findings": []}
    plan = reviewbot(repo.path, "audit", "--plan", "--format", "json", env=env)
    units = len(json.loads(plan.stdout)["units"]) if plan.code == 0 else 0
    return AuditFigures(
        files=files,
        units=units,
        exit_code=run.code,
        findings=len(data["findings"]),
        requests=requests,
        samples=tuple(samples),
        peak_rss_kib=run.peak_rss_kib,
        seconds=run.seconds,
        stderr=run.stderr,
    )
