"""What reviewbot posts is neutralised as GitHub will render it, not as a regex sees it.

Issue 14, item 4: a file name holding backticks broke out of its code span (a live @mention
and link in the review and the step summary); code spans were matched across blank lines
(CommonMark ends them at a paragraph); entity-encoded links (``&#104;ttps://...``,
``<a href="&#x68;ttps...">``) passed as relative. Each payload is rendered by a CommonMark
parser and read for what would act: a live mention, or a link to the attacker's host.
"""

from __future__ import annotations

import pytest

from reviewbot.review.sanitize import for_github
from tests.github.conftest import Bench, comment, review_script
from tests.hostile.checks import rendered_problems
from tests.hostile.conftest import PullBench

LINK = "www.evil.example/x"
PAYLOADS = {
    "span across a blank line": f"`start\n\n@everyone see {LINK}\n\nend`",
    "span across a new block": f"`start\n# @everyone see {LINK}\n`",
    "escaped opening backtick": f"\\`@everyone see {LINK}`",
    "fence whose info string has a backtick": f"```a`b\n@everyone see {LINK}\n",
    "backticks in an HTML block": f"<div>`@everyone see {LINK}`</div>",
    "backtick inside a tag's attribute": f'<span title="`">@everyone see {LINK} `x`</span>',
    "entity-encoded link target": "[docs](&#104;ttps://evil.example/a)",
    "entity-encoded scheme colon": "[docs](https&#58;//evil.example/a)",
    "entity-encoded href": '<a href="&#x68;ttps://evil.example/b">docs</a>',
    "entity-encoded image": '<img src="&#104;ttps://evil.example/t.png">',
    "entity-encoded bare URL": "see &#104;ttps://evil.example/c now",
    "entity-encoded mention": "ping &#64;everyone now",
    "tab in the scheme": "[docs](java&#9;script:alert(1)) [x](&#104;ttps://evil.example/d)",
    # No scheme to find once decoded: only judging the target as followed catches these.
    "entity-spelt protocol-relative target": "[docs](&#x2F;&#x2F;evil.example/e)",
    "entity-spelt protocol-relative href": '<a href="&#47;/evil.example/f">docs</a>',
}


@pytest.mark.parametrize("name", list(PAYLOADS))
@pytest.mark.parametrize("links", ["defang", "drop"])
def test_model_text_is_inert_once_rendered(name: str, links: str) -> None:
    text = PAYLOADS[name]
    assert rendered_problems(text), "the payload must act when posted as is"
    posted = for_github(text, allowed_host="github.com", links=links)  # type: ignore[arg-type]
    assert rendered_problems(posted) == [], posted


def test_real_code_is_left_as_written() -> None:
    text = (
        "Use `@property` and `a | b` here.\n\n```python\n@decorator\nurl = 'https://x.org'\n```\n"
    )
    assert for_github(text, allowed_host="github.com", links="defang") == text


# No space: a finding's evidence cites "path:line" as one word.
HOSTILE_NAME = "app/x`@everyone(www.evil.example)`y.py"


@pytest.fixture
def name_bench(pull_bench: PullBench) -> Bench:
    handler = "def handler(event):\n    return eval(event['code'])\n"
    return pull_bench("names", {"app/__init__.py": ""}, {HOSTILE_NAME: handler})


def test_a_hostile_file_name_stays_in_its_code_span(name_bench: Bench) -> None:
    """The file's name is the attacker's: it lands in the review's table, the findings
    that could not go inline, and the step summary."""
    bench = name_bench
    event = bench.seed()
    bench.k2.script(
        review_script(
            [
                comment(HOSTILE_NAME, 2, "eval of request data"),
                comment(HOSTILE_NAME, 40, "not on a diff line: goes in the body"),
            ]
        )
    )
    run = bench.run(event)
    assert run.code in (0, 1), run.stderr
    bodies = [r["body"] or "" for r in bench.reviews()]
    assert any("eval of request data" in b for b in bodies)
    problems = {
        "review": [p for b in bodies for p in rendered_problems(b)],
        "step summary": rendered_problems(run.summary),
    }
    assert problems == {"review": [], "step summary": []}, problems
