"""Evaluate ``$filter`` / ``$orderby`` expressions against nodes of the entity graph.

A path through a to-many navigation property (``Datastreams/Observations/result``)
has several values; a comparison holds when it holds for any of them, as in
FROST. Times (``phenomenonTime``, ...) compare as instants, intervals as
``start/end`` (``gt``/``ge`` look at the start, ``lt``/``le`` at the end).
Geometries are GeoJSON; ``geo.intersects`` and the ``st_`` functions follow
citysim's NGSI-LD geometry (boundaries: ``within`` excludes, ``intersects``
includes); ``geo.distance`` and ``geo.length`` are in metres on the sphere.
An ``ExpressionProblem`` (a 400) names an unknown property or function.
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from citysim.ngsi_ld.geo import GeoQuery, haversine_m, matches, shape_of
from citysim.sensorthings.expressions import Binary, Call, Expr, Literal, Not, Path
from citysim.sensorthings.nodes import NAVIGATION, TIME_PROPERTIES, Node

MAX_COMBINATIONS = 10_000

PROPERTIES: Mapping[str, frozenset[str]] = {
    "Thing": frozenset({"name", "description", "properties"}),
    "Location": frozenset({"name", "description", "encodingType", "location", "properties"}),
    "HistoricalLocation": frozenset({"time"}),
    "Datastream": frozenset(
        {
            "name",
            "description",
            "observationType",
            "unitOfMeasurement",
            "observedArea",
            "phenomenonTime",
            "resultTime",
            "properties",
        }
    ),
    "Sensor": frozenset({"name", "description", "encodingType", "metadata", "properties"}),
    "ObservedProperty": frozenset({"name", "definition", "description", "properties"}),
    "Observation": frozenset(
        {"phenomenonTime", "resultTime", "result", "resultQuality", "validTime", "parameters"}
    ),
    "FeatureOfInterest": frozenset(
        {"name", "description", "encodingType", "feature", "properties"}
    ),
}
"""Entity type -> own properties (besides ``@iot.id`` / ``id``)."""
OPEN = frozenset(
    {
        "properties",
        "unitOfMeasurement",
        "parameters",
        "result",
        "location",
        "feature",
        "observedArea",
    }
)
"""Properties holding JSON, whose members a path may continue into."""


class ExpressionProblem(ValueError):
    """An expression that parses but cannot be evaluated here."""


Interval = tuple[datetime, datetime]


def check_paths(expr: Expr, entity_type: str) -> None:
    """Refuse paths and functions this entity type does not have."""
    if isinstance(expr, Path):
        _check_path(expr.segments, entity_type)
    elif isinstance(expr, Call):
        if expr.name not in FUNCTIONS:
            raise ExpressionProblem(f"unknown or unsupported function {expr.name!r}")
        for arg in expr.args:
            check_paths(arg, entity_type)
    elif isinstance(expr, Binary):
        check_paths(expr.left, entity_type)
        check_paths(expr.right, entity_type)
    elif isinstance(expr, Not):
        check_paths(expr.operand, entity_type)


def _check_path(segments: tuple[str, ...], entity_type: str) -> None:
    current = entity_type
    for i, segment in enumerate(segments):
        nav = NAVIGATION[current].get(segment)
        if nav is not None:
            current = nav[0]
            continue
        if segment in ("@iot.id", "id") and i == len(segments) - 1:
            return
        if segment in PROPERTIES[current] and (i == len(segments) - 1 or segment in OPEN):
            return
        raise ExpressionProblem(f"{entity_type} has no property {'/'.join(segments[: i + 1])!r}")


def holds(expr: Expr, node: Node) -> bool:
    """True when the filter ``expr`` holds for ``node``."""
    return any(v is True for v in evaluate(expr, node))


def evaluate(expr: Expr, node: Node) -> list[Any]:
    """Every value ``expr`` takes for ``node`` (several through to-many paths)."""
    if isinstance(expr, Literal):
        return [expr.value]
    if isinstance(expr, Path):
        return resolve(node, expr.segments)
    if isinstance(expr, Not):
        return [not holds(expr.operand, node)]
    if isinstance(expr, Binary):
        if expr.op == "and":
            return [holds(expr.left, node) and holds(expr.right, node)]
        if expr.op == "or":
            return [holds(expr.left, node) or holds(expr.right, node)]
        left, right = evaluate(expr.left, node) or [None], evaluate(expr.right, node) or [None]
        if expr.op in _COMPARE:
            return [any(compare(expr.op, a, b) for a, b in _pairs(left, right))]
        return [_arithmetic(expr.op, a, b) for a, b in _pairs(left, right)]
    assert isinstance(expr, Call)
    function = FUNCTIONS[expr.name]
    values = [evaluate(arg, node) or [None] for arg in expr.args]
    return [_safe(function, combo) for combo in _product(values)]


def resolve(node: Node, segments: tuple[str, ...]) -> list[Any]:
    """The values at the end of a path from ``node``."""
    current: list[Any] = [node]
    for segment in segments:
        following: list[Any] = []
        for item in current:
            if isinstance(item, Node):
                following.extend(_step(item, segment))
            elif isinstance(item, Mapping) and segment in item:
                following.append(item[segment])
        current = following
    return current


def _step(node: Node, segment: str) -> list[Any]:
    if segment in NAVIGATION[node.type]:
        target = node.navigate(segment)
        if target is None:
            return []
        return target if isinstance(target, list) else [target]
    if segment in ("@iot.id", "id"):
        return [node.id]
    value = node.properties().get(segment)
    if segment in TIME_PROPERTIES and isinstance(value, str):
        return [time_value(value)]
    return [value]


def time_value(text: str) -> datetime | Interval:
    """An instant, or an interval ``start/end``, as datetimes."""
    if "/" in text:
        start, end = text.split("/", 1)
        return (_instant(start), _instant(end))
    return _instant(text)


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def compare(op: str, a: Any, b: Any) -> bool:
    """``a op b``; intervals against instants; null only equals null; wrong types: False."""
    if a is None or b is None:
        return (
            (a is None and b is None) if op == "eq" else (op == "ne" and (a is None) != (b is None))
        )
    if isinstance(a, tuple) or isinstance(b, tuple):
        return _compare_interval(op, a, b)
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    try:
        return bool(_COMPARE[op](a, b))
    except TypeError:
        return False


def _compare_interval(op: str, a: Any, b: Any) -> bool:
    a0, a1 = a if isinstance(a, tuple) else (a, a)
    b0, b1 = b if isinstance(b, tuple) else (b, b)
    try:
        if op in ("eq", "ne"):
            return bool(a0 == b0 and a1 == b1) == (op == "eq")
        if op in ("gt", "ge"):
            return bool(_COMPARE[op](a0, b1))
        return bool(_COMPARE[op](a1, b0))
    except TypeError:
        return False


_COMPARE: Mapping[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}


def _arithmetic(op: str, a: Any, b: Any) -> Any:
    try:
        if op == "add":
            return a + b
        if op == "sub":
            return a - b
        if op == "mul":
            return a * b
        if op == "div":
            return a / b if b else None
        return a % b if b else None
    except TypeError:
        return None


def _pairs(left: list[Any], right: list[Any]) -> Iterable[tuple[Any, Any]]:
    return itertools.islice(itertools.product(left, right), MAX_COMBINATIONS)


def _product(values: list[list[Any]]) -> Iterable[tuple[Any, ...]]:
    return itertools.islice(itertools.product(*values), MAX_COMBINATIONS)


def _safe(function: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    try:
        return function(*args)
    except (TypeError, ValueError, AttributeError, IndexError, KeyError):
        return None


def _geo(relation: str) -> Callable[[Any, Any], bool]:
    def test(a: Any, b: Any) -> bool:
        return matches(GeoQuery(relation, shape_of(b)), shape_of(a))

    return test


def _positions(geometry: Mapping[str, Any]) -> list[tuple[float, float]]:
    shape = shape_of(geometry)
    return list(shape.points)


def _distance(a: Any, b: Any) -> float:
    return min(haversine_m(p, q) for p in _positions(a) for q in _positions(b))


def _length(a: Any) -> float:
    coordinates = a["coordinates"] if a.get("type") == "LineString" else []
    return math.fsum(haversine_m(tuple(p), tuple(q)) for p, q in itertools.pairwise(coordinates))


def _date_part(name: str) -> Callable[[Any], Any]:
    def part(moment: Any) -> Any:
        value = moment[0] if isinstance(moment, tuple) else moment
        return getattr(value, name)

    return part


def _substring(text: str, start: int, length: int | None = None) -> str:
    return text[start:] if length is None else text[start : start + length]


FUNCTIONS: Mapping[str, Callable[..., Any]] = {
    "substringof": lambda a, b: a in b,
    "contains": lambda a, b: b in a,
    "endswith": lambda a, b: a.endswith(b),
    "startswith": lambda a, b: a.startswith(b),
    "length": len,
    "indexof": lambda a, b: a.find(b),
    "substring": _substring,
    "tolower": lambda a: a.lower(),
    "toupper": lambda a: a.upper(),
    "trim": lambda a: a.strip(),
    "concat": lambda a, b: a + b,
    "year": _date_part("year"),
    "month": _date_part("month"),
    "day": _date_part("day"),
    "hour": _date_part("hour"),
    "minute": _date_part("minute"),
    "second": _date_part("second"),
    "fractionalseconds": lambda m: (m[0] if isinstance(m, tuple) else m).microsecond / 1e6,
    "date": lambda m: (m[0] if isinstance(m, tuple) else m).date().isoformat(),
    "totaloffsetminutes": lambda m: 0,
    "now": lambda: datetime.now(UTC),
    "mindatetime": lambda m: m[0] if isinstance(m, tuple) else m,
    "maxdatetime": lambda m: m[1] if isinstance(m, tuple) else m,
    "round": lambda a: float(round(a)),
    "floor": lambda a: float(math.floor(a)),
    "ceiling": lambda a: float(math.ceil(a)),
    "geo.intersects": _geo("intersects"),
    "st_intersects": _geo("intersects"),
    "st_within": _geo("within"),
    "st_contains": _geo("contains"),
    "st_disjoint": _geo("disjoint"),
    "st_equals": _geo("equals"),
    "st_overlaps": _geo("overlaps"),
    "geo.distance": _distance,
    "geo.length": _length,
}
"""Function name (lower case) -> implementation."""
