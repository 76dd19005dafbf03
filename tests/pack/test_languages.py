"""Per-language import resolution and stop-names, on real repositories: a change to one file
must link the files that import it (and that it imports) the way each language spells it."""

from __future__ import annotations

from collections.abc import Callable

from reviewbot.pack import signals as sig
from reviewbot.pack.packer import PackOptions, rank_change
from tests.helpers.gitrepo import GitRepo
from tests.pack.project import change_of


def signals_for(
    make_repo: Callable[..., GitRepo], files: dict[str, str], edit: dict[str, str]
) -> dict[str, sig.Signal]:
    repo = make_repo()
    for path, text in files.items():
        repo.write(path, text)
    repo.commit("initial")
    repo.branch("feature")
    for path, text in edit.items():
        repo.write(path, text)
    repo.commit("change")
    view, change = change_of(repo.path)
    return rank_change(view, change, PackOptions(budget=50_000))[4]


GO = {
    "go.mod": "module example.com/tool\n\ngo 1.22\n",
    "tool.go": "package tool\n\nfunc Run() int { return 1 }\n",
    "helper.go": "package tool\n\nfunc helper() int { return Run() }\n",
    "cmd/tool/main.go": 'package main\n\nimport "example.com/tool"\n\nfunc main() { tool.Run() }\n',
    "errors/errors.go": "package errors\n\nfunc Wrap() {}\n",
    "other/other.go": 'package other\n\nimport "errors"\n\nvar E = errors.New("x")\n',
}


def test_go_root_package_import_resolves_through_go_mod(make_repo: Callable[..., GitRepo]) -> None:
    edit = {"tool.go": "package tool\n\nfunc Run() int { return 2 }\n"}
    links = signals_for(make_repo, GO, edit)["imports"]
    assert "imports tool.go" in links["cmd/tool/main.go"].reason
    assert "same package as tool.go" in links["helper.go"].reason


def test_go_standard_library_is_not_a_local_folder(make_repo: Callable[..., GitRepo]) -> None:
    edit = {"other/other.go": GO["other/other.go"].replace('"x"', '"y"')}
    assert "errors/errors.go" not in signals_for(make_repo, GO, edit)["imports"]


TS = {
    "tsconfig.json": '{\n  // aliases\n  "compilerOptions": {"baseUrl": ".", "paths": '
    '{"@/*": ["src/*"],},},\n}\n',
    "src/lib/format.ts": "export function formatAmount(x: number) { return x.toFixed(2) }\n",
    "src/app.ts": 'import { formatAmount } from "@/lib/format"\n'
    'import { slug } from "./util"\n\nexport const total = formatAmount(1)\n',
    "src/util/index.ts": "export const slug = (s: string) => s.toLowerCase()\n",
    "packages/core/package.json": '{"name": "@acme/core", "version": "1.0.0"}\n',
    "packages/core/src/index.ts": "export const core = 1\n",
    "packages/web/src/page.ts": 'import { core } from "@acme/core"\n\nexport const page = core\n',
}


def test_typescript_tsconfig_paths_and_index_files(make_repo: Callable[..., GitRepo]) -> None:
    edit = {"src/app.ts": TS["src/app.ts"] + "export const more = formatAmount(2)\n"}
    links = signals_for(make_repo, TS, edit)["imports"]
    assert "imported by src/app.ts" in links["src/lib/format.ts"].reason
    assert "imported by src/app.ts" in links["src/util/index.ts"].reason
    edit = {"src/lib/format.ts": TS["src/lib/format.ts"] + "export const unit = 'EUR'\n"}
    assert (
        "imports src/lib/format.ts"
        in signals_for(make_repo, TS, edit)["imports"]["src/app.ts"].reason
    )


def test_typescript_workspace_package_by_name(make_repo: Callable[..., GitRepo]) -> None:
    edit = {"packages/core/src/index.ts": "export const core = 2\n"}
    links = signals_for(make_repo, TS, edit)["imports"]
    assert "imports packages/core/src/index.ts" in links["packages/web/src/page.ts"].reason


RUST = {
    "Cargo.toml": '[package]\nname = "my-crate"\nversion = "0.1.0"\n',
    "src/lib.rs": "pub mod de;\npub mod value;\n",
    "src/de.rs": "pub fn from_str(s: &str) -> usize { s.len() }\n",
    "src/value/mod.rs": "mod ser;\n",
    "src/value/ser.rs": 'use crate::de::from_str;\n\npub fn go() -> usize { from_str("a") }\n',
    "tests/api.rs": 'use my_crate::de::from_str;\n\n#[test]\nfn t() { from_str("b"); }\n',
}


def test_rust_mod_crate_paths_and_crate_name(make_repo: Callable[..., GitRepo]) -> None:
    edit = {"src/de.rs": "pub fn from_str(s: &str) -> usize { s.len() + 1 }\n"}
    links = signals_for(make_repo, RUST, edit)["imports"]
    for importer in ("src/lib.rs", "src/value/ser.rs", "tests/api.rs"):
        assert "imports src/de.rs" in links[importer].reason, importer


JAVA = {
    "src/main/java/com/acme/Widget.java": "package com.acme;\n\npublic class Widget {}\n",
    "src/main/java/com/acme/Gadget.java": "package com.acme;\n\n"
    "public class Gadget { Widget w; }\n",
    "src/main/java/com/acme/ui/Panel.java": "package com.acme.ui;\n\nimport com.acme.Widget;\n\n"
    "public class Panel { Widget w; }\n",
    "src/main/java/org/other/Thing.java": "package org.other;\n\npublic class Thing {}\n",
}


def test_java_imports_and_same_package(make_repo: Callable[..., GitRepo]) -> None:
    edit = {"src/main/java/com/acme/Widget.java": JAVA["src/main/java/com/acme/Widget.java"]
            .replace("{}", "{ int size; }")}  # fmt: skip
    links = signals_for(make_repo, JAVA, edit)["imports"]
    widget = "src/main/java/com/acme/Widget.java"
    assert f"imports {widget}" in links["src/main/java/com/acme/ui/Panel.java"].reason
    assert f"same package as {widget}" in links["src/main/java/com/acme/Gadget.java"].reason
    assert "src/main/java/org/other/Thing.java" not in links


def test_dunders_and_ubiquitous_names_are_not_shared_symbols(
    make_repo: Callable[..., GitRepo],
) -> None:
    files = {
        "pkg/store.py": "class Store:\n    def __init__(self):\n        self.items = {}\n\n"
        "    def get(self, key):\n        return self.items[key]\n",
        "pkg/cache.py": "class Cache:\n    def __init__(self):\n        self.hits = 0\n\n"
        "    def get(self, key):\n        return None\n",
        "pkg/use.py": "from pkg.store import Store\n\nStore().rebalance_items()\n",
    }
    edit = {
        "pkg/store.py": files["pkg/store.py"]
        .replace("self.items = {}", "self.items = {}\n        self.size = 0")
        .replace("return self.items[key]", "return self.items.get(key)")
        + "\n    def rebalance_items(self):\n        return None\n"
    }
    names = signals_for(make_repo, files, edit)["symbols"]
    assert "pkg/cache.py" not in names
    assert "rebalance_items" in names["pkg/use.py"].reason


def test_string_keys_are_references(make_repo: Callable[..., GitRepo]) -> None:
    files = {
        "app/routes.py": "def refund_payment(request):\n    return 204\n",
        "app/other.py": "def unrelated():\n    return 1\n",
        "app/dispatch.py": "HANDLERS = {}\n\n\ndef dispatch(name):\n    return HANDLERS[name]\n",
    }
    edit = {"app/dispatch.py": files["app/dispatch.py"] + '\nREFUND = dispatch("refund_payment")\n'}
    names = signals_for(make_repo, files, edit)["symbols"]
    assert "defines refund_payment" in names["app/routes.py"].reason
    assert "app/other.py" not in names


def test_files_naming_the_replaced_version(make_repo: Callable[..., GitRepo]) -> None:
    files = {
        "setup.py": 'from setuptools import setup\n\nsetup(name="x", version="2.3.0")\n',
        "pkg/__init__.py": '__version__ = "2.3.0"\n',
        "pkg/core.py": "VERSION_HINT = 'see pkg'\n",
    }
    edit = {"setup.py": files["setup.py"].replace("2.3.0", "2.3.1")}
    found = signals_for(make_repo, files, edit)["versions"]
    assert set(found) == {"pkg/__init__.py"}
    assert "2.3.0" in found["pkg/__init__.py"].reason


def test_files_still_using_a_renamed_name_are_callers(make_repo: Callable[..., GitRepo]) -> None:
    files = {
        "app/fees.py": "def compute_fee_total(amount):\n    return amount * 2\n",
        "app/checkout.py": "from app.fees import compute_fee_total\n\n"
        "TOTAL = compute_fee_total(3)\n",
        "app/other.py": "def unrelated():\n    return 1\n",
    }
    # The rename left app/checkout.py behind: it still calls the old name.
    edit = {"app/fees.py": files["app/fees.py"].replace("compute_fee_total", "fee_total")}
    names = signals_for(make_repo, files, edit)["symbols"]
    assert "uses compute_fee_total" in names["app/checkout.py"].reason
    assert "app/other.py" not in names
