"""The packer's ranking model: bounded features, one confident signal can win, stable ties."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from reviewbot.pack import signals as sig
from reviewbot.pack.fill import CHANGED_SCORE
from reviewbot.pack.learned import FEATURES, SIGNALS, feature_rows
from reviewbot.pack.rank import fuse, rank_signals

paths = st.from_regex(r"(src|tests|docs)/[a-z]{1,3}/[a-z_]{1,6}\.(py|go|md|ts)", fullmatch=True)
scores = st.floats(min_value=0.001, max_value=1e6, allow_nan=False)
signal_maps = st.dictionaries(
    st.sampled_from(SIGNALS), st.dictionaries(paths, scores, max_size=6), max_size=len(SIGNALS)
)


def as_signals(raw: dict[str, dict[str, float]]) -> dict[str, sig.Signal]:
    return {n: {p: sig.Evidence(v, "why") for p, v in s.items()} for n, s in raw.items()}


@given(signal_maps, st.lists(paths, max_size=3))
def test_features_are_bounded_and_cover_every_named_file(
    raw: dict[str, dict[str, float]], changed: list[str]
) -> None:
    named, rows = feature_rows(as_signals(raw), changed)
    assert named == sorted({p for s in raw.values() for p in s})
    for row in rows:
        assert len(row) == len(FEATURES)
        assert all(0.0 <= x <= 1.0 for x in row)


@given(signal_maps, st.lists(paths, max_size=3))
def test_ranking_is_deterministic_and_ties_go_by_path(
    raw: dict[str, dict[str, float]], changed: list[str]
) -> None:
    ranked = rank_signals(as_signals(raw), changed)
    again = rank_signals(
        as_signals({n: dict(reversed(s.items())) for n, s in raw.items()}), changed
    )
    assert ranked == again
    assert all(0.0 < r.score < CHANGED_SCORE for r in ranked)  # changed files list first
    for a, b in itertools.pairwise(ranked):
        assert (a.score, b.path) >= (b.score, a.path)


def test_one_confident_signal_beats_several_lukewarm_ones() -> None:
    """``confident.py`` is far ahead in BM25 and named by nothing else; ``lukewarm.py`` is
    third in three signals, each well below their best. Reciprocal-rank fusion puts the
    lukewarm file first (ranks only); the model reads the scores and lets the confident one
    win."""
    raw = {
        "lexical": {"src/a/confident.py": 40.0, "src/a/x.py": 5.0, "src/a/lukewarm.py": 4.0},
        "cochange": {"src/a/y.py": 3.0, "src/a/z.py": 2.0, "src/a/lukewarm.py": 0.6},
        "symbols": {"src/a/v.py": 9.0, "src/a/w.py": 8.0, "src/a/lukewarm.py": 2.0},
    }
    signals = as_signals(raw)
    rrf = [r.path for r in fuse(signals)]
    assert rrf.index("src/a/lukewarm.py") < rrf.index("src/a/confident.py")
    model = [r.path for r in rank_signals(signals, ["src/a/changed.py"])]
    assert model[0] == "src/a/confident.py"


def test_reasons_name_each_signal_with_its_rank() -> None:
    signals = as_signals({"lexical": {"src/a/b.py": 2.0}, "tests": {"src/a/b.py": 1.0}})
    (only,) = rank_signals(signals, ["src/a/c.py"])
    assert set(only.reasons) == {"lexical #1: why", "tests #1: why"}
