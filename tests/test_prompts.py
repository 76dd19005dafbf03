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
