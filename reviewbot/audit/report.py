"""The Markdown audit report: counts by severity and by area, then every finding with a
permalink to its lines when the repository's URL and the commit are known."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import quote

from reviewbot.audit.describe import shown
from reviewbot.audit.outputs import AuditResult
from reviewbot.repo.gitcmd import origin_url
from reviewbot.review.findings import SEVERITIES, Finding
from reviewbot.review.result import count_by_severity
from reviewbot.review.sanitize import code_span, neutralize_commands

LinkFor = Callable[[Finding], str | None]
_REMOTE = re.compile(
    r"^(?:https?://(?:[^@/]+@)?|ssh://git@|git@)([\w.\-]+)(?::\d+)?[:/]"
    r"([\w.\-]+)/([\w.\-]+?)(?:\.git)?/?$"
)


def repository_url(root: Path, environ: Mapping[str, str]) -> str:
    """``https://host/owner/name`` from GitHub Actions' variables, else from the origin
    remote; empty when neither names a web host."""
    server, name = environ.get("GITHUB_SERVER_URL", ""), environ.get("GITHUB_REPOSITORY", "")
    if server and re.fullmatch(r"[\w.\-]+/[\w.\-]+", name):
        return f"{server.rstrip('/')}/{name}"
    match = _REMOTE.match(origin_url(root))
    if match is None:
        return ""
    host, owner, repo = match.groups()
    return f"https://{host}/{owner}/{repo}"


def permalinks(audit: AuditResult) -> LinkFor | None:
    """Links to the audited commit's lines (GitHub's ``blob/<sha>/<path>#Lx-Ly``)."""
    if not audit.repository_url or not audit.head:
        return None
    base = f"{audit.repository_url}/blob/{audit.head}/"

    def link(f: Finding) -> str:
        span = f"#L{f.line}" + (f"-L{f.end_line}" if f.end_line else "")
        return base + quote(f.path) + span

    return link


def area_of(audit: AuditResult, path: str) -> str:
    return shown(audit.units.get(path) or posixpath.dirname(path) or "(repository root)")


def _where(f: Finding) -> str:
    return shown(f.path) + f":{f.line}" + (f"-{f.end_line}" if f.end_line else "")


def render_report(audit: AuditResult, *, link: LinkFor | None = None) -> str:
    result = audit.result
    head = f" at `{audit.head[:12]}`" if audit.head else ""
    name = f" of {shown(audit.repository)}" if audit.repository else ""
    out = [f"# reviewbot audit{name}{head}", ""]
    if audit.date or audit.shard:
        bits = [b for b in (audit.date, f"shard {audit.shard}" if audit.shard else "") if b]
        out += [f"_{' · '.join(bits)}_", ""]
    out += [result.summary.strip() or "_No summary._", ""]
    counts = count_by_severity(result.findings)
    out += ["## Findings by severity", "", "| severity | findings |", "|---|---|"]
    out += [f"| {s} | {counts[s]} |" for s in SEVERITIES]
    out += [f"| **total** | {len(result.findings)} |", ""]
    areas: dict[str, list[Finding]] = {}
    for f in result.findings:
        areas.setdefault(area_of(audit, f.path), []).append(f)
    if areas:
        out += ["## Findings by area", "", "| area | " + " | ".join(SEVERITIES) + " |"]
        out.append("|---|" + "---|" * len(SEVERITIES))
        for area, found in sorted(areas.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            by = count_by_severity(found)
            out.append(f"| {area} | " + " | ".join(str(by[s]) for s in SEVERITIES) + " |")
        out.append("")
    for area, found in sorted(areas.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        out += [f"## {area}", ""]
        for f in found:
            url = link(f) if link else None
            where = f"[{code_span(_where(f))}]({url})" if url else code_span(_where(f))
            out += [f"### {f.severity}: {f.title}", "", where, "", f.body.strip(), ""]
            if f.suggestion is not None:
                fence = "````" if "```" in f.suggestion else "```"
                out += ["Suggested change:", "", f"{fence}suggestion"]
                out += [f.suggestion.rstrip("\n"), fence, ""]
    s = result.stats
    covered = f" · {audit.units_run} of {audit.units_total} units run" if audit.units_total else ""
    out.append(
        f"_{len(result.findings)} findings{covered} · {s.steps} steps · {s.tool_calls} tool calls"
        f" · {s.input_tokens:,} input tokens ({s.cached_share:.0%} cached) · "
        f"{s.output_tokens:,} output · ${s.cost_usd:.4f} · {s.seconds:.1f} s_"
    )
    out.append("")
    out += [f"> {shown(note)}" for note in result.notes]
    return neutralize_commands("\n".join(out).rstrip()) + "\n"
