"""`reviewbot eval` end to end: the synthetic instances built as real repositories, each
reviewed by the real `reviewbot review` process against the loopback K2 server playing a
scripted reviewer, and scored. The scores are known in advance: an oracle scores F1 = 1,
a silent model 0, a noisy model exactly the precision its noise implies."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import git
import pytest

from reviewbot.eval.build import BuiltInstance, build_instance
from reviewbot.eval.instances import InstanceSet
from tests.eval.conftest import INSTANCES
from tests.fakes.k2_server import Fault, K2Server
from tests.fakes.review_models import ScriptedReviewer, plans
from tests.helpers.gitrepo import GitRepo
from tests.helpers.launch import model_env, reviewbot

API_KEY = "sk-eval-canary-5b1e"


@dataclass(frozen=True)
class Scored:
    code: int
    stdout: str
    stderr: str
    scores: dict[str, Any]


def built_instances(synthetic: InstanceSet, cache: Path) -> list[BuiltInstance]:
    """Built in-process exactly where `reviewbot eval --cache CACHE` builds (and reuses) them."""
    return [
        build_instance(synthetic, i, cache / "repos", cache / "work" / "instances")
        for i in synthetic.instances
    ]


def run_eval(
    cache: Path, server: K2Server, *args: str, env: dict[str, str] | None = None
) -> Scored:
    output = cache / "scores.json"
    extra = {"REVIEWBOT_MAX_RETRY_SECONDS": "2", **(env or {})}
    done = reviewbot(
        cache, "eval", str(INSTANCES), "--cache", str(cache), "-o", str(output), *args,
        env=model_env(server, api_key=API_KEY, **extra), timeout=600,
    )  # fmt: skip
    scores = json.loads(output.read_text()) if output.exists() else {}
    return Scored(done.code, done.stdout, done.stderr, scores)


def summaries(run: Scored) -> dict[str, dict[str, Any]]:
    return {c["name"]: c["summary"] for c in run.scores["configurations"]}


def scripted(
    k2_server: K2Server,
    synthetic: InstanceSet,
    cache: Path,
    model: str,
    refute: tuple[str, ...] = (),
) -> tuple[ScriptedReviewer, dict[str, Any]]:
    planned = plans(built_instances(synthetic, cache), model)
    reviewer = ScriptedReviewer(planned, refute=refute)
    k2_server.script(reviewer.turns())
    return reviewer, planned


def test_a_noisy_model_scores_the_precision_its_noise_implies(
    k2_server: K2Server, synthetic: InstanceSet, cache: Path
) -> None:
    reviewer, planned = scripted(k2_server, synthetic, cache, "noisy")
    noise = sum(1 for p in planned.values() for f in p if f.title == "Noise")
    assert noise >= 2  # on a defect and on the clean change

    run = run_eval(cache, k2_server, "--configs", "default")

    assert run.code == 0, run.stderr
    s = summaries(run)["default"]
    assert (s["defects"], s["found"], s["errors"]) == (3, 3, 0)
    assert s["findings"] == 3 + noise  # verification confirmed every finding: none dropped
    assert s["precision"] == pytest.approx(3 / (3 + noise))
    assert s["recall"] == 1.0
    assert s["f1"] == pytest.approx(2 * (3 / (3 + noise)) / (3 / (3 + noise) + 1))
    assert s["findings_per_clean"] == 1.0
    assert s["per_review"]["input_tokens"] > 0 and s["per_review"]["cost_usd"] > 0
    assert reviewer.unknown_heads == 0
    markdown = (cache / "scores.md").read_text()
    assert f"| default | 1.00 | {3 / (3 + noise):.2f} |" in markdown
    assert "best F1 0.60" in markdown and "precision ≥ 0.7" in markdown
    assert API_KEY not in run.stdout + run.stderr + json.dumps(run.scores)


def test_what_verification_refutes_is_counted_not_scored(
    k2_server: K2Server, synthetic: InstanceSet, cache: Path
) -> None:
    reviewer, planned = scripted(k2_server, synthetic, cache, "noisy", refute=("Noise",))
    noise = sum(1 for p in planned.values() for f in p if f.title == "Noise")

    run = run_eval(cache, k2_server, "--configs", "default")

    assert run.code == 0, run.stderr
    s = summaries(run)["default"]
    assert (s["findings"], s["refuted"], s["precision"], s["recall"]) == (3, noise, 1.0, 1.0)
    assert s["findings_per_clean"] == 0.0
    assert reviewer.unknown_heads == 0
    assert f"| default | 1.00 | 1.00 | 1.00 | 0.00 | 3/3 | 3/3 | {noise} | 0 |" in run.stdout


@pytest.mark.slow
def test_an_oracle_scores_f1_one_in_every_configuration(
    k2_server: K2Server, synthetic: InstanceSet, cache: Path
) -> None:
    reviewer, _ = scripted(k2_server, synthetic, cache, "oracle")

    run = run_eval(cache, k2_server, "--configs", "default,no-verify,budget-64k")

    assert run.code == 0, run.stderr
    for name, s in summaries(run).items():
        assert (s["recall"], s["precision"], s["f1"]) == (1.0, 1.0, 1.0), name
        assert s["findings_per_clean"] == 0.0
    assert reviewer.unknown_heads == 0
    s = summaries(run)
    # Each configuration's flags reach its reviews: verifying costs turns, so the reviews
    # that verify send more input than those run with --no-verify.
    verified = s["default"]["per_review"]["input_tokens"]
    assert verified > s["no-verify"]["per_review"]["input_tokens"]
    assert s["budget-64k"]["per_review"]["input_tokens"] == pytest.approx(verified, rel=0.05)
    flags = {c["name"]: c["flags"] for c in run.scores["configurations"]}
    assert flags == {
        "default": [],
        "no-verify": ["--no-verify"],
        "budget-64k": ["--budget", "64000"],
    }
    assert "| no-verify | 1.00 | 1.00 | 1.00 |" in run.stdout


@pytest.mark.slow
def test_a_silent_model_scores_zero(
    k2_server: K2Server, synthetic: InstanceSet, cache: Path
) -> None:
    scripted(k2_server, synthetic, cache, "silent")

    run = run_eval(cache, k2_server, "--configs", "no-verify")

    assert run.code == 0, run.stderr
    s = summaries(run)["no-verify"]
    assert (s["recall"], s["precision"], s["f1"], s["findings"]) == (0.0, None, 0.0, 0)
    assert "| no-verify | 0.00 | – | 0.00 |" in run.stdout


def test_a_review_that_fails_counts_as_missed_and_says_why(
    k2_server: K2Server, synthetic: InstanceSet, cache: Path
) -> None:
    scripted(k2_server, synthetic, cache, "oracle")
    k2_server.inject(Fault.unauthorized())

    run = run_eval(cache, k2_server, "--configs", "no-verify", "--only", "synthetic-revert-reserve")

    assert run.code == 0, run.stderr
    (config,) = run.scores["configurations"]
    (score,) = config["instances"]
    assert score["found"] is False and "401" in score["error"]
    assert config["summary"]["errors"] == 1
    assert "failed" in run.stderr


def test_a_reviewed_package_does_not_shadow_reviewbot_s_own_imports(
    k2_server: K2Server, synthetic: InstanceSet, cache: Path
) -> None:
    """Reviewing httpx's own history once failed: its httpx/ package, in the instance folder
    where each review runs, was imported instead of the installed httpx."""
    scripted(k2_server, synthetic, cache, "oracle")
    root = cache / "work" / "instances" / "synthetic-mutation-negated"
    for name in ("httpx", "click"):
        (root / name).mkdir()
        (root / name / "__init__.py").write_text("raise SystemExit('the project shadowed me')\n")

    run = run_eval(
        cache, k2_server, "--configs", "no-verify", "--only", "synthetic-mutation-negated"
    )

    assert run.code == 0, run.stderr
    (config,) = run.scores["configurations"]
    assert config["instances"][0]["error"] is None
    assert config["summary"]["f1"] == 1.0


def test_build_only_needs_no_key_and_says_where_each_instance_is(cache: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEWBOT_")}
    done = reviewbot(
        cache, "eval", str(INSTANCES), "--cache", str(cache), "--build-only", "--kind", "clean",
        env=env,
    )  # fmt: skip
    assert done.code == 0, done.stderr
    (row,) = done.stdout.splitlines()
    ident, root, base, head = row.split("\t")
    assert ident == "synthetic-clean-docs"
    assert Path(root) == cache / "work" / "instances" / ident
    branches = GitRepo(Path(root), git.Repo(root)).repo.git.rev_parse("base", "change")
    assert branches.split() == [base, head]
    assert "built synthetic-clean-docs" in done.stderr


def test_eval_without_a_key_stops_before_building(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEWBOT_")}
    done = reviewbot(tmp_path, "eval", str(INSTANCES), "--cache", str(tmp_path), env=env)
    assert done.code == 2
    assert done.stderr.count("\n") == 1 and "no API key" in done.stderr
    assert not (tmp_path / "work").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--configs", "fast"], "no configuration 'fast'"),
        (["--only", "nope"], "no instance 'nope'"),
    ],
)
def test_eval_usage_errors_are_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    env = model_env(None, REVIEWBOT_BASE_URL="http://127.0.0.1:9/v1")
    done = reviewbot(tmp_path, "eval", str(INSTANCES), "--cache", str(tmp_path), *args, env=env)
    assert done.code == 2
    assert done.stderr.count("\n") == 1 and message in done.stderr
