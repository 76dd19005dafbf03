"""What a ``reviewbot github`` run tells the workflow: step summary and step outputs.

Outputs (always all of them, so later steps can rely on them): ``findings`` (what this run
found), ``new-findings`` (what it posted), ``highest-severity`` (of the open findings on
the pull request, ``none`` when there are none), ``cost-usd``, ``review-url``, ``skipped``
(the reason, or empty). The step summary is Markdown: one short section per run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reviewbot.github.actions_io import append_summary, write_outputs
from reviewbot.github.body import Style, where
from reviewbot.github.review import Published
from reviewbot.review.findings import Finding, severity_rank
from reviewbot.review.result import RunStats
from reviewbot.review.sanitize import code_span

TABLE_ROWS = 50
OUTPUTS = ("findings", "new-findings", "highest-severity", "cost-usd", "review-url", "skipped")


@dataclass
class Report:
    """Collects what happened and writes it to the runner's files once."""

    summary_path: Path | None
    output_path: Path | None
    style: Style = field(default_factory=Style)
    written: bool = False

    def _write(self, markdown: str, outputs: dict[str, str]) -> None:
        if self.written:
            return
        self.written = True
        defaults = dict.fromkeys(OUTPUTS, "") | {"findings": "0", "new-findings": "0"}
        values = defaults | {"highest-severity": "none", "cost-usd": "0"} | outputs
        write_outputs(self.output_path, values)
        append_summary(self.summary_path, "### reviewbot\n\n" + markdown.strip() + "\n")

    def skipped(self, reason: str) -> None:
        self._write(f"Skipped: {self.style.prose(reason)}.", {"skipped": reason})

    def already_reviewed(self, head: str, url: str, highest: str) -> None:
        link = f" ([review]({url}))" if url else ""
        text = f"`{head[:12]}` was reviewed already{link}; nothing new was posted."
        self._write(text, {"review-url": url, "highest-severity": highest or "none"})

    def nothing_to_review(self, since: str) -> None:
        self._write(
            f"No change to the pull request's files since `{since[:12]}`; nothing was reviewed.",
            {"skipped": "no changes since the last review"},
        )

    def published(
        self,
        *,
        number: int,
        head: str,
        since: str,
        found: Sequence[Finding],
        done: Published,
        stats: RunStats,
        dry_run: bool = False,
    ) -> None:
        """A review posted (or, with ``dry_run``, shown): ``found`` is what this run found,
        ``done`` what publishing made of it."""
        scope = f"changes since `{since[:12]}`" if since else "the whole pull request"
        lines = [
            "**Dry run: nothing was posted.** "
            * dry_run
            + f"Reviewed #{number} at `{head[:12]}` ({scope}): {len(found)} finding(s); "
            f"{len(done.inline)} posted inline, {len(done.in_body)} in the review body, "
            f"{done.repeated} already posted earlier; {done.resolved} outdated thread(s) "
            "resolved.",
        ]
        if done.review_url:
            lines.append(f"[Open the review]({done.review_url})")
        if found:
            lines += ["", "| severity | where | finding |", "|---|---|---|"]
            ordered = sorted(found, key=lambda f: (-severity_rank(f.severity), f.path, f.line))
            for f in ordered[:TABLE_ROWS]:
                title = self.style.prose(" ".join(f.title.split()).replace("|", "\\|"))
                lines.append(f"| {f.severity} | {code_span(where(f), in_table=True)} | {title} |")
            if len(found) > TABLE_ROWS:
                lines.append(f"\n… and {len(found) - TABLE_ROWS} more")
        lines += [
            "",
            f"{stats.steps} steps · {stats.tool_calls} tool calls · {stats.input_tokens:,} input "
            f"tokens ({stats.cached_share:.0%} cached) · {stats.output_tokens:,} output · "
            f"${stats.cost_usd:.4f} · {stats.seconds:.0f} s",
        ]
        self._write(
            "\n".join(lines),
            {
                "findings": str(len(found)),
                "new-findings": str(len(done.inline) + len(done.in_body)),
                "highest-severity": done.highest or "none",
                "cost-usd": f"{stats.cost_usd:.4f}",
                "review-url": done.review_url,
            },
        )

    def conversed(self, markdown: str, *, cost: float = 0.0, url: str = "") -> None:
        """An answer posted, or learnings learnt: ``markdown`` says what."""
        self._write(markdown, {"cost-usd": f"{cost:.4f}", "review-url": url})

    def failed(self, message: str, *, cause: str = "") -> None:
        """``cause``: "model" (nothing was posted), "github" (maybe part), else a setup error."""
        why = {
            "model": "The model could not finish the review, so no review was posted "
            "(reviewbot never posts half a review).",
            "github": "GitHub failed while reviewbot read or posted; a re-run posts what is "
            "missing, exactly once.",
        }.get(cause, "Nothing was reviewed or posted.")
        self._write(f"**Failed:** {self.style.prose(message)}\n\n{why}", {})
