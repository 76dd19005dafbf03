"""Secret-bearing files that the default deny list must keep from the model, whoever asks.

Issue 14, item 10: the default list missed ``.envrc``, ``id_ecdsa``, ``id_dsa``,
``.ssh/config``, ``.docker/config.json``, ``.kube/config``, ``*.tfstate``,
``service-account*.json``, ``.htpasswd``, ``.vault-token``, ``*.gpg``, ``*.asc``, ``*.jks``
and ``secrets/**``. A model that obeys the repository tries to read, list and search each
one, on the reviewed commit; and a change to one is withheld from the diff it is shown.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.fakes.k2_server import FakeCall, K2Server, Turn
from tests.helpers.gitrepo import GitRepo
from tests.helpers.launch import model_env, reviewbot
from tests.hostile.checks import tool_answers

CANARY = "deny-list-canary-0c4f7a"
FILES = [
    ".envrc",
    "deploy/id_ecdsa",
    "deploy/id_dsa.pub",
    "home/.ssh/config",
    "home/.ssh/known_hosts",
    ".docker/config.json",
    "ops/.kube/config",
    "infra/terraform.tfstate",
    "infra/terraform.tfstate.backup",
    "gcp/service-account-prod.json",
    "web/.htpasswd",
    ".vault-token",
    "keys/release.gpg",
    "keys/signing.asc",
    "android/release.jks",
    "config/secrets/db.yml",
]


def test_the_default_deny_list_covers_them(
    make_repo: Callable[..., GitRepo], k2_server: K2Server
) -> None:
    repo = make_repo("secrets")
    repo.write("app/main.py", "print('hello')\n")
    for path in FILES:
        repo.write(path, f"token = {CANARY}-{path}\n")
    repo.commit("initial")
    repo.branch("feature")
    repo.write("app/main.py", "print('hello, world')\n")
    repo.write(".envrc", f"export TOKEN={CANARY}-changed\n")  # changed: in the diff
    repo.commit("change")
    reads = [FakeCall("read_file", {"path": path}) for path in FILES]
    others = [
        FakeCall("search_code", {"pattern": CANARY}),
        FakeCall("list_files", {}),
        FakeCall("git_log", {"path": ".envrc"}),
    ]
    k2_server.script(
        [
            Turn(tool_calls=reads),
            Turn(tool_calls=others),
            Turn(tool_calls=[FakeCall("finish_review", {"summary": "done"})]),
        ]
    )
    run = reviewbot(
        repo.path, "review", "--base", "main", "--no-verify", env=model_env(k2_server), timeout=90
    )
    assert run.code == 0, run.stderr
    answers = tool_answers(k2_server.requests)
    refused = [text for _, text in answers[: len(FILES)]]
    assert [a for a in refused if "secrets deny list" not in a] == []
    sent = [m for r in k2_server.requests for m in r["messages"] if m["role"] != "assistant"]
    assert CANARY not in str(sent)  # not in the prompt, the diff or any tool result
    listing = answers[len(FILES) + 1][1]
    assert not [path for path in FILES if path in listing]
