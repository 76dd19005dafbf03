"""`reviewbot pack`: the output formats and the JSON contract."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewbot.cli import main
from tests.helpers.gitrepo import GitRepo
from tests.pack.project import build


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def project(make_repo: Callable[..., GitRepo], monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    repo = build(make_repo)
    repo.write("package-lock.json", "{}\n")
    repo.commit("lockfile")
    monkeypatch.chdir(repo.path)
    return repo


def test_json_contract(capsys: pytest.CaptureFixture[str], project: GitRepo) -> None:
    code, out, err = run(capsys, "pack", "--base", "main", "--budget", "20000", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["budget"] == 20000 and 0 < data["used"] <= 20000
    files = data["files"]
    for entry in files:
        assert {"path", "tokens", "score", "reasons", "included", "chunks"} <= set(entry)
        assert isinstance(entry["reasons"], list) and isinstance(entry["chunks"], list)
    paths = [f["path"] for f in files]
    assert paths[0] == "pkg/core.py" and files[0]["included"]
    tracked = set(project.git("ls-files").split())
    excluded = {x["path"]: x["reason"] for x in data["excluded"]}
    assert excluded == {"package-lock.json": "lockfile"}
    assert set(paths) == tracked - set(excluded)  # every candidate, included or not
    assert len(paths) == len(set(paths))
    rounding = next(f for f in files if f["path"] == "pkg/rounding.py")
    assert rounding["included"] and any("imported by pkg/core.py" in r for r in rounding["reasons"])


def test_table_is_plain_and_deterministic(
    capsys: pytest.CaptureFixture[str], project: GitRepo
) -> None:
    code, first, _ = run(capsys, "pack", "--base", "main")
    _, second, _ = run(capsys, "pack", "--base", "main")
    assert code == 0 and first == second
    lines = first.splitlines()
    assert lines[0].startswith("change pack:") and "tokens used" in lines[0]
    assert lines[1].split() == ["rank", "path", "tokens", "in", "why"]
    assert lines[2].split()[:2] == ["1", "pkg/core.py"]
    assert "\x1b[" not in first


@pytest.mark.parametrize(
    ("fmt", "marker"),
    [("markdown", "### pkg/core.py"), ("xml", '<file path="pkg/core.py" role="changed">')],
)
def test_document_formats_write_the_context(
    capsys: pytest.CaptureFixture[str], project: GitRepo, tmp_path: Path, fmt: str, marker: str
) -> None:
    target = tmp_path / f"pack.{fmt}"
    code, out, err = run(capsys, "pack", "--base", "main", "--format", fmt, "-o", str(target))
    assert code == 0, err
    assert out == ""
    text = target.read_text()
    assert marker in text
    assert "round_half_even" in text
    assert text.rstrip().endswith("</context>" if fmt == "xml" else "```")


def test_all_mode(capsys: pytest.CaptureFixture[str], project: GitRepo) -> None:
    code, out, err = run(capsys, "pack", "--all", "--format", "json", "--budget", "5000")
    assert code == 0, err
    data = json.loads(out)
    assert data["mode"] == "all" and data["used"] <= 5000


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--base", "no-such-ref"], 3, "unknown ref 'no-such-ref'"),
        (["--base", "main", "--all"], 2, "--base and --all cannot be used together"),
    ],
)
def test_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], project: GitRepo, args: list[str], code: int, message: str
) -> None:
    got, _, err = run(capsys, "pack", *args)
    assert got == code
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_not_a_repository(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "pack")
    assert code == 3
    assert "not inside a git repository" in err and err.count("\n") == 1


def test_the_commit_messages_rank_what_they_name(
    capsys: pytest.CaptureFixture[str], project: GitRepo
) -> None:
    def files() -> list[dict]:  # type: ignore[type-arg]
        code, out, err = run(capsys, "pack", "--base", "main", "--format", "json")
        assert code == 0, err
        return json.loads(out)["files"]  # type: ignore[no-any-return]

    def rank_of(path: str, ranked: list[dict]) -> int:  # type: ignore[type-arg]
        return next(i for i, f in enumerate(ranked) if f["path"] == path)

    before = files()
    project.git("commit", "--allow-empty", "-m", "Totals\n\nThe greeting in unrelated.py too.")
    after = files()
    was, now = (
        ranked[rank_of("pkg/unrelated.py", ranked)]["reasons"] for ranked in (before, after)
    )
    assert "mentions #2: the description names unrelated" in now  # after docs/totals.md
    assert not any("description" in r for r in was)  # "round totals" named it not
    score_before, score_after = (
        ranked[rank_of("pkg/unrelated.py", ranked)]["score"] for ranked in (before, after)
    )
    assert score_after > score_before
    assert rank_of("pkg/unrelated.py", after) <= rank_of("pkg/unrelated.py", before)
