"""Each ranking signal on a small real repository, and their fusion."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace

import pytest

from reviewbot.pack import signals as sig
from reviewbot.pack.imports import PathIndex
from reviewbot.pack.packer import PackOptions, rank_change
from reviewbot.pack.query import DESCRIPTION_CHARS, Query, described_terms
from reviewbot.pack.rank import fuse
from reviewbot.pack.scan import ScanResult, scan
from tests.helpers.gitrepo import GitRepo
from tests.pack.project import build, change_of


@pytest.fixture
def ranked(make_repo: Callable[..., GitRepo]) -> tuple[list, dict]:  # type: ignore[type-arg]
    repo = build(make_repo)
    view, change = change_of(repo.path)
    options = PackOptions(budget=50_000)
    result, _cands, _query, _scan, signals = rank_change(view, change, options)
    return result, signals


def top(signal: sig.Signal) -> list[str]:
    return sig.as_ranking(signal)


def test_references_imports_both_ways_and_symbols(ranked: tuple[list, dict]) -> None:  # type: ignore[type-arg]
    _, signals = ranked
    links, names = signals["imports"], signals["symbols"]
    assert "imported by pkg/core.py" in links["pkg/util.py"].reason
    assert "imported by pkg/core.py" in links["pkg/rounding.py"].reason
    assert "imports pkg/core.py" in links["pkg/api.py"].reason
    assert "defines round_half_even" in names["pkg/rounding.py"].reason
    assert "uses compute_total" in names["pkg/api.py"].reason
    for unrelated in ("pkg/unrelated.py", "zzz/far/away.py"):
        assert unrelated not in links and unrelated not in names


def test_lexical_bm25_prefers_files_sharing_rare_identifiers(ranked: tuple[list, dict]) -> None:  # type: ignore[type-arg]
    _, signals = ranked
    lex = signals["lexical"]
    assert top(lex)[0] in ("docs/totals.md", "pkg/rounding.py")
    assert "round_half_even" in lex["docs/totals.md"].reason
    assert "pkg/unrelated.py" not in lex


def test_cochange_from_history(ranked: tuple[list, dict]) -> None:  # type: ignore[type-arg]
    _, signals = ranked
    co = signals["cochange"]
    assert top(co)[0] == "CHANGELOG.txt"
    assert "4 commit(s)" in co["CHANGELOG.txt"].reason  # 3 + the initial one


def test_cochange_ignores_bulk_commits_and_decays() -> None:
    bulk = sig.Commit("b" * 40, "", (*(f"f{i}" for i in range(60)), "a.py"))
    small = sig.Commit("c" * 40, "", ("a.py", "b.py"))
    old = sig.Commit("d" * 40, "", ("a.py", "c.py"))
    scores = sig.cochange([bulk, small, *([sig.Commit("e" * 40, "", ("x",))] * 300), old], ["a.py"])
    assert "f1" not in scores
    assert scores["b.py"].score > scores["c.py"].score > 0


def test_tests_signal_finds_tests_of_changed_modules(ranked: tuple[list, dict]) -> None:  # type: ignore[type-arg]
    _, signals = ranked
    assert signals["tests"]["tests/test_core.py"].reason == "tests pkg/core.py"


@pytest.mark.parametrize(
    ("changed", "paths", "expected"),
    [
        ("svc/handler.go", ["svc/handler_test.go", "svc/other_test.go"], "svc/handler_test.go"),
        ("src/button.ts", ["src/button.test.ts", "src/other.test.ts"], "src/button.test.ts"),
        (
            "src/main/java/a/Foo.java",
            ["src/test/java/a/FooTest.java"],
            "src/test/java/a/FooTest.java",
        ),
        (
            "lib/parse.py",
            ["tests/lib/test_parse.py", "tests/test_other.py"],
            "tests/lib/test_parse.py",
        ),
    ],
)
def test_tests_naming_conventions(changed: str, paths: list[str], expected: str) -> None:
    found = sig.tests([changed], paths)
    assert top(found)[0] == expected


def test_js_tests_and_specs_both_count() -> None:
    found = sig.tests(["src/button.ts"], ["src/button.test.ts", "src/button.spec.tsx", "src/b.ts"])
    assert set(found) == {"src/button.test.ts", "src/button.spec.tsx"}


def test_changed_test_points_at_its_module() -> None:
    found = sig.tests(["tests/test_parse.py"], ["lib/parse.py", "lib/other.py"])
    assert found["lib/parse.py"].reason == "module under test of tests/test_parse.py"


def test_guidance_files(ranked: tuple[list, dict]) -> None:  # type: ignore[type-arg]
    _, signals = ranked
    assert list(signals["guidance"]) == ["AGENTS.md"]
    nested = sig.guidance(
        ["AGENTS.md", "web/CLAUDE.md", ".github/copilot-instructions.md"], ["web/app/x.ts"]
    )
    assert set(nested) == {"AGENTS.md", "web/CLAUDE.md", ".github/copilot-instructions.md"}


def test_fusion_ranks_related_files_above_unrelated(ranked: tuple[list, dict]) -> None:  # type: ignore[type-arg]
    result, _ = ranked
    order = [r.path for r in result]
    assert "pkg/core.py" not in order  # the changed file is packed separately
    for related in ("pkg/rounding.py", "pkg/util.py", "pkg/api.py", "tests/test_core.py"):
        assert order.index(related) < order.index("pkg/unrelated.py")
    assert "zzz/far/away.py" not in order[:6]
    first = result[0]
    assert first.reasons and all(":" in reason for reason in first.reasons)


def test_fusion_is_deterministic_with_stable_ties() -> None:
    a = {"x": sig.Evidence(1.0, "r"), "b": sig.Evidence(1.0, "r"), "a": sig.Evidence(1.0, "r")}
    once = fuse({"s": a})
    assert [r.path for r in once] == ["a", "b", "x"]
    assert fuse({"s": dict(reversed(list(a.items())))}) == once


def test_c_includes_are_references(make_repo: Callable[..., GitRepo]) -> None:
    repo = make_repo("c")
    repo.write("include/linux/widget.h", "int widget_count(void);\n")
    repo.write("kernel/widget.c", '#include <linux/widget.h>\n#include "local.h"\nint x;\n')
    repo.write("kernel/local.h", "#define LOCAL 1\n")
    repo.write(
        "kernel/user.c", "#include <linux/widget.h>\nint y(void) { return widget_count(); }\n"
    )
    repo.commit("initial")
    repo.branch("feature")
    repo.write("kernel/widget.c", '#include <linux/widget.h>\n#include "local.h"\nint x = 2;\n')
    repo.commit("change")
    view, change = change_of(repo.path)
    options = PackOptions(budget=10_000)
    _, _, _, _, signals = rank_change(view, change, options)
    refs = signals["imports"]
    assert "imported by kernel/widget.c" in refs["include/linux/widget.h"].reason
    assert "imported by kernel/widget.c" in refs["kernel/local.h"].reason


def test_the_description_shares_words_with_files_and_names_them(
    make_repo: Callable[..., GitRepo],
) -> None:
    repo = build(make_repo)
    view, change = change_of(repo.path)
    said = replace(change, description="Round totals; greet users as away.py does.")
    _, _, _, _, signals = rank_change(view, said, PackOptions(budget=50_000))
    words, named = signals["description"], signals["mentions"]
    assert words["pkg/unrelated.py"].reason == "shares words with the description: greet"
    assert named == {
        "zzz/far/away.py": sig.Evidence(1.0, "the description names away"),
        "docs/totals.md": sig.Evidence(1.0, "the description names totals"),
    }
    assert "pkg/unrelated.py" not in signals["lexical"]  # the diff's BM25 stays the diff's
    _, _, _, _, silent = rank_change(view, change, PackOptions(budget=50_000))
    assert silent["description"] == silent["mentions"] == {}


def _described(text: str, changed: str, terms: dict[bytes, float] | None = None) -> Query:
    return Query(
        changed=frozenset({changed}),
        terms=terms or {},
        changed_symbols=frozenset(),
        used_symbols=frozenset(),
        forward={},
        mates={},
        needles={},
        described=described_terms(text),
    )


def test_a_named_file_shares_its_name_and_entry_points_are_never_named() -> None:
    query = _described(
        "Client: retry in __init__, main.py, index.ts and Utils too", "src/client.py"
    )
    paths = [
        "src/client.py",
        "web/Client.test.ts",
        "docs/client.md",
        "src/utils.py",
        "pkg/__init__.py",
        "main.py",
        "web/index.ts",
        "src/retrying.py",
    ]
    assert sig.mentions(query, paths) == {
        "web/Client.test.ts": sig.Evidence(0.5, "the description names client"),
        "docs/client.md": sig.Evidence(0.5, "the description names client"),
        "src/utils.py": sig.Evidence(1.0, "the description names utils"),
    }


def test_only_the_start_of_a_long_description_counts() -> None:
    pasted = "Fix the ledger.\n" + "log line\n" * (DESCRIPTION_CHARS // 9) + "rounding"
    assert b"ledger" in described_terms(pasted)
    assert b"rounding" not in described_terms(pasted)
    assert b"rounding" in described_terms("rounding")


def _scanned(query: Query, files: dict[str, str]) -> ScanResult:
    return scan(((p, t.encode()) for p, t in files.items()), query, PathIndex(files))


def test_a_description_word_is_found_once_per_file_and_the_diffs_are_counted() -> None:
    query = _described("the ledger balances", "src/app.py", terms={b"balance": 1.0})
    result = _scanned(query, {"src/book.py": "ledger ledger ledger balance balance\n"})
    assert result.evidence["src/book.py"].tf == {b"ledger": 1, b"balance": 2}


def test_a_word_in_many_files_describes_none_of_them() -> None:
    files = {f"pkg/m{i}.py": "x = 1\n" for i in range(20)}
    files |= {f"pkg/m{i}.py": "common = 1\n" for i in range(3)}  # 3 of 21: over 5 %, over 2
    files |= {f"pkg/m{i}.py": "common = rare = 1\n" for i in range(3, 5)}  # rare: 2 of 21
    files["src/app.py"] = "x = 2\n"
    query = _described("common rare", "src/app.py")
    found = sig.description(query, _scanned(query, files))
    assert set(found) == {"pkg/m3.py", "pkg/m4.py"}
    assert all(e.reason == "shares words with the description: rare" for e in found.values())
    assert set(sig.description(query, _scanned(query, files), limit=1)) == {"pkg/m3.py"}


_SCORES_OF_ONE_PROCESS = r"""
import random
from reviewbot.pack import signals as sig
from reviewbot.pack.imports import PathIndex
from reviewbot.pack.query import Query
from reviewbot.pack.scan import scan

rng = random.Random(3)
names = [f"name{i}" for i in range(40)]
helpers = [f"helper{i}" for i in range(40)]  # used by the change, defined elsewhere
query = Query(
    changed=frozenset({"src/app.py"}),
    terms={n.encode(): rng.uniform(0.1, 3.0) for n in names + helpers},
    changed_symbols=frozenset(names),
    used_symbols=frozenset(helpers),
    forward={},
    mates={},
    needles={},
    described={f"word{i}".encode(): 1.0 for i in range(40)},
)
files = {
    f"pkg/m{f}.py": " ".join(rng.choice(names) for _ in range(200))
    + " " + " ".join(f"word{rng.randrange(40)}" for _ in range(30))
    + "\n" + "".join(f"def {rng.choice(helpers)}():\n    pass\n" for _ in range(20))
    for f in range(60)
}
files |= {f"pkg/filler{f}.py": "x = 1" for f in range(1200)}  # the words stay rare
result = scan(((p, t.encode()) for p, t in files.items()), query, PathIndex(files))
for name in ("lexical", "description", "symbols"):
    signal = getattr(sig, name)(query, result)
    print(name, sorted((p, e.score.hex()) for p, e in signal.items()))
"""


def test_scores_are_the_same_in_every_process() -> None:
    """Sets iterate in an order salted per process (PYTHONHASHSEED): a score summed in set
    order differed in its last bits between two runs over the same change, enough to swap
    two files whose evidence ties, and so the prompt a second review of the same head
    would send."""
    runs = {
        subprocess.run(
            [sys.executable, "-c", _SCORES_OF_ONE_PROCESS],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(4)
    }
    assert len(runs) == 1
    assert "pkg/m0.py" in runs.pop()
