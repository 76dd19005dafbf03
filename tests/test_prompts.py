"""Prompt templates render strictly, and a repository can override them."""

from __future__ import annotations

import pytest

from reviewbot.errors import ConfigError
from reviewbot.prompts import render, template_names

SYSTEM_VARS = {"repository": "octo/app", "instructions": ""}


def test_templates_ship_with_the_package() -> None:
    assert {"system.md.j2", "review.md.j2", "audit.md.j2"} <= set(template_names())


def test_missing_variable_is_an_error_not_a_blank() -> None:
    with pytest.raises(ConfigError, match="'repository' is undefined"):
        render("system.md.j2", {"instructions": ""})


def test_instructions_are_included() -> None:
    text = render("system.md.j2", {**SYSTEM_VARS, "instructions": "Prefer pathlib."})
    assert "octo/app" in text
    assert "## Instructions from the maintainers\nPrefer pathlib." in text
    assert "Instructions from the maintainers" not in render("system.md.j2", SYSTEM_VARS)


def test_repository_override_is_used() -> None:
    overrides = {"system.md.j2": "Custom for {{ repository }}.\n"}
    assert render("system.md.j2", SYSTEM_VARS, overrides=overrides) == "Custom for octo/app.\n"
    # Templates the repository does not override still come from the package.
    assert "## Your task" in render(
        "audit.md.j2", {"unit": "u1", "files": [], "path_instructions": []},
        overrides=overrides,
    )  # fmt: skip


def test_the_prompt_asks_for_few_findings_each_with_its_proof() -> None:
    """Noise (issue 13, defect 4): a missing test is not a finding category on its own, nits
    are said to go to the summary, and every finding must name the code that proves it."""
    text = render("system.md.j2", SYSTEM_VARS)
    look_for = text.split("## What to look for", 1)[1].split("\n## ", 1)[0]
    not_flag = text.split("## What not to flag", 1)[1].split("\n## ", 1)[0]
    assert "without a test" not in look_for and "missing test" not in look_for
    assert "a missing test on its own" in " ".join(not_flag.split())
    words = " ".join(text.split())
    assert "nits are listed in the summary, not posted on lines" in words
    assert "`evidence`: the file:line of the code that proves the problem" in words
