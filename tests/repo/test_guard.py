"""PathGuard: every way out of the repository, and every secret on the deny list, is refused."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewbot.errors import PathRefusedError
from reviewbot.repo.guard import DEFAULT_DENY, PathGuard

GUARD = PathGuard()

# One or more secret file names per default pattern.
SECRETS = {
    ".env": [".env", "app/.env", ".ENV"],
    ".env.*": [".env.local", "deploy/.env.production"],
    "*.pem": ["server.pem", "certs/ca.PEM"],
    "*.key": ["server.key", "tls/private.key"],
    "id_rsa*": ["id_rsa", "home/.ssh/id_rsa.pub"],
    "id_ed25519*": ["id_ed25519", "keys/id_ed25519_deploy"],
    "*.p12": ["cert.p12"],
    "*.pfx": ["cert.pfx"],
    ".netrc": [".netrc"],
    ".npmrc": [".npmrc", "web/.npmrc"],
    ".pypirc": [".pypirc"],
    ".git-credentials": [".git-credentials"],
    "credentials*.json": ["credentials.json", "gcp/credentials-prod.json"],
    ".aws/credentials": [".aws/credentials", "ci/home/.aws/credentials"],
    "*.keystore": ["release.keystore"],
    "secrets.*": ["secrets.yaml", "config/Secrets.JSON"],
    ".envrc": [".envrc", "svc/.envrc"],
    "id_ecdsa*": ["id_ecdsa", "keys/id_ecdsa.pub"],
    "id_dsa*": ["id_dsa", "home/.ssh2/id_dsa"],
    ".ssh": [".ssh/config", "home/.ssh/authorized_keys"],
    ".docker/config.json": [".docker/config.json", "ci/.docker/config.json"],
    ".kube/config": [".kube/config", "ops/.kube/config"],
    "*.tfstate": ["terraform.tfstate", "infra/prod.tfstate"],
    "*.tfstate.*": ["terraform.tfstate.backup"],
    "service-account*.json": ["service-account.json", "gcp/service-account-ci.json"],
    ".htpasswd": [".htpasswd", "web/.htpasswd"],
    ".vault-token": [".vault-token"],
    "*.gpg": ["release.gpg", "keys/backup.GPG"],
    "*.asc": ["signing.asc"],
    "*.jks": ["release.jks", "android/app.jks"],
    "secrets/**": ["secrets/db.yml", "config/secrets/api/key.txt"],
}
HARMLESS = [
    "environment.py",
    "src/env.py",
    "src/keys.py",
    "docs/secrets-management.md",
    "credentials.py",
    "my.env.example",
    "notes/rsa.txt",
    "aws/credentials.md",
    "keystore.md",
    "pem.py",
    ".github/workflows/ci.yml",
    ".gitignore",
    ".gitmodules",
    "docs/ssh.md",
    "tfstate.md",
    "gpg.py",
    "service_account.py",
    "docker/config.json",
    "secrets",
]


def test_every_default_pattern_has_cases() -> None:
    assert set(SECRETS) == set(DEFAULT_DENY)


@pytest.mark.parametrize(
    ("pattern", "path"), [(p, path) for p, paths in SECRETS.items() for path in paths]
)
def test_secrets_are_refused(pattern: str, path: str) -> None:
    with pytest.raises(PathRefusedError, match="secrets deny list") as info:
        GUARD.check(path)
    assert pattern in str(info.value)
    assert not GUARD.allowed(path)


@pytest.mark.parametrize("path", HARMLESS)
def test_ordinary_files_pass(path: str) -> None:
    assert GUARD.check(path) == path
    assert GUARD.allowed(path)


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("../outside", "'..' is not allowed"),
        ("a/../../outside", "'..' is not allowed"),
        ("a/b/..", "'..' is not allowed"),
        ("/etc/passwd", "absolute paths"),
        ("\\windows\\path", "absolute paths"),
        ("C:\\Users\\x", "absolute paths"),
        ("c:/x", "absolute paths"),
        ("~/.ssh/config", "absolute paths"),
        ("a\0b", "NUL"),
        (".git/config", ".git"),
        ("sub/.git/HEAD", ".git"),
        (".GIT/config", ".git"),
        ("./.git", ".git"),
    ],
)
def test_escapes_are_refused(path: str, reason: str) -> None:
    with pytest.raises(PathRefusedError, match=reason) as info:
        GUARD.check(path)
    assert "\n" not in str(info.value)


def test_normalisation() -> None:
    assert GUARD.check("a/./b//c/") == "a/b/c"
    assert GUARD.check("") == "" and GUARD.check(".") == "" and GUARD.check("./") == ""


def test_extra_deny_paths_from_settings() -> None:
    guard = PathGuard(["config/prod/**", "*.sqlite", "/private", "internal/"])
    for path in ("config/prod/db.yml", "x.sqlite", "data/y.SQLITE", "private/a", "a/internal/b"):
        with pytest.raises(PathRefusedError, match="deny list"):
            guard.check(path)
        assert not guard.allowed(path)
    for path in ("config/dev/db.yml", "other/private/a", "internals/x"):
        assert guard.check(path) == path
    with pytest.raises(PathRefusedError):
        guard.check(".env")  # the defaults stay


def test_a_denied_folder_covers_everything_below() -> None:
    guard = PathGuard(["vault"])
    assert not guard.allowed("vault/a/b.txt") and not guard.allowed("x/vault/c")
    assert guard.allowed("vaults/a")


segments = st.one_of(
    st.sampled_from(["..", ".", "", ".git", ".GIT", "~", "a", "b c", "ü", ".env", "x.pem"]),
    st.text(alphabet=st.characters(blacklist_characters="/"), min_size=1, max_size=8),
)


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(segments, max_size=6), lead=st.sampled_from(["", "/", "./", "\\"]))
def test_checked_paths_always_stay_inside(parts: list[str], lead: str) -> None:
    path = lead + "/".join(parts)
    refusal: PathRefusedError | None = None
    try:
        checked = GUARD.check(path)
    except PathRefusedError as exc:
        refusal = exc
    if refusal is not None:
        assert str(refusal).startswith("refused ") and "\n" not in str(refusal)
        return
    pieces = checked.split("/") if checked else []
    assert ".." not in pieces and "" not in pieces and "\0" not in checked
    assert not checked.startswith("/")  # "./~" is a file named "~": no shell expands it
    assert all(piece.lower() != ".git" for piece in pieces)
    root = "/repo/root"
    assert os.path.normpath(os.path.join(root, checked)).startswith(root)
    assert GUARD.allowed(checked)


@settings(max_examples=100, deadline=None)
@given(
    folder=st.lists(st.sampled_from(["src", "a b", "ü", "deep"]), max_size=3),
    name=st.sampled_from(
        [path.rsplit("/", 1)[-1] for p, paths in SECRETS.items() if "/" not in p for path in paths]
    ),
)
def test_secret_names_are_refused_in_any_folder(folder: list[str], name: str) -> None:
    """Patterns of one name (not .aws/credentials or secrets/**, which need their folder)."""
    path = "/".join([*folder, name])
    if name in ("config", "authorized_keys") and ".ssh" not in path:
        return  # .ssh's files are secrets only in .ssh
    with pytest.raises(PathRefusedError):
        GUARD.check(path)
    assert not GUARD.allowed(path)


def test_symlink_resolution_without_a_tree() -> None:
    links = {"up": "..", "abs": "/etc", "env": ".env", "ok": "src", "loop": "loop", "deep": "ok/x"}

    def readlink(path: str) -> str | None:
        return links.get(path)

    assert GUARD.resolve("ok/a.py", readlink) == "src/a.py"
    assert GUARD.resolve("deep", readlink) == "src/x"
    for path, reason in [
        ("up/x", "outside"),
        ("abs/passwd", "outside"),
        ("env", "refused path"),
        ("loop", "too many levels"),
    ]:
        with pytest.raises(PathRefusedError, match=reason):
            GUARD.resolve(path, readlink)
