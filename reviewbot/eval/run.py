"""Run the benchmark: build each instance, review it once per configuration with the real
`reviewbot review` process (the same path a user takes), and score the JSON it writes.

The review runs with the caller's environment and model flags, so any endpoint and key
that `reviewbot review` accepts works here; this module reads neither flags nor the
environment itself.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reviewbot.errors import RepositoryError
from reviewbot.eval.build import BuiltInstance, build_instance, problems
from reviewbot.eval.configs import Configuration
from reviewbot.eval.instances import InstanceSet
from reviewbot.eval.score import (
    STAT_KEYS,
    InstanceScore,
    Reported,
    ReviewOutcome,
    Summary,
    score_instance,
    summarize,
)

REVIEW_TIMEOUT = 3 * 3600  # seconds; the review's own max_seconds normally stops it first


@dataclass(frozen=True)
class EvalJob:
    instances: InstanceSet
    cache: Path  # per-repository object caches (owner+name.git)
    workdir: Path  # built instances and each review's output
    configurations: tuple[Configuration, ...]
    review_flags: tuple[str, ...] = ()  # model flags passed to every `reviewbot review`
    environ: Mapping[str, str] = field(default_factory=dict, repr=False)
    timeout: float = REVIEW_TIMEOUT


@dataclass(frozen=True)
class ConfigurationResult:
    configuration: Configuration
    scores: tuple[InstanceScore, ...]
    summary: Summary


@dataclass(frozen=True)
class EvalResult:
    name: str
    model: str
    results: tuple[ConfigurationResult, ...]


Progress = Callable[[str], None]


def build_all(job: EvalJob, progress: Progress | None = None) -> list[BuiltInstance]:
    """Every selected instance built and checked; bad data stops the run before any review."""
    built = []
    total = len(job.instances.instances)
    for number, instance in enumerate(job.instances.instances, start=1):
        one = build_instance(job.instances, instance, job.cache, job.workdir / "instances")
        wrong = problems(one)
        if wrong:
            raise RepositoryError(f"instance {instance.id}: {wrong[0]}")
        if progress:
            progress(f"[{number}/{total}] built {instance.id} ({one.base[:8]}..{one.head[:8]})")
        built.append(one)
    return built


def run_eval(job: EvalJob, progress: Progress | None = None) -> EvalResult:
    built = build_all(job, progress)
    results = []
    model = ""
    for config in job.configurations:
        scores = []
        for number, one in enumerate(built, start=1):
            outcome = review(one, config, job)
            model = model or outcome.model
            score = score_instance(one.instance, outcome)
            scores.append(score)
            if progress:
                progress(f"[{config.name} {number}/{len(built)}] {describe(score)}")
        results.append(ConfigurationResult(config, tuple(scores), summarize(scores)))
    return EvalResult(job.instances.name, model, tuple(results))


def review(one: BuiltInstance, config: Configuration, job: EvalJob) -> ReviewOutcome:
    """One `reviewbot review` of the instance's change; its JSON output is kept."""
    folder = job.workdir / "reviews" / config.name
    folder.mkdir(parents=True, exist_ok=True)
    output = folder / f"{one.instance.id}.json"
    output.unlink(missing_ok=True)
    # -P: the instance folder (the cwd) is not put on sys.path, or a package of the
    # reviewed project (httpx, click ...) would shadow reviewbot's own dependency.
    argv = [
        sys.executable, "-P", "-m", "reviewbot", "review",
        "--base", one.base, "--head", one.head,
        "--format", "json", "-o", str(output),
        "--fail-on", "none", "--yes", "--quiet",
        "--transcript", str(folder / f"{one.instance.id}.transcript.jsonl"),
        *config.flags(), *job.review_flags,
    ]  # fmt: skip
    started = time.monotonic()
    try:
        done = subprocess.run(
            argv,
            cwd=one.root,
            env=dict(job.environ),
            capture_output=True,
            text=True,
            timeout=job.timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return ReviewOutcome(
            one.instance.id, wall_seconds=job.timeout, error=f"timed out after {job.timeout:.0f} s"
        )
    wall = time.monotonic() - started
    (folder / f"{one.instance.id}.stderr.txt").write_text(done.stderr, encoding="utf-8")
    if done.returncode != 0 or not output.exists():
        last = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        return ReviewOutcome(one.instance.id, wall_seconds=wall, error=last[:300])
    return outcome_from_json(one.instance.id, json.loads(output.read_text("utf-8")), wall)


def outcome_from_json(instance: str, data: Mapping[str, object], wall: float) -> ReviewOutcome:
    raw_findings = data.get("findings") or []
    raw_stats = data.get("stats") or {}
    verification = data.get("verification") or {}
    assert isinstance(raw_findings, list) and isinstance(raw_stats, dict)
    assert isinstance(verification, dict)
    stats = {k: float(raw_stats.get(k) or 0) for k in STAT_KEYS}
    return ReviewOutcome(
        instance=instance,
        findings=tuple(Reported.from_json(f) for f in raw_findings),
        stats=stats,
        wall_seconds=wall,
        model=str(raw_stats.get("model") or ""),
        refuted=len(verification.get("refuted") or ()),
    )


def describe(score: InstanceScore) -> str:
    if score.error:
        return f"{score.instance}: failed: {score.error}"
    verdict = "clean" if score.found is None else ("found" if score.found else "missed")
    return (
        f"{score.instance}: {verdict}, {score.findings} finding(s), {score.true_findings} on "
        f"the defect; {score.stats.get('seconds', 0):.1f} s, ${score.stats.get('cost_usd', 0):.4f}"
    )
