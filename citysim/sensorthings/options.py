"""Query options of a SensorThings request (OGC 18-088 clause 9.3): parsed and checked.

``$top``, ``$skip``, ``$count``, ``$select``, ``$expand`` (nested options in
parentheses, separated by ``;``, and paths such as ``Datastreams/ObservedProperty``),
``$orderby`` and ``$filter``. ``$resultFormat`` is refused (dataArray is not
offered). An unknown ``$`` option, a repeated one or a bad value is an
``OptionProblem`` whose message starts with the option's name; parameters
without ``$`` are ignored, as servers do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from multidict import MultiMapping

from citysim.sensorthings.evaluate import PROPERTIES, ExpressionProblem, check_paths
from citysim.sensorthings.expressions import Expr, SyntaxProblem, parse
from citysim.sensorthings.nodes import NAVIGATION

DEFAULT_TOP = 100
MAX_TOP = 1000
OPTIONS = ("$top", "$skip", "$count", "$select", "$expand", "$orderby", "$filter")


class OptionProblem(ValueError):
    """A query option that is unknown, repeated, or has a bad value."""


@dataclass(frozen=True, slots=True)
class Order:
    """One ``$orderby`` item."""

    expr: Expr
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Expand:
    """One ``$expand`` item: a navigation property and the options for what it expands to."""

    name: str
    options: Options


@dataclass(frozen=True, slots=True)
class Options:
    """The options of one collection or entity (nested ones inside ``Expand``)."""

    top: int = DEFAULT_TOP
    skip: int = 0
    count: bool = False
    select: tuple[str, ...] | None = None
    expand: tuple[Expand, ...] = ()
    orderby: tuple[Order, ...] = ()
    filter: Expr | None = None
    raw: Mapping[str, str] = field(default_factory=dict)
    """The options as given (for next links)."""


def parse_options(query: MultiMapping[str], entity_type: str) -> Options:
    """The options of a request on ``entity_type`` (its collection or one entity)."""
    given: dict[str, str] = {}
    for name, value in query.items():
        if not name.startswith("$"):
            continue
        if name == "$resultFormat":
            raise OptionProblem("$resultFormat: dataArray is not supported by this server")
        if name not in OPTIONS:
            raise OptionProblem(f"{name}: unknown query option (known: {', '.join(OPTIONS)})")
        if name in given:
            raise OptionProblem(f"{name}: given more than once")
        given[name] = value
    return _options(given, entity_type)


def _options(given: Mapping[str, str], entity_type: str) -> Options:
    return Options(
        top=_integer(given, "$top", DEFAULT_TOP, MAX_TOP),
        skip=_integer(given, "$skip", 0, None),
        count=_boolean(given, "$count"),
        select=_select(given.get("$select"), entity_type),
        expand=_expand(given.get("$expand"), entity_type),
        orderby=_orderby(given.get("$orderby"), entity_type),
        filter=_filter(given.get("$filter"), entity_type),
        raw=dict(given),
    )


def _integer(given: Mapping[str, str], name: str, default: int, maximum: int | None) -> int:
    text = given.get(name)
    if text is None:
        return default
    if not text.strip().isdigit():
        raise OptionProblem(f"{name}: {text!r} is not a non-negative integer")
    value = int(text)
    return min(value, maximum) if maximum is not None else value


def _boolean(given: Mapping[str, str], name: str) -> bool:
    text = given.get(name)
    if text is None:
        return False
    if text not in ("true", "false"):
        raise OptionProblem(f"{name}: must be true or false, got {text!r}")
    return text == "true"


def _select(text: str | None, entity_type: str) -> tuple[str, ...] | None:
    if text is None:
        return None
    names = tuple(n.strip() for n in text.split(","))
    known = PROPERTIES[entity_type] | set(NAVIGATION[entity_type]) | {"@iot.id", "id"}
    for name in names:
        if name not in known:
            raise OptionProblem(f"$select: {entity_type} has no property {name!r}")
    return names


def _expand(text: str | None, entity_type: str) -> tuple[Expand, ...]:
    if text is None:
        return ()
    items: list[Expand] = []
    for part in _split(text, ","):
        name, inner = _head(part)
        path = name.split("/")
        items.append(_expand_path(path, inner, entity_type))
    return tuple(_merge(items))


def _expand_path(path: list[str], inner: str | None, entity_type: str) -> Expand:
    nav = NAVIGATION[entity_type].get(path[0])
    if nav is None:
        raise OptionProblem(f"$expand: {entity_type} has no navigation property {path[0]!r}")
    target = nav[0]
    if len(path) > 1:
        nested = _expand_path(path[1:], inner, target)
        return Expand(path[0], Options(expand=(nested,)))
    options = _nested_options(inner, target) if inner is not None else Options()
    return Expand(path[0], options)


def _nested_options(text: str, entity_type: str) -> Options:
    given: dict[str, str] = {}
    for part in _split(text, ";"):
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in OPTIONS:
            raise OptionProblem(f"$expand: unknown nested option {name!r}")
        if name in given:
            raise OptionProblem(f"$expand: nested {name} given more than once")
        given[name] = value.strip()
    return _options(given, entity_type)


def _merge(items: list[Expand]) -> list[Expand]:
    """``Datastreams/Sensor,Datastreams/ObservedProperty`` expand Datastreams once, with both."""
    merged: dict[str, Expand] = {}
    for item in items:
        earlier = merged.get(item.name)
        if earlier is None:
            merged[item.name] = item
        else:
            options = earlier.options
            combined = tuple(_merge([*options.expand, *item.options.expand]))
            merged[item.name] = Expand(item.name, _with_expand(options, combined))
    return list(merged.values())


def _with_expand(options: Options, expand: tuple[Expand, ...]) -> Options:
    return Options(
        options.top,
        options.skip,
        options.count,
        options.select,
        expand,
        options.orderby,
        options.filter,
        options.raw,
    )


def _orderby(text: str | None, entity_type: str) -> tuple[Order, ...]:
    if text is None:
        return ()
    orders = []
    for part in _split(text, ","):
        words = part.strip().rsplit(None, 1)
        descending = len(words) == 2 and words[1].lower() == "desc"
        body = words[0] if len(words) == 2 and words[1].lower() in ("asc", "desc") else part
        orders.append(Order(_expression("$orderby", body, entity_type), descending))
    return tuple(orders)


def _filter(text: str | None, entity_type: str) -> Expr | None:
    return None if text is None else _expression("$filter", text, entity_type)


def _expression(option: str, text: str, entity_type: str) -> Expr:
    try:
        expr = parse(text)
        check_paths(expr, entity_type)
    except (SyntaxProblem, ExpressionProblem) as exc:
        raise OptionProblem(f"{option}: {exc}") from None
    return expr


def _head(part: str) -> tuple[str, str | None]:
    """``Name(options)`` -> ``("Name", "options")``; ``Name`` -> ``("Name", None)``."""
    part = part.strip()
    if "(" not in part:
        return part, None
    if not part.endswith(")"):
        raise OptionProblem(f"$expand: unbalanced parentheses in {part!r}")
    name, _, inner = part.partition("(")
    return name.strip(), inner[:-1]


def _split(text: str, separator: str) -> list[str]:
    """Split at ``separator`` outside parentheses and quotes."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, char in enumerate(text):
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
            if depth < 0:
                raise OptionProblem(f"unbalanced parentheses in {text!r}")
        elif not quoted and depth == 0 and char == separator:
            parts.append(text[start:i])
            start = i + 1
    if depth != 0 or quoted:
        raise OptionProblem(f"unbalanced parentheses or quotes in {text!r}")
    parts.append(text[start:])
    return [p for p in parts if p.strip()]
