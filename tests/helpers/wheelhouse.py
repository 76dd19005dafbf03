"""A local wheelhouse for installing reviewbot the way action.yml does, offline.

Tests must not reach PyPI, and the wheels PyPI serves are not on disk. So the distributions
this test environment already has installed (reviewbot's dependency closure and its build
backend, at the versions installed) are packed back into wheels: the files each one's RECORD
lists, its metadata, a fresh RECORD. Those wheels install like PyPI's, and a lock of their
sha256 hashes has the format of requirements/action.txt, so pip's `--require-hashes` check
runs for real. The hashes differ from PyPI's, which is why tests use a lock of their own.
"""

from __future__ import annotations

import atexit
import base64
import functools
import hashlib
import re
import shutil
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
_SKIP = {"INSTALLER", "REQUESTED", "RECORD", "direct_url.json"}


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def roots() -> list[Requirement]:
    """What action.yml installs: reviewbot's dependencies and its build backend."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    texts = pyproject["project"]["dependencies"] + pyproject["build-system"]["requires"]
    return [Requirement(text) for text in texts]


def closure(start: list[Requirement]) -> dict[str, metadata.Distribution]:
    """The installed distributions `start` needs here, transitively, extras included."""
    found: dict[str, metadata.Distribution] = {}
    seen: set[tuple[str, str]] = set()
    todo = [(requirement, "") for requirement in start]
    while todo:
        requirement, extra = todo.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = normalize(requirement.name)
        dist = found.setdefault(name, metadata.distribution(requirement.name))
        for wanted in ("", *requirement.extras):
            if (name, wanted) not in seen:
                seen.add((name, wanted))
                todo += [(Requirement(text), wanted) for text in dist.requires or []]
    return found


def _record_line(arcname: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{arcname},sha256={digest},{len(data)}"


def repack(dist: metadata.Distribution, into: Path) -> Path:
    """One installed distribution as a wheel file in `into`."""
    tag = next(
        line.split(":", 1)[1].strip()
        for line in (dist.read_text("WHEEL") or "").splitlines()
        if line.startswith("Tag:")
    )
    name = re.sub(r"[-.]+", "_", dist.metadata["Name"])
    target = into / f"{name}-{dist.version}-{tag}.whl"
    info = next(str(f).split("/")[0] for f in dist.files or [] if ".dist-info/" in str(f))
    record = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as wheel:
        for file in dist.files or []:
            arcname = str(file)
            inside = not arcname.startswith("..") and "__pycache__" not in arcname
            if not inside or (Path(arcname).name in _SKIP and arcname.startswith(info)):
                continue
            path = Path(str(dist.locate_file(file)))
            if not path.is_file():
                continue
            data = path.read_bytes()
            wheel.writestr(arcname, data)
            record.append(_record_line(arcname, data))
        record.append(f"{info}/RECORD,,")
        wheel.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return target


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Wheelhouse:
    folder: Path
    wheels: dict[str, Path]  # normalized name -> wheel

    def lock(self) -> str:
        """A lock in requirements/action.txt's format for these wheels."""
        lines = []
        for name, wheel in sorted(self.wheels.items()):
            version = wheel.name.split("-")[1]
            lines.append(f"{name}=={version} \\\n    --hash=sha256:{sha256(wheel)}")
        return "\n".join(lines) + "\n"


@functools.cache
def wheelhouse() -> Wheelhouse:
    """Built once per test session, in a temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="reviewbot-wheelhouse-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    wheels = {name: repack(dist, folder) for name, dist in closure(roots()).items()}
    return Wheelhouse(folder, wheels)
