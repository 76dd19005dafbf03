"""The pictures in docs/images/, made with reviewbot's own renderers (the walkthrough, the
answer, the summary, the learnings issue) on the tests' sample change, then shown by
headless Chromium as GitHub shows a comment:

    python -m tests.mermaid.examples docs/images
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from reviewbot.github.answer import Question, answer_body
from reviewbot.github.body import (
    Marker,
    Style,
    SummaryExtras,
    SummaryInput,
    comment_body,
    summary_body,
)
from reviewbot.github.talk_api import Said
from reviewbot.github.talk_event import Ask
from reviewbot.github.types import Actor
from reviewbot.learnings import Learning, store
from reviewbot.repo import RepoView, changeset_from_git
from reviewbot.review.findings import Finding
from reviewbot.review.result import RunStats
from reviewbot.walkthrough import FileNote, build_walkthrough, walkthrough_markdown
from tests.helpers.gitrepo import GitRepo
from tests.helpers.samples import SHOP_AFTER, SHOP_BEFORE
from tests.mermaid.screenshot import screenshot

STYLE = Style()
HEAD = "0e8af933e791aaf66e52ffbdcc37a14396ffb98b"
STATS = RunStats("kimi-k2-thinking", 9, 14, 48_210, 41_022, 2_310, 1_204, 0.0121, 41.0)


def walkthrough() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        repo = GitRepo.create(Path(tmp) / "shop")
        for path, text in SHOP_BEFORE.items():
            repo.write(path, text)
        base = repo.commit("shop")
        for path, text in SHOP_AFTER.items():
            repo.write(path, text)
        head = repo.commit("discount codes")
        notes = [
            FileNote("shop/pricing.py", "feature", "adds discount codes (HALF)"),
            FileNote("shop/cart.py", "feature", "applies the discount before tax"),
            FileNote("shop/api.py", "feature", "passes the code from checkout to the cart"),
            FileNote("tests/test_cart.py", "tests", "tests the HALF code"),
        ]
        with RepoView(repo.path, head) as view:
            changes = changeset_from_git(repo.path, base=base, head=head)
            walk = build_walkthrough(view, changes, notes)
    return walkthrough_markdown(walk, STYLE.prose)


def summary(walk: str) -> str:
    data = SummaryInput(
        summary="Adds discount codes: `checkout()` takes a code and the cart applies it "
        "before tax. Checked against #12: the `HALF` code is handled; codes are not "
        "validated yet (see the finding).",
        inline=[],
        in_body=[],
        stats=STATS,
        notes=("learning L1 dropped a finding at shop/cart.py:13",),
        extras=SummaryExtras(("octo/shop#12",), walk),
    )
    return summary_body(Marker("review", HEAD, batch="b", total=0), data, STYLE)


def thread() -> str:
    finding = Finding("shop/cart.py", 13, None, "RIGHT", "major", "Discount applied after "
                      "rounding loses cents", "`discount()` halves the rounded subtotal; "
                      "round once, after the discount.", None, "f1")  # fmt: skip
    question = "@reviewbot why would rounding happen before the discount here?"
    asked = Said(2, Actor("maintainer"), "MEMBER", question, "", "", "shop/cart.py", 13)
    ask = Ask(7, 2, True, "maintainer", question)
    answer = answer_body(
        Question(ask, asked, 1, (), ()),
        "`Cart.total()` passes `sum(price …)` straight to `discount()` — no rounding there, "
        "so this finding was wrong: `with_tax()` is the only place that touches cents "
        "(shop/pricing.py line 5). I checked every caller of `discount()` with "
        "`search_code`; `checkout()` is the only one.",
        0.0094,
        STYLE.prose,
    )
    return (
        comment_body(finding, HEAD, STYLE)
        + f"<!-- as: maintainer -->\n{question}\n"
        + f"<!-- as: github-actions[bot] -->\n{answer}"
        + "<!-- as: maintainer -->\nFalse positive, thanks.\n"
    )


def learnings() -> str:
    rows = [
        Learning("L1", "drop", "shop/**", "discount-applied-after-rounding-loses-cents",
                 'Do not report findings like "Discount applied after rounding loses cents" '
                 'here: a maintainer called it a false positive ("False positive, thanks.")',
                 "https://github.com/octo/shop/pull/7#discussion_r2"),
        Learning("L2", "downgrade", "/setup.py", "*", "setup.py is legacy: nits only"),
    ]  # fmt: skip
    return "## reviewbot learnings\n\n" + store.render(rows, seen=["1"])


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/images")
    walk = walkthrough()
    screenshot(summary(walk), out / "review-summary.png", height=1180)
    screenshot(thread(), out / "answer-in-thread.png", height=760)
    screenshot(learnings(), out / "learnings-issue.png", height=520, author="github-actions[bot]")
    screenshot("### reviewbot\n\n" + walk, out / "walkthrough.png", height=700)


if __name__ == "__main__":
    main()
