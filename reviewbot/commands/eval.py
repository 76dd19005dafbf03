"""`reviewbot eval`: build the instances, review them per configuration, write the scores."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.text import Text

from reviewbot.errors import EXIT_OK, UsageError
from reviewbot.eval.report import as_json, as_markdown
from reviewbot.eval.run import EvalJob, build_all, run_eval


@dataclass(frozen=True)
class EvalOutputs:
    json_path: Path
    markdown_path: Path
    build_only: bool = False
    quiet: bool = False


def run(job: EvalJob, outputs: EvalOutputs, *, out: Console, err: Console) -> int:
    if not job.instances.instances:
        raise UsageError("no instance selected", hint="check --only, --kind and --limit")

    def progress(line: str) -> None:
        if not outputs.quiet:
            err.print(Text(line), soft_wrap=True)

    if outputs.build_only:
        # Plain tab-separated rows for scripts (rich would expand the tabs).
        for one in build_all(job, progress):
            out.file.write(f"{one.instance.id}\t{one.root}\t{one.base}\t{one.head}\n")
        return EXIT_OK
    result = run_eval(job, progress)
    markdown = as_markdown(result)
    for path, text in ((outputs.json_path, as_json(result)), (outputs.markdown_path, markdown)):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror}") from exc
    out.print(Text(markdown), soft_wrap=True)
    progress(f"scores written to {outputs.json_path} and {outputs.markdown_path}")
    return EXIT_OK
