"""Outcomes of the reliability suites, and docs/reliability.md generated from them.

Each case of tests/faults, tests/hostile and tests/soak records what it injected, what it
expected and what it observed (``outcome`` fixture); the call phase's result becomes its
``pass`` column. At the end of the session the rows of the cases that ran replace their
rows in docs/reliability.md; rows of cases that did not run (another marker selection,
e.g. the slow step) are kept, so the fast and the slow CI steps together fill the table.
Only a passing test writes "yes": the document keeps, in a comment at its end, which test
wrote each row, and a test that fails before it records anything turns its row to "no".
CI checks that the file the two steps leave behind is the one committed.

Nothing timing-dependent goes into the file (seconds, ports, temporary paths are
normalised; memory is binned coarsely, see ``mib`` and ``about``), so it only changes when
behaviour does.

The conftests of the three suites import ``pytest_runtest_makereport`` and
``pytest_sessionfinish`` from here; the file is written once per session.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

# The generator's own test points it at a copy.
DOC = Path(
    os.environ.get("REVIEWBOT_RELIABILITY_DOC")
    or Path(__file__).resolve().parents[2] / "docs" / "reliability.md"
)

SUITES: dict[str, str] = {
    "faults": "Fault injection",
    "hostile": "Hostile input (prompt injection)",
    "repo": "Hostile repository content",
    "concurrency": "Concurrency",
    "soak": "Soak",
}
COLUMNS = ("case", "command", "injected fault", "expected", "observed", "pass")
KNOWN = "**no** (known: strict xfail, reported)"


@dataclass(frozen=True)
class CaseRecord:
    suite: str
    case: str
    command: str
    fault: str
    expected: str
    observed: str
    passed: bool | None = False  # None: a known failure (strict xfail)

    def cells(self) -> tuple[str, ...]:
        verdict = {True: "yes", False: "**no**", None: KNOWN}[self.passed]
        return (self.case, self.command, self.fault, self.expected, self.observed, verdict)


RESULTS: dict[str, CaseRecord] = {}  # by test node id
RAN: dict[str, bool] = {}  # node id -> passed, for every test that asked for ``outcome``
_written: list[bool] = []
UNRECORDED = "the test failed before it recorded what it observed"


class Outcome:
    """What one test records: ``outcome.record(...)`` before it asserts."""

    def __init__(self, nodeid: str) -> None:
        self.nodeid = nodeid

    def record(
        self, *, suite: str, case: str, command: str, fault: str, expected: str, observed: str
    ) -> None:
        assert suite in SUITES, suite
        RESULTS[self.nodeid] = CaseRecord(
            suite, case, command, fault, expected, normalise(observed)
        )


@pytest.fixture
def outcome(request: pytest.FixtureRequest) -> Outcome:
    return Outcome(request.node.nodeid)


# Normalising -----------------------------------------------------------------------------
_NORMALISE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:PORT"),
    (re.compile(r"(?:/tmp|/var/folders)/[^\s'\";,)]+"), "<tmp>"),
    (re.compile(r"\b\d+(?:\.\d+)? s\b"), "N s"),
    (re.compile(r"over \d+ attempts"), "over N attempts"),
    (re.compile(r"\b[0-9a-f]{40}\b"), "<sha>"),
    (re.compile(r"\s+"), " "),
)


def normalise(text: str) -> str:
    """``text`` with ports, temporary paths, durations and shas replaced by placeholders."""
    for pattern, repl in _NORMALISE:
        text = pattern.sub(repl, text)
    return text.strip()


def about(kib: int, step: int = 100) -> str:
    """A resident set size in KiB to the nearest ``step`` MiB (for figures near 100 MiB that
    ``mib`` would put on either side of a boundary from run to run)."""
    return f"≈ {max(round(kib / 1024 / step), 1) * step} MiB"


def mib(kib: int) -> str:
    """A peak RSS in KiB for the table: "< 150 MiB" below that, else to the nearest 50 MiB
    (the figures seen sit well inside those bins, so the file does not churn)."""
    if kib < 150 * 1024:
        return "< 150 MiB"
    return f"≈ {round(kib / 1024 / 50) * 50} MiB"


# The document -----------------------------------------------------------------------------
_SPLIT = re.compile(r"(?<!\\)\|")
_MARK = re.compile(r"<!-- suite:(\w+) -->")
INDEX_START = "<!-- rows written by (test node id, suite, case):"
INDEX_END = "-->"
Index = dict[str, tuple[str, str]]  # test node id -> (suite, case)


def _escape(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def _parse(text: str) -> dict[tuple[str, str], CaseRecord]:
    rows: dict[tuple[str, str], CaseRecord] = {}
    suite = None
    for line in text.splitlines():
        mark = _MARK.search(line)
        if mark:
            suite = mark.group(1)
            continue
        if suite is None or not line.startswith("| ") or line.startswith(("| case ", "|---")):
            continue
        cells = [c.strip().replace("\\|", "|") for c in _SPLIT.split(line.strip())[1:-1]]
        if len(cells) != len(COLUMNS):
            continue
        passed = {"yes": True, "**no**": False, KNOWN: None}.get(cells[5], False)
        rows[(suite, cells[0])] = CaseRecord(suite, *cells[:5], passed=passed)
    return rows


HEADER = """\
# Reliability and security

Generated by the reliability suites (tests/faults, tests/hostile, tests/soak); do not edit
by hand. Each row is one case. Apart from the tool-path cases (the real tools called in
process), each is a whole run of the command as a subprocess against the loopback fake
model (tests/fakes/k2_server.py) and, for `reviewbot github` and `audit --issue`, the fake
GitHub (tests/fakes/github_server.py), with the fault injected.

"observed" is what the run did, with ports, temporary paths, durations and retry counts
replaced by placeholders. Memory: "peak" is the peak resident set size of the largest
process of the run (`wait4`), to the nearest 50 MiB; "RSS at request N" is the reviewbot
process's resident set size when the fake model answered its N-th request, to the nearest
100 MiB (bench/soak.py prints the exact figures).

Regenerate: `pytest tests/faults tests/hostile tests/soak -m "not slow"` and
`pytest tests/faults tests/hostile tests/soak -m slow` (as CI's two steps do); each session
rewrites the rows of the cases it ran and keeps the others. "known" in the pass column
marks a failure the suite expects (a strict xfail) and that was reported to the owner. Only a
passing test writes "yes": a comment at the end of this file names the test behind each
row, and a test that fails before it records anything turns its row to "no". CI checks
that this file is the one its two test steps write (memory figures aside).

Common to every case: no Python traceback is printed; a failure is one line on stderr
starting `reviewbot:` with exit code 3; findings recorded before a failure are kept in
`findings.json` in the run directory; no comment is published twice.
"""


def _parse_index(text: str) -> Index:
    index: Index = {}
    inside = False
    for line in text.splitlines():
        if line.startswith(INDEX_START):
            inside = True
        elif inside and line.startswith(INDEX_END):
            break
        elif inside and line.count("\t") == 2:
            nodeid, suite, case = line.split("\t")
            index[nodeid] = (suite, case)
    return index


def render(rows: dict[tuple[str, str], CaseRecord], index: Index | None = None) -> str:
    out = [HEADER]
    for suite, title in SUITES.items():
        mine = sorted(
            (r for (s, _), r in rows.items() if s == suite), key=lambda r: (r.command, r.case)
        )
        if not mine:
            continue
        out += [f"## {title}", "", f"<!-- suite:{suite} -->", ""]
        out.append("| " + " | ".join(COLUMNS) + " |")
        out.append("|" + "---|" * len(COLUMNS))
        out += ["| " + " | ".join(_escape(c) for c in r.cells()) + " |" for r in mine]
        out.append("")
    listed = sorted((n, key) for n, key in (index or {}).items() if key in rows)
    if listed:
        out += [INDEX_START, *(f"{n}\t{suite}\t{case}" for n, (suite, case) in listed)]
        out += [INDEX_END, ""]
    return "\n".join(out).rstrip() + "\n"


def merged(
    records: dict[str, CaseRecord], existing: str, ran: dict[str, bool] | None = None
) -> str:
    """``existing`` with the rows of ``records`` (by test node id) replaced; the row of a
    test that ran, failed and recorded nothing (``ran``) says so and does not pass."""
    rows = _parse(existing)
    index = _parse_index(existing)
    for nodeid, passed in (ran or {}).items():
        key = index.get(nodeid)
        if nodeid not in records and not passed and key in rows:
            rows[key] = replace(rows[key], observed=UNRECORDED, passed=False)
    for nodeid, record in records.items():
        key = (record.suite, record.case)
        rows[key] = record
        index = {n: k for n, k in index.items() if k != key}
        index[nodeid] = key
    return render(rows, index)


# Hooks (imported by the suites' conftests) -------------------------------------------------
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    result = yield
    report = result.get_result()  # type: ignore[attr-defined]
    if "outcome" in getattr(item, "fixturenames", ()) and (report.when == "call" or report.failed):
        RAN[item.nodeid] = RAN.get(item.nodeid, True) and report.passed
    record = RESULTS.get(item.nodeid)
    if record is None:
        return
    if report.when == "call":
        known = report.skipped and hasattr(report, "wasxfail")  # a strict xfail that failed
        RESULTS[item.nodeid] = replace(record, passed=None if known else report.passed)
    elif report.when == "teardown" and report.failed:
        RESULTS[item.nodeid] = replace(record, passed=False)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _written or not RAN or exitstatus == pytest.ExitCode.INTERRUPTED:
        return
    _written.append(True)
    existing = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    text = merged(RESULTS, existing, RAN)
    if text != existing:
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(text, encoding="utf-8")


# The CI check ---------------------------------------------------------------------------------
# Memory figures are measurements: a run on a busy machine may land in the next bin. The
# check compares everything else (which cases, what was injected, expected and observed,
# pass, which test wrote each row).
_MEMORY = re.compile(r"(?:≈|<) \d+ MiB")


def _comparable(text: str) -> list[str]:
    return [_MEMORY.sub("MEM", line) for line in text.splitlines()]


def stale(committed: str, generated: str) -> list[str]:
    """The lines of ``generated`` that differ from ``committed`` (memory figures aside)."""
    old, new = _comparable(committed), _comparable(generated)
    return [line for line in new if line not in old] + [
        f"(gone) {line}" for line in old if line not in new
    ]


def main() -> int:
    """``python -m tests.faults.reliability check``: exit 1 when the suites just run wrote a
    docs/reliability.md other than the committed one (as CI runs it after both test steps)."""
    committed = subprocess.run(
        ["git", "show", f"HEAD:{DOC.relative_to(DOC.parents[1]).as_posix()}"],
        cwd=DOC.parents[1], capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    changed = stale(committed, DOC.read_text(encoding="utf-8"))
    if not changed:
        return 0
    print(
        f"docs/reliability.md is not current: the suites wrote {len(changed)} other line(s); "
        "run them as CI does and commit the file. First: " + changed[0][:300],
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
