"""Budget filling: never over budget, chunking of huge files, outlines, determinism."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reviewbot.config import Settings
from reviewbot.pack.chunk import select
from reviewbot.pack.fill import FillInput, fill
from reviewbot.pack.model import ContextPack
from reviewbot.pack.packer import PackOptions, pack_all, pack_change
from reviewbot.pack.rank import Ranked
from reviewbot.pack.tokens import TokenCounter
from tests.helpers.gitrepo import GitRepo
from tests.pack.project import build, change_of

COUNTER = TokenCounter()


def _source(files: dict[str, bytes]) -> Callable[[Sequence[str]], Iterator[tuple[str, bytes]]]:
    def read(paths: Sequence[str]) -> Iterator[tuple[str, bytes]]:
        for p in paths:
            yield p, files[p]

    return read


def _huge_python(functions: int = 400) -> bytes:
    parts = ['"""A huge module."""\n\nimport os\n\n']
    for i in range(functions):
        parts.append(
            f"\ndef func_{i}(x):\n"
            + "".join(f"    x = x + {j}  # step {j} of func_{i}\n" for j in range(12))
            + "    return x\n"
        )
    return "".join(parts).encode()


def test_huge_file_is_chunked_at_function_boundaries() -> None:
    data = _huge_python()
    lines = data.decode().splitlines()
    target = lines.index("def func_250(x):") + 1  # 1-based line of func_250
    chunks = select(
        "big.py",
        data,
        cap_tokens=2000,
        count=COUNTER.count,
        focus_lines=frozenset({target + 3}),
        focus_names=frozenset({"func_17"}),
    )
    assert chunks, "something must be kept"
    starts = {c.start_line for c in chunks}
    assert 1 in starts  # the file head (imports)
    kept = {n for c in chunks for n in range(c.start_line, c.end_line + 1)}
    assert target + 3 in kept and target in kept  # whole function around the changed line
    assert lines.index("def func_17(x):") + 1 in kept  # referenced symbol
    for c in chunks:  # every chunk ends at a function end or a blank line
        assert c.end_line == len(lines) or lines[c.end_line - 1].strip() in ("return x", "")
    text = "".join(
        "".join(data.decode().splitlines(keepends=True)[c.start_line - 1 : c.end_line])
        for c in chunks
    )
    assert COUNTER.count(text) <= 2000


def test_files_without_grammar_fall_back_to_line_windows() -> None:
    data = "".join(f"line {i} {'needle' if i == 500 else 'hay'}\n" for i in range(1, 2001)).encode()
    chunks = select("notes.txt", data, cap_tokens=1000, count=COUNTER.count, terms={b"needle": 5.0})
    kept = {n for c in chunks for n in range(c.start_line, c.end_line + 1)}
    assert 500 in kept and 1 in kept and 1500 not in kept


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[int, dict[str, bytes], str]:
    n = draw(st.integers(1, 12))
    rng = random.Random(draw(st.integers(0, 10_000)))
    files = {}
    for i in range(n):
        size = draw(st.sampled_from([0, 10, 200, 3000, 30_000]))
        words = " ".join(
            rng.choice(["alpha", "beta", "x = 1\n", "def f():\n", "é", "\n"])
            for _ in range(size // 4)
        )
        files[f"d{i % 3}/f{i}.py"] = words.encode()
    budget = draw(st.integers(50, 40_000))
    diff = draw(st.sampled_from(["", "@@\n+x\n", "@@\n" + "+changed line\n" * 500]))
    return budget, files, diff


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
@example((52, {"d0/f0.py": b""}, ""))  # the changed files' heading is part of their cost
def test_never_over_budget(scenario: tuple[int, dict[str, bytes], str]) -> None:
    budget, files, diff = scenario
    ranked = [Ranked(p, 1.0 / (i + 1), ("test",)) for i, p in enumerate(sorted(files))]
    changed = sorted(files)[:1]
    pack = fill(
        FillInput(
            budget=budget,
            ranked=ranked[1:],
            sizes={p: len(d) for p, d in files.items()},
            read=_source(files),
            counter=COUNTER,
            changed=changed,
            diff_text=diff,
        )
    )
    assert pack.used <= budget
    assert pack.used == COUNTER.count(pack.text)
    listed = [e.path for e in pack.entries]
    assert sorted(listed) == sorted(files) and len(set(listed)) == len(listed)
    for e in pack.entries:
        assert e.included == (e.role is not None)


def _pack(repo: GitRepo, budget: int = 20_000) -> ContextPack:
    view, change = change_of(repo.path)
    return pack_change(view, change, PackOptions(budget=budget), COUNTER)


def test_reserves_are_kept(make_repo: Callable[..., GitRepo]) -> None:
    settings_ = Settings()
    assert settings_.pack_budget == (
        settings_.context_window - settings_.output_reserve - settings_.tool_reserve
    )
    repo = build(make_repo)
    pack = _pack(repo, settings_.pack_budget)
    assert pack.budget == settings_.pack_budget and pack.used <= pack.budget


def test_pack_order_and_contents(make_repo: Callable[..., GitRepo]) -> None:
    repo = build(make_repo)
    pack = _pack(repo)
    roles = [s.role for s in pack.sections if s.path]
    assert roles[-1] == "changed" and pack.sections[-1].role == "diff"
    assert roles.index("guidance") < roles.index("context") < roles.index("changed")
    context = [s.path for s in pack.sections if s.role == "context" and s.path]
    ranks = {e.path: i for i, e in enumerate(pack.entries)}
    assert context == sorted(context, key=lambda p: -ranks[p])  # least relevant first
    assert pack.entries[0].path == "pkg/core.py" and pack.entries[0].included
    assert "round_half_even" in pack.text and "AGENTS.md" in pack.text


def test_small_budget_keeps_diff_and_outlines_rest(make_repo: Callable[..., GitRepo]) -> None:
    repo = build(make_repo)
    big = "\n\n".join(
        f"def helper_{i}(value):\n    return round_half_even(value) + {i}\n" for i in range(400)
    )
    repo.write("pkg/helpers.py", "from pkg.core import compute_total\n\n" + big)
    repo.commit("helpers")
    pack = _pack(repo, budget=1500)
    assert pack.used <= 1500
    assert any(s.role == "diff" for s in pack.sections)


def test_determinism(make_repo: Callable[..., GitRepo]) -> None:
    repo = build(make_repo)
    first, second = _pack(repo), _pack(repo)
    assert first == second
    assert first.text == second.text


def test_pack_all_ranks_by_import_centrality(make_repo: Callable[..., GitRepo]) -> None:
    repo = build(make_repo)
    repo.checkout("main")
    view, _ = change_of(repo.path, base="HEAD")
    pack = pack_all(view, PackOptions(budget=30_000), COUNTER)
    assert pack.mode == "all" and pack.used <= 30_000
    order = [e.path for e in pack.entries]
    assert order.index("pkg/core.py") < order.index("pkg/unrelated.py")
    assert any("import-graph" in r for e in pack.entries for r in e.reasons)


def test_parallel_scan_gives_the_same_pack(make_repo: Callable[..., GitRepo]) -> None:
    repo = build(make_repo)
    view, change = change_of(repo.path)
    forked = pack_change(view, change, PackOptions(budget=20_000, parallel_bytes=0), COUNTER)
    alone = pack_change(view, change, PackOptions(budget=20_000, parallel_bytes=10**12), COUNTER)
    assert forked == alone
