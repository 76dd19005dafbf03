"""Every diagram reviewbot draws parses in Mermaid's own parser, whatever its labels."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewbot.walkthrough.mermaid import Edge, Node, flowchart, label
from tests.helpers.mermaid import mermaid_parser

STATEMENT = re.compile(
    r' {2}subgraph g\d+\["[^"]*"\]| {2}end| {2,4}n\d+\["[^"]*"\]| {2}n\d+ --> n\d+'
    r"| {2}classDef \w+ [\w:#,]+| {2}class n\d+(?:,n\d+)* \w+"
)
HOSTILE = [
    'x"]; click n1 href "javascript:alert(1)"',
    "%%{init: {'securityLevel': 'loose'}}%%",
    "```\n@someone ping",
    "end",
    "subgraph",
    "<img src=x onerror=alert(1)>",
    "a --> b",
    "#quot; #35; &amp;",
    "line\nbreak\r\u2028sep",
    "`**markdown**`",
    "名前()",
    "",
]


def test_the_parser_is_real_and_refuses_a_naive_label() -> None:
    naive = 'flowchart LR\n  n1["' + HOSTILE[0] + '"]\n'
    assert not mermaid_parser().parse(naive).ok
    assert mermaid_parser().parse("flowchart LR\n  n1[" + label(HOSTILE[0]) + "]\n").ok


def test_hostile_labels_and_titles_parse_and_stay_inside_their_quotes() -> None:
    nodes = [Node(f"k{i}", text, HOSTILE[-1 - i]) for i, text in enumerate(HOSTILE)]
    edges = [Edge(f"k{i}", f"k{i + 1}") for i in range(len(HOSTILE) - 1)]
    diagram = flowchart(nodes, edges)
    parsed = mermaid_parser().parse(diagram)
    assert parsed.ok, parsed.error
    assert "```" not in diagram and "%%" not in diagram and "<" not in diagram
    for line in diagram.splitlines()[1:]:
        assert STATEMENT.fullmatch(line), line  # only statements we write; labels quoted


def test_label_keeps_safe_text_and_caps_length() -> None:
    assert label("Cart.total()") == '"Cart.total()"'
    assert label('a"b') == '"a#34;b"'
    long = label("x" * 500)
    assert long.count("x") == 59 and long.endswith('#8230;"')


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.text(max_size=40), min_size=1, max_size=6),
    st.lists(st.text(max_size=30), min_size=1, max_size=3),
    st.sampled_from(["LR", "TD"]),
)
def test_any_labels_parse(texts: list[str], groups: list[str], direction: str) -> None:
    nodes = [Node(str(i), t, groups[i % len(groups)]) for i, t in enumerate(texts)]
    edges = [Edge(str(i), str((i * 7 + 1) % len(texts))) for i in range(len(texts))]
    diagram = flowchart(nodes, edges, direction)
    parsed = mermaid_parser().parse(diagram)
    assert parsed.ok, f"{parsed.error}\n{diagram}"
