"""Names too common to link two files: a file defining ``get`` or ``__init__`` says nothing
about a change that calls ``get``. Dunders count in every language; the rest per language
(protocol methods, test-framework calls, standard types the symbol matcher would otherwise
take for the repository's own)."""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_EVERYWHERE = _words(
    "get set run main init close open read write update copy clear reset start stop "
    "name value data result error err key keys values items size len length add remove "
    "put apply call test setup build parse format load save next"
)
_BY_LANGUAGE: dict[str, frozenset[str]] = {
    "python": _words(
        "self cls append extend pop join split strip encode decode isinstance getattr "
        "setattr hasattr super print repr str int dict list tuple bool type object "
        "setUp tearDown assertEqual assertTrue assertFalse assertRaises assertIn fixture "
        "mark raises parametrize monkeypatch Exception ValueError TypeError KeyError "
        "RuntimeError Optional Union Any List Dict Tuple Callable"
    ),
    "go": _words(
        "New String Error Len Less Swap Close Read Write Get Set Run Init Reset Unwrap Is "
        "As Println Printf Sprintf Errorf Fatal Fatalf Helper Cleanup Parallel Equal "
        "NoError Nil True False Context Background TODO ServeHTTP Handler"
    ),
    "java": _words(
        "toString equals hashCode compareTo clone iterator hasNext getName getValue valueOf "
        "of builder isEmpty contains accept Override Test Before After String Object "
        "Integer Long Boolean List Map Set Collection Optional Exception RuntimeException "
        "IllegalArgumentException IllegalStateException assertEquals assertTrue "
        "assertFalse assertNull assertNotNull assertThat fail"
    ),
    "rust": _words(
        "new fmt from into default drop deref eq ne cmp partial_cmp hash is_empty as_ref "
        "as_mut unwrap expect map iter to_string to_owned Ok Err Some None Box Vec String "
        "Option Result Self Debug Display Clone Default PartialEq assert_eq assert"
    ),
    "javascript": _words(
        "constructor toString valueOf push map filter forEach reduce then catch exports "
        "require describe it expect toBe toEqual toThrow console log Promise Object Array "
        "String Number Boolean Error JSON stringify props state render"
    ),
}
_BY_LANGUAGE["typescript"] = _BY_LANGUAGE["tsx"] = _BY_LANGUAGE["javascript"] | _words(
    "Record Partial Readonly Pick Omit Exclude Extract ReturnType Parameters infer "
    "keyof unknown never any"
)


def is_stop_name(name: str, language: str | None = None) -> bool:
    """True for dunders and for names ubiquitous in ``language`` (or in any language)."""
    if len(name) > 4 and name.startswith("__") and name.endswith("__"):
        return True
    if name in _EVERYWHERE:
        return True
    if language is None:
        return any(name in names for names in _BY_LANGUAGE.values())
    return name in _BY_LANGUAGE.get(language, frozenset())
