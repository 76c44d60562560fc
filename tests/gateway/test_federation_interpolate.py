"""``${VAR}`` interpolation of string values."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.federation.interpolate import UNRESOLVED, InterpolationError, Interpolator


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("${HOST}", "db.example.se"),
        ("http://${HOST}:${PORT}/x", "http://db.example.se:8080/x"),
        ("${UNSET:-fallback}", "fallback"),
        ("${UNSET:-}", ""),
        ("${EMPTY:-fallback}", "fallback"),
        ("${EMPTY}", ""),
        ("${HOST:-ignored}", "db.example.se"),
        ("${UNSET:-a:b-c}", "a:b-c"),
        ("$${HOST}", "${HOST}"),
        ("a$${B:-x}c", "a${B:-x}c"),
        ("$$ alone", "$$ alone"),
        ("cost $5 and {braces}", "cost $5 and {braces}"),
    ],
)
def test_resolve(text: str, expected: str) -> None:
    env = {"HOST": "db.example.se", "PORT": "8080", "EMPTY": ""}
    assert Interpolator(env).resolve(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("${UNSET}", "environment variable UNSET is not set (give a default: ${UNSET:-...})"),
        ("${not valid}", "invalid reference ${not valid} (use ${NAME} or ${NAME:-default})"),
        ("${}", "invalid reference ${} (use ${NAME} or ${NAME:-default})"),
        ("${A:-${B}}", "invalid reference ${A:-${B} (use ${NAME} or ${NAME:-default})"),
        ("${HOST", "unterminated ${ (write $${ for a literal ${)"),
    ],
)
def test_resolve_errors_name_the_variable(text: str, message: str) -> None:
    with pytest.raises(InterpolationError) as caught:
        Interpolator({"HOST": "h"}).resolve(text)
    assert str(caught.value) == message


def test_secrets_are_the_values_taken_from_the_environment_only() -> None:
    interpolator = Interpolator({"TOKEN": "s3cret", "HOST": "h"})
    interpolator.resolve("Bearer ${TOKEN} ${PORT:-9000} ${HOST}")
    assert interpolator.secrets == {"s3cret", "h"}


def test_resolve_tree_resolves_string_values_not_keys_nor_other_types() -> None:
    tree = {"${K}": "${V}", "n": 3, "b": True, "x": None, "l": ["${V}", 1.5]}
    reported: list[tuple[str, str]] = []
    out = Interpolator({"K": "key", "V": "value"}).resolve_tree(
        tree, "", lambda k, m: reported.append((k, m))
    )
    assert out == {"${K}": "value", "n": 3, "b": True, "x": None, "l": ["value", 1.5]}
    assert reported == []


def test_resolve_tree_reports_each_failure_at_its_dotted_key() -> None:
    tree = {"cities": {"malmo": {"adapter": {"url": "${URL}", "h": ["ok", "${TOKEN}"]}}}}
    reported: list[tuple[str, str]] = []
    out = Interpolator({}).resolve_tree(tree, "", lambda k, m: reported.append((k, m)))
    assert [key for key, _ in reported] == [
        "cities.malmo.adapter.url",
        "cities.malmo.adapter.h[1]",
    ]
    assert out == {"cities": {"malmo": {"adapter": {"url": UNRESOLVED, "h": ["ok", UNRESOLVED]}}}}


def test_resolve_tree_resolves_shared_objects_once() -> None:
    shared = {"scope": "${UNSET}"}
    reported: list[tuple[str, str]] = []
    out = Interpolator({}).resolve_tree(
        {"a": shared, "b": shared}, "", lambda k, m: reported.append((k, m))
    )
    assert [key for key, _ in reported] == ["a.scope"]
    assert isinstance(out, dict)
    assert out["a"] == out["b"] == {"scope": UNRESOLVED}


@given(st.text(alphabet="${}:-aZ_ \n"))
def test_escaping_every_reference_gives_the_text_back(text: str) -> None:
    escaped = text.replace("${", "$${")
    assert Interpolator({"a": "x", "Z": "y"}).resolve(escaped) == text


@given(st.text().filter(lambda t: "$" not in t))
def test_text_without_a_dollar_is_unchanged(text: str) -> None:
    assert Interpolator({}).resolve(text) == text
