"""The OData expressions and WKT literals of the simulated SensorThings server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from multidict import MultiDict

from citysim.sensorthings.evaluate import compare, time_value
from citysim.sensorthings.expressions import Binary, Call, Literal, Not, Path, SyntaxProblem, parse
from citysim.sensorthings.options import OptionProblem, parse_options
from citysim.sensorthings.wkt import parse_wkt

T = datetime(2026, 11, 18, 10, tzinfo=UTC)


def test_precedence_or_and_not_compare_add_mul() -> None:
    expr = parse("not a eq 1 or b add 2 mul 3 gt 4 and c")
    assert expr == Binary(
        "or",
        Not(Binary("eq", Path(("a",)), Literal(1))),
        Binary(
            "and",
            Binary(
                "gt", Binary("add", Path(("b",)), Binary("mul", Literal(2), Literal(3))), Literal(4)
            ),
            Path(("c",)),
        ),
    )


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("'it''s'", "it's"),
        ("-2.5e1", -25.0),
        ("42", 42),
        ("true", True),
        ("null", None),
        ("2026-11-18T11:00:00+01:00", T),
        ("2026-11-18", T - timedelta(hours=10)),
        ("duration'PT1H30M'", timedelta(hours=1, minutes=30)),
        ("geography'POINT(13.0 55.6)'", {"type": "Point", "coordinates": [13.0, 55.6]}),
    ],
)
def test_literals(text: str, value: object) -> None:
    assert parse(text) == Literal(value)


def test_paths_and_calls() -> None:
    assert parse("Datastreams/Observations/result") == Path(
        ("Datastreams", "Observations", "result")
    )
    assert parse("geo.intersects(Locations/location, geography'POINT(1 2)')") == Call(
        "geo.intersects",
        (Path(("Locations", "location")), Literal({"type": "Point", "coordinates": [1.0, 2.0]})),
    )
    assert parse("now()") == Call("now", ())


@pytest.mark.parametrize("text", ["name eq", "(a eq 1", "a eq 1)", "a ~ 1", "f(a b)", "eq 1"])
def test_syntax_problems(text: str) -> None:
    with pytest.raises(SyntaxProblem):
        parse(text)


def test_intervals_compare_by_their_ends() -> None:
    interval = time_value("2026-11-18T09:00:00Z/2026-11-18T10:00:00Z")
    assert compare("le", interval, T)
    assert not compare("lt", interval, T)
    assert compare("ge", interval, T - timedelta(hours=1))
    assert compare("eq", None, None)
    assert not compare("gt", None, 1)
    assert not compare("gt", "text", 1)


@pytest.mark.parametrize(
    ("wkt", "kind", "first"),
    [
        ("POINT (1 2)", "Point", 1.0),
        ("SRID=4326;LINESTRING(1 2, 3 4)", "LineString", [1.0, 2.0]),
        (
            "POLYGON((0 0, 1 0, 1 1, 0 0))",
            "Polygon",
            [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]],
        ),
        ("MULTIPOINT((1 2), (3 4))", "MultiPoint", [1.0, 2.0]),
        ("MULTIPOINT(1 2, 3 4)", "MultiPoint", [1.0, 2.0]),
        ("POINT Z (1 2 3)", "Point", 1.0),
    ],
)
def test_wkt(wkt: str, kind: str, first: object) -> None:
    geometry = parse_wkt(wkt)
    assert geometry["type"] == kind
    assert geometry["coordinates"][0] == first


@pytest.mark.parametrize("wkt", ["POINT()", "CIRCLE(1 2)", "SRID=3006;POINT(1 2)", "POLYGON(1 2)"])
def test_bad_wkt(wkt: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        parse_wkt(wkt)


def test_nested_expand_options() -> None:
    options = parse_options(
        MultiDict(
            {
                "$expand": "Datastreams($filter=ObservedProperty/name eq 'a;b';$top=1;"
                "$expand=Observations($orderby=phenomenonTime desc;$top=1)),Locations"
            }
        ),
        "Thing",
    )
    datastreams, locations = options.expand
    assert (datastreams.name, datastreams.options.top, locations.name) == (
        "Datastreams",
        1,
        "Locations",
    )
    (observations,) = datastreams.options.expand
    assert observations.options.orderby[0].descending
    with pytest.raises(OptionProblem, match="unbalanced"):
        parse_options(MultiDict({"$expand": "Datastreams($top=1"}), "Thing")
