"""The tracking issue: one GitHub issue, found again by a hidden marker, listing the open
findings as a task list. A finding of the last audit that is gone now (its file was
audited again, or deleted) is ticked off as fixed; one whose file was not covered this
time keeps its line as it was. Items are matched by fingerprint, hidden in each line.

The body is built here; ``reviewbot.github.api`` finds, creates and updates the issue.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote

from reviewbot.audit.describe import shown
from reviewbot.audit.outputs import AuditResult
from reviewbot.audit.report import LinkFor, permalinks
from reviewbot.errors import ConfigError
from reviewbot.review.findings import Finding
from reviewbot.review.result import count_by_severity
from reviewbot.review.sanitize import code_span

MARKER = "reviewbot:audit-tracking-issue"
TITLE = "reviewbot audit: open findings"
LABELS = ("reviewbot-audit",)
MAX_BODY = 60_000  # below GitHub's 65,536, with room for the marker
OPEN = "### Open findings"
FIXED = "### Fixed since the last audit"
_ITEM = re.compile(
    r"^- \[(?P<tick>[ xX])\] (?P<text>.*?)\s*<!-- fp:(?P<fp>[\w-]+) (?P<path>\S+) -->$"
)


@dataclass(frozen=True)
class Item:
    fingerprint: str
    path: str
    ticked: bool
    line: str  # the whole line as it was


def parse_open(body: str | None) -> list[Item]:
    """The items of the previous body's open list (ticked ones too: a person may tick)."""
    if not body:
        return []
    items: list[Item] = []
    section = ""
    for raw in body.splitlines():
        if raw.startswith("### "):
            section = raw.strip()
            continue
        match = _ITEM.match(raw.strip())
        if match and section == OPEN:
            items.append(
                Item(match["fp"], unquote(match["path"]), match["tick"] != " ", raw.strip())
            )
    return items


def _item(f: Finding, link: LinkFor | None, *, ticked: bool = False, done: bool = False) -> str:
    where = shown(f.path) + f":{f.line}" + (f"-{f.end_line}" if f.end_line else "")
    url = link(f) if link else None
    place = f"[{code_span(where)}]({url})" if url else code_span(where)
    title = " ".join(f.title.replace("<!--", "").replace("-->", "").split())
    text = f"**{f.severity}** {place} {title}"
    if done:
        text = f"~~{text}~~"
    key = f.fingerprint or "none"
    return f"- [{'x' if ticked or done else ' '}] {text} <!-- fp:{key} {quote(f.path)} -->"


def issue_body(
    audit: AuditResult, previous: str | None, *, exists: Callable[[str], bool]
) -> tuple[str, int]:
    """The new body and how many findings it ticks off as fixed.

    ``exists(path)``: whether the file is still in the audited tree.
    """
    link = permalinks(audit)
    current = {f.fingerprint: f for f in audit.result.findings if f.fingerprint}
    before = parse_open(previous)
    ticked_before = {i.fingerprint for i in before if i.ticked}
    covered = audit.covered

    def known(path: str) -> bool:
        return covered is None or path in covered or not exists(path)

    still: list[str] = []
    fixed: list[str] = []
    listed: set[str] = set()
    for item in before:
        if item.fingerprint in current or item.fingerprint in listed:
            continue
        listed.add(item.fingerprint)
        if known(item.path):
            text = item.line[6:].split(" <!-- fp:")[0].strip("~")
            marker = f"<!-- fp:{item.fingerprint} {quote(item.path)} -->"
            fixed.append(f"- [x] ~~{text}~~ {marker}")
        else:
            still.append(item.line)
    open_lines = [
        _item(f, link, ticked=f.fingerprint in ticked_before) for f in audit.result.findings
    ]
    total_open = len(open_lines) + len(still)
    counts = count_by_severity(audit.result.findings)
    tally = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "none"
    head = f"`{audit.head[:12]}`" if audit.head else "the current commit"
    intro = [
        f"<!-- {MARKER} -->",
        "## reviewbot audit",
        "",
        f"Last audit: {head}"
        + (f" on {audit.date}" if audit.date else "")
        + f". **{total_open} open finding(s)** ({tally}); "
        f"{len(fixed)} fixed since the last audit.",
        "",
    ]
    if audit.result.notes:
        intro += [f"> {shown(n)}" for n in audit.result.notes[:5]] + [""]
    outro = [
        "",
        "<sub>Kept up to date by reviewbot's scheduled audit. Findings are matched by "
        "fingerprint; tick one to mark it as seen.</sub>",
    ]
    body, cut = _fit(intro, open_lines + still, fixed, outro)
    if cut:
        body = body.replace(
            OPEN, f"{OPEN}\n\n_{cut} more not listed: see the audit report (SARIF or Markdown)._"
        )
    return body, len(fixed)


def _fit(
    intro: list[str], open_lines: list[str], fixed: list[str], outro: list[str]
) -> tuple[str, int]:
    def build(n_open: int, n_fixed: int) -> str:
        parts = [*intro, OPEN, "", *(open_lines[:n_open] or ["_None._"])]
        if fixed[:n_fixed]:
            parts += ["", FIXED, "", *fixed[:n_fixed]]
        return "\n".join([*parts, *outro]) + "\n"

    n_open, n_fixed = len(open_lines), len(fixed)
    body = build(n_open, n_fixed)
    while len(body) > MAX_BODY and (n_open or n_fixed):
        if n_fixed:
            n_fixed = max(n_fixed - max(n_fixed // 4, 1), 0)
        else:
            n_open = max(n_open - max(n_open // 8, 1), 0)
        body = build(n_open, n_fixed)
    return body, len(open_lines) - n_open


# GitHub -------------------------------------------------------------------------------


def issue_repository(environ: Mapping[str, str]) -> str:
    """The ``owner/name`` to keep the issue in, checked before any work is done."""
    token = environ.get("GITHUB_TOKEN") or environ.get("GH_TOKEN") or ""
    repository = environ.get("GITHUB_REPOSITORY", "")
    if not token:
        raise ConfigError(
            "--issue needs GITHUB_TOKEN",
            hint="pass it to the step: `env: GITHUB_TOKEN: ${{ github.token }}` "
            "(with `issues: write` permission)",
        )
    if not re.fullmatch(r"[\w.\-]+/[\w.\-]+", repository):
        raise ConfigError(
            "--issue needs GITHUB_REPOSITORY as owner/name",
            hint="GitHub Actions sets it; elsewhere export GITHUB_REPOSITORY=owner/name",
        )
    return repository


@dataclass(frozen=True)
class Upserted:
    number: int
    url: str
    created: bool
    fixed: int


def publish_issue(
    audit: AuditResult,
    environ: Mapping[str, str],
    *,
    exists: Callable[[str], bool],
) -> Upserted:
    """Create or update the tracking issue (one per repository, never a second)."""
    from reviewbot.github.api import GitHubApi
    from reviewbot.github.connection import ApiConfig
    from reviewbot.github.issues import find_issue, upsert_issue

    repository = issue_repository(environ)
    with GitHubApi(ApiConfig.from_environ(environ)) as api:
        found = find_issue(api, repository, MARKER, list(LABELS), viewer=api.viewer_login)
        previous = found.body if found else None
        body, fixed = issue_body(audit, previous, exists=exists)
        ref = upsert_issue(
            api,
            repository,
            MARKER,
            TITLE,
            body,
            list(LABELS),
            reopen=bool(audit.result.findings),
        )
    return Upserted(ref.number, ref.url, ref.created, fixed)
