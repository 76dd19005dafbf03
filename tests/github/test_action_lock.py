"""requirements/action.txt, the lock of what action.yml installs, against pyproject.toml."""

from __future__ import annotations

import re
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.helpers.action import action_step
from tests.helpers.wheelhouse import roots

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements" / "action.txt"


def entries() -> dict[str, tuple[Requirement, list[str]]]:
    """Each locked requirement with its hashes (the file joins an entry's lines with `\\`)."""
    text = LOCK.read_text(encoding="utf-8")
    found: dict[str, tuple[Requirement, list[str]]] = {}
    for entry in re.sub(r"\\\n\s*", " ", text).splitlines():
        entry = entry.split("#", 1)[0].strip()
        if not entry:
            continue
        hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", entry)
        requirement = Requirement(re.sub(r"\s*--hash=\S+", "", entry))
        found[canonicalize_name(requirement.name)] = (requirement, hashes)
    return found


def test_every_locked_package_is_pinned_to_one_version_with_hashes() -> None:
    locked = entries()
    assert locked
    for name, (requirement, hashes) in locked.items():
        assert re.fullmatch(r"==[^,*]+", str(requirement.specifier)), name
        assert hashes, f"{name} has no hash"
        assert requirement.url is None, name


def test_the_lock_holds_each_dependency_and_the_build_backend_at_an_allowed_version() -> None:
    """Run requirements/lock after changing pyproject.toml's dependencies or build-system."""
    locked = entries()
    for wanted in roots():
        name = canonicalize_name(wanted.name)
        assert name in locked, f"{wanted} is missing from requirements/action.txt"
        version = str(locked[name][0].specifier).removeprefix("==")
        assert wanted.specifier.contains(version, prereleases=True), (
            f"requirements/action.txt pins {name}=={version}, pyproject asks {wanted}"
        )


def test_the_lock_says_how_it_was_made_and_the_action_installs_from_it() -> None:
    head = LOCK.read_text(encoding="utf-8").splitlines()[:2]
    assert head[1].strip() == "#    requirements/lock"
    script = (ROOT / "requirements" / "lock").read_text(encoding="utf-8")
    assert "--generate-hashes" in script and "--exclude-newer" in script
    install = action_step("install")["run"]
    assert "--require-hashes --only-binary :all:" in install
    assert '--requirement "$GITHUB_ACTION_PATH/requirements/action.txt"' in install
    assert "--no-deps --no-build-isolation --no-index" in install
