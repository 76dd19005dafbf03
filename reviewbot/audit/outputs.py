"""An audit's result in its three file formats, read back, and shard outputs merged.

JSON is exactly the output contract (``{"summary", "findings", "stats"}``). SARIF 2.1.0
(``publish/sarif.py``) carries the rest in standard places: ``automationDetails.id``
(``reviewbot/audit/<date>``, or ``reviewbot/audit/shard-I-of-N/<date>`` for a shard: the
part before the last ``/`` is the code-scanning category), ``versionControlProvenance``
(the audited commit, when the repository URL is known) and ``run.properties.audit`` (the
commit, the shard, the units and the files whose findings the output covers). Each result
names its unit in ``properties.unit``. So a SARIF output is also the state an incremental
audit or a merge starts from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reviewbot.errors import UsageError
from reviewbot.publish.sarif import to_sarif
from reviewbot.review.findings import SEVERITIES, Finding, order, severity_rank
from reviewbot.review.result import ReviewResult, RunStats, count_by_severity

_FROM_LEVEL = {"error": "major", "warning": "minor", "note": "nit"}


@dataclass(frozen=True)
class AuditResult:
    """A whole (or sharded, or merged) audit: the result plus what it covers."""

    result: ReviewResult
    head: str = ""
    repository: str = ""
    date: str = ""  # YYYY-MM-DD (UTC)
    shard: str | None = None  # "I/N"
    units: Mapping[str, str] = field(default_factory=dict)  # path -> unit label
    covered: frozenset[str] | None = None  # files whose findings are known (None: all)
    repository_url: str = ""  # https://github.com/owner/name, when known
    units_run: int = 0
    units_total: int = 0

    @property
    def automation_id(self) -> str:
        slug = f"shard-{self.shard.replace('/', '-of-')}/" if self.shard else ""
        return f"reviewbot/audit/{slug}{self.date or 'undated'}"


def render_sarif(audit: AuditResult) -> str:
    data = to_sarif(audit.result, automation_id=audit.automation_id)
    run = data["runs"][0]
    if audit.repository_url and audit.head:
        run["versionControlProvenance"] = [
            {"repositoryUri": audit.repository_url, "revisionId": audit.head}
        ]
    run["properties"]["audit"] = {
        "head": audit.head,
        "repository": audit.repository,
        "date": audit.date,
        "shard": audit.shard,
        "units_run": audit.units_run,
        "units_total": audit.units_total,
        "covered": None if audit.covered is None else sorted(audit.covered),
        "notes": list(audit.result.notes),
    }
    for result, finding in zip(run["results"], audit.result.findings, strict=True):
        unit = audit.units.get(finding.path)
        if unit:
            result["properties"]["unit"] = unit
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# Reading outputs back -----------------------------------------------------------------


def read_output(path: Path) -> AuditResult:
    """An audit output (JSON or SARIF, told apart by content) as an ``AuditResult``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path} is not JSON ({exc.msg} at line {exc.lineno})") from exc
    if isinstance(data, dict) and data.get("version") == "2.1.0" and "runs" in data:
        return _from_sarif(data, path)
    if isinstance(data, dict) and isinstance(data.get("findings"), list):
        try:
            return AuditResult(ReviewResult.from_json(data))
        except (KeyError, TypeError, ValueError) as exc:
            raise UsageError(f"{path}: a finding lacks a field ({exc})") from exc
    raise UsageError(
        f"{path} is neither a reviewbot JSON output nor SARIF",
        hint="pass files written by `reviewbot audit --format json|sarif`",
    )


def _from_sarif(data: dict[str, Any], path: Path) -> AuditResult:
    runs = data.get("runs") or []
    if len(runs) != 1 or not isinstance(runs[0], dict):
        raise UsageError(f"{path}: expected one SARIF run, found {len(runs)}")
    run = runs[0]
    props = run.get("properties") or {}
    meta = props.get("audit") or {}
    findings: list[Finding] = []
    units: dict[str, str] = {}
    for item in run.get("results") or []:
        try:
            finding = _finding(item)
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise UsageError(f"{path}: a result lacks a location or message ({exc})") from exc
        findings.append(finding)
        unit = (item.get("properties") or {}).get("unit")
        if isinstance(unit, str):
            units[finding.path] = unit
    provenance = run.get("versionControlProvenance") or [{}]
    covered = meta.get("covered")
    return AuditResult(
        result=ReviewResult(
            summary=str(props.get("summary", "")),
            findings=tuple(findings),
            stats=RunStats.from_json(props.get("stats") or {}),
            notes=tuple(str(n) for n in meta.get("notes") or ()),
        ),
        head=str(meta.get("head") or provenance[0].get("revisionId") or ""),
        repository=str(meta.get("repository") or ""),
        date=str(meta.get("date") or ""),
        shard=meta.get("shard"),
        units=units,
        covered=None if covered is None else frozenset(str(p) for p in covered),
        repository_url=str(provenance[0].get("repositoryUri") or ""),
        units_run=int(meta.get("units_run") or 0),
        units_total=int(meta.get("units_total") or 0),
    )


def _finding(item: dict[str, Any]) -> Finding:
    location = item["locations"][0]["physicalLocation"]
    region = location.get("region") or {}
    props = item.get("properties") or {}
    severity = props.get("severity")
    if severity not in SEVERITIES:
        severity = _FROM_LEVEL.get(str(item.get("level", "warning")), "minor")
    message = str(item["message"]["text"])
    title = str(props.get("title") or message.split("\n", 1)[0])
    body = message[len(title) :].strip() if message.startswith(title) else message
    mark = str((item.get("partialFingerprints") or {}).get("primaryLocationLineHash", ""))
    fingerprint = mark.rsplit(":", 1)[0] if ":" in mark else mark
    suggestion = None
    for fix in item.get("fixes") or ():
        for change in fix.get("artifactChanges") or ():
            for replacement in change.get("replacements") or ():
                inserted = replacement.get("insertedContent") or {}
                if "text" in inserted:
                    suggestion = str(inserted["text"])
    start = int(region.get("startLine", 1))
    end = region.get("endLine")
    return Finding.from_json(
        {
            "path": location["artifactLocation"]["uri"],
            "line": start,
            "end_line": int(end) if end is not None and int(end) != start else None,
            "side": "RIGHT",
            "severity": severity,
            "title": title,
            "body": body,
            "suggestion": suggestion,
            "fingerprint": "" if fingerprint == "none" else fingerprint,
        }
    )


# Merging ------------------------------------------------------------------------------


def merge_results(parts: Sequence[AuditResult], *, date: str) -> AuditResult:
    """One audit from shard outputs: findings deduplicated by fingerprint (the most severe
    copy kept), stats summed, coverage united."""
    best: dict[str, Finding] = {}
    loose: list[Finding] = []
    for part in parts:
        for f in part.result.findings:
            if not f.fingerprint:
                loose.append(f)
                continue
            seen = best.get(f.fingerprint)
            if seen is None or severity_rank(f.severity) > severity_rank(seen.severity):
                best[f.fingerprint] = f
    findings = tuple(order([*best.values(), *loose]))
    stats = RunStats()
    for part in parts:
        stats = stats + part.result.stats
    heads = {p.head for p in parts if p.head}
    units: dict[str, str] = {}
    for part in parts:
        units.update(part.units)
    covered: frozenset[str] | None = frozenset()
    for part in parts:
        if covered is not None:
            covered = None if part.covered is None else covered | part.covered
    counts = count_by_severity(findings)
    shown = ", ".join(f"{n} {name}" for name, n in counts.items() if n) or "none"
    head = next(iter(heads)) if len(heads) == 1 else ""
    headline = (
        f"Merged {len(parts)} audit output(s)"
        + (f" of commit {head[:12]}" if head else "")
        + f": {len(findings)} finding(s) ({shown})."
    )
    summaries = [p.result.summary.strip() for p in parts if p.result.summary.strip()]
    notes = [n for p in parts for n in p.result.notes]
    if len(heads) > 1:
        notes.append(f"the outputs audited different commits: {', '.join(sorted(heads))}")
    merged = ReviewResult(
        summary="\n\n".join([headline, *summaries]),
        findings=findings,
        stats=stats,
        notes=tuple(notes),
    )
    first = parts[0] if parts else AuditResult(merged)
    return replace(
        first,
        result=merged,
        head=head,
        date=date,
        shard=None,
        units=units,
        covered=covered,
        units_run=sum(p.units_run for p in parts),
        units_total=max((p.units_total for p in parts), default=0),
    )
