"""Test <-> source pairing per language (the ``tests`` signal), over a space of module names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewbot.pack import signals as sig

snake = st.from_regex(r"[a-z][a-z0-9]{1,8}(_[a-z][a-z0-9]{1,6}){0,2}", fullmatch=True)
words = st.lists(st.from_regex(r"[a-z]{2,7}", fullmatch=True), min_size=1, max_size=3)
OTHER = ["pkg/other.py", "tests/test_other.py", "src/other.ts", "other_test.go"]


def found(changed: str, paths: list[str]) -> set[str]:
    return set(sig.tests([changed], paths))


@given(snake)
def test_python_private_module_pulls_its_test(name: str) -> None:
    module, test = f"pkg/_{name}.py", f"tests/test_{name}.py"
    assert test in found(module, [test, *OTHER])
    assert module in found(test, [module, *OTHER])


@given(snake)
def test_python_test_in_folder_named_after_module(name: str) -> None:
    test = f"tests/{name}/test_{name}_more.py"
    assert test in found(f"pkg/_{name}.py", [test, *OTHER])


@given(snake)
def test_go_test_pairs_in_its_package_only(name: str) -> None:
    assert found(f"svc/{name}.go", [f"svc/{name}_test.go", f"other/{name}_test.go"]) == {
        f"svc/{name}_test.go"
    }
    assert found(f"svc/{name}_test.go", [f"svc/{name}.go", f"other/{name}.go"]) == {
        f"svc/{name}.go"
    }


@given(words, st.sampled_from(["{}.test.ts", "{}.spec.ts", "__tests__/{}.ts", "{}.test.tsx"]))
def test_typescript_kebab_tests_pair_with_pascal_modules(parts: list[str], pattern: str) -> None:
    pascal = "".join(p.capitalize() for p in parts)
    test = "tests/" + pattern.format("-".join(parts))
    module = f"src/types/{pascal}.ts"
    assert module in found(test, [module, "src/other.ts"])
    assert test in found(module, [test, "tests/other.test.ts"])


@given(snake)
def test_rust_integration_tests_pair_with_modules(name: str) -> None:
    assert f"tests/{name}.rs" in found(f"src/{name}.rs", [f"tests/{name}.rs", "src/lib.rs"])
    assert f"src/{name}.rs" in found(f"tests/{name}.rs", [f"src/{name}.rs", "src/lib.rs"])


@given(words)
def test_java_test_tree_mirrors_main_tree(parts: list[str]) -> None:
    cls = "".join(p.capitalize() for p in parts)
    main = f"core/src/main/java/com/acme/{cls}.java"
    near = f"core/src/test/java/com/acme/{cls}Test.java"
    far = f"other/src/test/java/org/else/{cls}Test.java"
    scores = sig.tests([main], [near, far])
    assert scores[near].score > scores[far].score
    assert main in found(near, [main])


@pytest.mark.parametrize(
    ("changed", "candidate"),
    [
        ("pkg/util.py", "src/util.ts"),  # another language
        ("svc/handler.go", "svc/handler.py"),
        ("pkg/core.py", "pkg/core_helpers.py"),  # not a test
    ],
)
def test_no_pairing_across_languages_or_with_non_tests(changed: str, candidate: str) -> None:
    assert candidate not in found(changed, [candidate])


@pytest.mark.parametrize(
    ("changed", "candidate"),
    [
        ("http3/__init__.py", "tests/client/__init__.py"),
        ("cli/__main__.py", "tests/__main__.py"),
        ("src/app/index.ts", "tests/other/index.test.ts"),
        ("src/mod.rs", "tests/x/mod.rs"),
    ],
)
def test_generic_names_pair_only_within_one_folder(changed: str, candidate: str) -> None:
    assert candidate not in found(changed, [candidate])
    assert changed not in found(candidate, [changed])


def test_generic_names_pair_in_the_same_folder() -> None:
    assert "src/app/index.test.ts" in found("src/app/index.ts", ["src/app/index.test.ts"])
