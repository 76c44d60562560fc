"""The q grammar: what parses, what does not (always a QSyntaxError, never a crash)."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citysim.ngsi_ld import q


def test_and_binds_tighter_than_or() -> None:
    node = q.parse("a>1;b<2|c")
    assert isinstance(node, q.Logic)
    assert node.op == "or"
    assert isinstance(node.items[0], q.Logic)
    assert node.items[0].op == "and"


def test_values_are_typed() -> None:
    kinds = {
        "a==1.5e2": ("number", 150.0),
        'a=="x y"': ("string", "x y"),
        "a==true": ("boolean", True),
        "a==urn:ngsi-ld:Device:1": ("uri", "urn:ngsi-ld:Device:1"),
        "a>=2026-11-25T10:00:00Z": ("datetime", datetime(2026, 11, 25, 10, tzinfo=UTC)),
        "a>=2026-11-25T11:00:00+01:00": ("datetime", datetime(2026, 11, 25, 10, tzinfo=UTC)),
        "a>=2026-11-25T10:00:00": ("datetime", datetime(2026, 11, 25, 10, tzinfo=UTC)),
    }
    for text, (kind, value) in kinds.items():
        term = q.parse(text)
        assert isinstance(term, q.Term)
        assert isinstance(term.operand, q.Value)
        assert (term.operand.kind, term.operand.value) == (kind, value), text


def test_paths_ranges_lists_and_patterns() -> None:
    term = q.parse("address[addressLocality.name]==1..5")
    assert isinstance(term, q.Term)
    assert term.path == q.AttrPath(("address",), ("addressLocality", "name"))
    assert isinstance(term.operand, q.Range)
    listed = q.parse('a=="x","y"')
    assert isinstance(listed, q.Term)
    assert isinstance(listed.operand, tuple)
    pattern = q.parse("name~=^(Norr|Söder)$;x")
    assert isinstance(pattern, q.Logic)
    first = pattern.items[0]
    assert isinstance(first, q.Term)
    assert isinstance(first.operand, q.Pattern)
    assert first.operand.regex.pattern == "^(Norr|Söder)$"


def test_evaluation_follows_types() -> None:
    def resolve(value: object, kind: str = "Property") -> q.Resolve:
        return lambda path: q.Target(kind, value)

    stamp = {"@type": "DateTime", "@value": "2026-11-25T10:00:00.500Z"}
    assert q.evaluate(q.parse("a>=2026-11-25T10:00:00Z"), resolve(stamp))
    assert not q.evaluate(q.parse("a>=2026-11-25T10:00:01Z"), resolve(stamp))
    assert not q.evaluate(q.parse("a>=2026-11-25T10:00:00Z"), resolve("2026-11-25T10:00:00Z"))
    assert q.evaluate(q.parse('a=="red"'), resolve(["blue", "red"]))
    assert q.evaluate(q.parse('a!="red"'), resolve(["blue", "green"]))
    assert q.evaluate(q.parse("a!=3"), resolve("three")), "other types are unequal"
    assert not q.evaluate(q.parse("a>1"), resolve("urn:x", "Relationship"))
    assert not q.evaluate(q.parse("a!=1"), lambda path: None), "absent is never a match"


@pytest.mark.parametrize(
    "text",
    ["", "a>", "a b", "(a", "a)", "a==", "a==x", "a>true", "a>1,2", "a~=", "1a", "a[b", "a==1..x"],
)
def test_syntax_errors_say_where(text: str) -> None:
    with pytest.raises(q.QSyntaxError, match="at position"):
        q.parse(text)


@given(st.text(alphabet='abc()|;=<>!~.,[]"0123456789-:TZ ', max_size=40))
def test_any_text_parses_or_is_a_syntax_error(text: str) -> None:
    with contextlib.suppress(q.QSyntaxError):
        q.parse(text)
