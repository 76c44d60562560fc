"""How a simulated SensorThings server departs from the standard: FROST's ways or istSOS4's.

``frost`` (FROST-Server, the default): times with milliseconds, ``$orderby`` and
geo functions on any path, numbers as computed, next links only when more
remain, answers with a length (and an ETag, from ``citysim.conditional``).

``istsos4`` (istSOS4, github.com/istSOS/istSOS4, as measured against its API at
commit 4924510d): it stores milliseconds but writes times in whole seconds
(``2026-11-18T10:42:42Z``; ``$filter`` still compares what it stores);
``$orderby`` takes an entity's own properties only (``@iot.id`` gives 400
"type object 'Thing' has no attribute '@iot'"; ``id`` is fine); geo functions
take only a Location's own ``location`` (a navigation path is a 400, another
entity set a 404); whole numbers are written without a decimal point (``79``);
an expanded collection always has ``<Name>@iot.nextLink``, ``null`` when no more
remain; the top-level next link is percent-encoded throughout (nested ones keep
``$`` raw); answers are chunked, without an ETag.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode

from citysim.sensorthings.expressions import Binary, Call, Expr, Not, Path
from citysim.sensorthings.nodes import NAVIGATION
from citysim.sensorthings.options import OptionProblem, Options

Dialect = Literal["frost", "istsos4"]
DIALECTS: tuple[Dialect, ...] = ("frost", "istsos4")
ISTSOS4_CITIES = frozenset({"linkoping"})
"""Demo cities whose SensorThings server is an istSOS4 (the others are FROST)."""
TIMES = frozenset({"phenomenonTime", "resultTime", "validTime", "time"})


class NotAccepted(OptionProblem):
    """A request istSOS4 refuses; ``status`` is what it answers."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def dialect_for_city(city_id: str) -> Dialect:
    """The dialect a demo city's SensorThings server speaks."""
    return "istsos4" if city_id in ISTSOS4_CITIES else "frost"


def check(options: Options, entity_type: str) -> None:
    """Refuse, as istSOS4 does, what it does not take (nested options included)."""
    for order in options.orderby:
        refused = _refused_order(order.expr, entity_type)
        if refused is not None:
            raise NotAccepted(f"type object '{entity_type}' has no attribute '{refused}'")
    if options.filter is not None:
        for call in _calls(options.filter):
            if not call.name.startswith(("geo.", "st_")):
                continue
            paths = [a for a in call.args if isinstance(a, Path)]
            if any(p.segments != ("location",) for p in paths):
                raise NotAccepted("'Attribute' object has no attribute 'name'")
            if entity_type != "Location":
                raise NotAccepted("Not Found", status=404)
    for item in options.expand:
        target = NAVIGATION[entity_type][item.name][0]
        check(item.options, target)


def _refused_order(expr: Expr, entity_type: str) -> str | None:
    """What istSOS4 names when it refuses to order by ``expr``; None when it orders by it."""
    if not isinstance(expr, Path):
        return "expression"
    first = expr.segments[0]
    if len(expr.segments) > 1 or first.startswith("@") or first in NAVIGATION[entity_type]:
        return first.split(".")[0]
    return None


def _calls(expr: Expr) -> Iterator[Call]:
    if isinstance(expr, Call):
        yield expr
        for arg in expr.args:
            yield from _calls(arg)
    elif isinstance(expr, Binary):
        yield from _calls(expr.left)
        yield from _calls(expr.right)
    elif isinstance(expr, Not):
        yield from _calls(expr.operand)


def as_istsos4(body: Any, *, top: bool = True) -> Any:
    """A rendered answer as istSOS4 writes it (times, whole numbers, next links)."""
    if isinstance(body, list):
        return [as_istsos4(item, top=False) for item in body]
    if not isinstance(body, dict):
        return body
    out: dict[str, Any] = {}
    for key, value in body.items():
        if key in TIMES and isinstance(value, str):
            out[key] = "/".join(_whole_second(part) for part in value.split("/"))
        elif key == "result" and isinstance(value, float) and value.is_integer():
            out[key] = int(value)
        elif key == "@iot.nextLink" and top and isinstance(value, str):
            out[key] = _encoded(value)
        else:
            out[key] = as_istsos4(value, top=False)
        if isinstance(value, list) and f"{key}@iot.nextLink" not in body and _expanded(key):
            out[f"{key}@iot.nextLink"] = None
    return out


def _expanded(key: str) -> bool:
    return key[:1].isupper() and "@" not in key


def _whole_second(text: str) -> str:
    """``2026-11-18T10:42:42.370Z`` -> ``2026-11-18T10:42:42Z`` (rounded down, as istSOS4 does)."""
    head, dot, rest = text.partition(".")
    if not dot:
        return text
    zone = rest.lstrip("0123456789")
    return head + zone


def _encoded(link: str) -> str:
    base, mark, query = link.partition("?")
    if not mark:
        return link
    return f"{base}?{urlencode(parse_qsl(query, keep_blank_values=True), safe='')}"
