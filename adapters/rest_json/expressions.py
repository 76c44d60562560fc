"""Field expressions of a rest-json mapping: a path into a JSON item, then filters.

::

    temperature                        the member "temperature"
    wind.speed | scale(0.2777778)      km/h -> m/s
    location.coordinates[1]            an array element (negative counts from the end)
    properties["air temp"]             a member whose name is not a plain word
    $                                  the item itself
    'fixed text'  /  42                a literal
    humidity | scale(0.01) | round(2)  filters apply left to right
    urn:ngsi-ld:WeatherObserved:{id}   a template: each {expression} is replaced by its text

Filters: ``number``, ``integer``, ``string``, ``boolean``, ``scale(k)``, ``add(k)``,
``round(n)``, ``datetime`` (ISO 8601; no zone: UTC), ``epoch_s``, ``epoch_ms``,
``lower``, ``upper``, ``first``, ``last``, ``default(v)``. A missing member, or a
filter that does not fit the value, gives null (``default`` replaces it).
Expressions are compiled once, when the federation file is loaded.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

Value = Any
Filter = Callable[[Value], Value]

_SEGMENT = re.compile(r"\.?([A-Za-z_@$][\w@$-]*)|\[(-?\d+)\]|\[\"([^\"]*)\"\]|\['([^']*)'\]")
_CALL = re.compile(r"^([a-z_]+)(?:\((.*)\))?$")
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


class ExpressionError(ValueError):
    """An expression that cannot be compiled; the message says where."""


@dataclass(frozen=True, slots=True)
class Expression:
    """A compiled expression; call ``evaluate(item)``."""

    source: str
    _steps: tuple[Callable[[Value], Value], ...]

    def evaluate(self, item: Value) -> Value:
        """The value for ``item`` (a JSON value), or None."""
        value = item
        for step in self._steps:
            value = step(value)
        return value


@dataclass(frozen=True, slots=True)
class Template:
    """A string with ``{expression}`` placeholders."""

    source: str
    _parts: tuple[str | Expression, ...]

    def evaluate(self, item: Value) -> str | None:
        """The filled-in text, or None when a placeholder has no value."""
        out: list[str] = []
        for part in self._parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = part.evaluate(item)
            if value is None:
                return None
            out.append(_text(value))
        return "".join(out)


Field = Expression | Template


def compile_field(source: str) -> Field:
    """A template when ``source`` holds ``{...}``, else an expression."""
    if "{" in source:
        return compile_template(source)
    return compile_expression(source)


def compile_template(source: str) -> Template:
    """Compile ``text {expr} text``."""
    parts: list[str | Expression] = []
    position = 0
    for match in _PLACEHOLDER.finditer(source):
        parts.append(source[position : match.start()])
        parts.append(compile_expression(match[1]))
        position = match.end()
    tail = source[position:]
    if "{" in tail or "}" in tail:
        raise ExpressionError(f"unbalanced braces in template {source!r}")
    parts.append(tail)
    return Template(source, tuple(p for p in parts if p != ""))


def compile_expression(source: str) -> Expression:
    """Compile ``path | filter | filter(arg)``."""
    head, *filters = (part.strip() for part in _split_pipes(source))
    if not head:
        raise ExpressionError(f"empty expression in {source!r}")
    steps: list[Callable[[Value], Value]] = [_head(head)]
    steps.extend(_filter(f, source) for f in filters)
    return Expression(source, tuple(steps))


def _split_pipes(source: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quote = ""
    for char in source:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "|":
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    if quote:
        raise ExpressionError(f"unterminated quote in {source!r}")
    parts.append("".join(current))
    return parts


def _head(text: str) -> Callable[[Value], Value]:
    literal = _literal(text)
    if literal is not _NOT_LITERAL:
        return _constant(literal)
    if text == "$":
        return lambda item: item
    keys: list[str | int] = []
    position = 0
    while position < len(text):
        match = _SEGMENT.match(text, position)
        if match is None or (position == 0 and text.startswith(".")):
            raise ExpressionError(f"cannot read the path {text!r} at character {position + 1}")
        name, index, dq, sq = match.groups()
        keys.append(int(index) if index is not None else (name or dq or sq or ""))
        position = match.end()
    path = tuple(keys)
    return lambda item: _walk(item, path)


def _constant(value: Value) -> Callable[[Value], Value]:
    return lambda _item: value


def _walk(value: Value, path: Sequence[str | int]) -> Value:
    for key in path:
        if isinstance(key, int):
            if not isinstance(value, list) or not -len(value) <= key < len(value):
                return None
            value = value[key]
        elif isinstance(value, dict):
            value = value.get(key)
        else:
            return None
    return value


_NOT_LITERAL = object()


def _literal(text: str) -> Any:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    if text in ("true", "false", "null") or re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", text):
        return orjson.loads(text)
    return _NOT_LITERAL


def _filter(text: str, source: str) -> Callable[[Value], Value]:
    match = _CALL.match(text)
    if match is None:
        raise ExpressionError(f"{text!r} is not a filter (in {source!r})")
    name, arg_text = match[1], match[2]
    arg = _NOT_LITERAL if arg_text is None else _literal(arg_text.strip())
    if arg_text is not None and arg is _NOT_LITERAL:
        raise ExpressionError(f"{name}: the argument {arg_text!r} is not a literal")
    make = _FILTERS.get(name)
    if make is None:
        known = ", ".join(sorted(_FILTERS))
        raise ExpressionError(f"unknown filter {name!r} in {source!r} (known: {known})")
    takes, factory = make
    if takes and arg is _NOT_LITERAL:
        raise ExpressionError(f"filter {name} needs an argument, e.g. {name}(1)")
    if not takes and arg is not _NOT_LITERAL:
        raise ExpressionError(f"filter {name} takes no argument")
    if takes == "number" and (isinstance(arg, bool) or not isinstance(arg, int | float)):
        raise ExpressionError(f"filter {name} needs a number, got {arg_text}")
    return factory(arg)


def _number(value: Value) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _numeric(op: Callable[[float], Value]) -> Filter:
    def apply(value: Value) -> Value:
        number = _number(value)
        return None if number is None else op(number)

    return apply


def _to_datetime(value: Value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _epoch(scale: float) -> Filter:
    def apply(value: Value) -> Value:
        number = _number(value)
        if number is None:
            return None
        try:
            return datetime.fromtimestamp(number / scale, UTC)
        except (OverflowError, OSError, ValueError):
            return None

    return apply


def _text(value: Value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    return orjson.dumps(value).decode()


def _integer(value: Value) -> int | None:
    number = _number(value)
    return None if number is None else int(number)


_FILTERS: dict[str, tuple[str, Callable[[Any], Filter]]] = {
    "number": ("", lambda _: _numeric(lambda n: n)),
    "integer": ("", lambda _: _integer),
    "string": ("", lambda _: lambda v: None if v is None else _text(v)),
    "boolean": ("", lambda _: lambda v: v if isinstance(v, bool) else None),
    "scale": ("number", lambda k: _numeric(lambda n: n * k)),
    "add": ("number", lambda k: _numeric(lambda n: n + k)),
    "round": ("number", lambda k: _numeric(lambda n: round(n, int(k)))),
    "datetime": ("", lambda _: _to_datetime),
    "epoch_s": ("", lambda _: _epoch(1.0)),
    "epoch_ms": ("", lambda _: _epoch(1000.0)),
    "lower": ("", lambda _: lambda v: v.lower() if isinstance(v, str) else None),
    "upper": ("", lambda _: lambda v: v.upper() if isinstance(v, str) else None),
    "first": ("", lambda _: lambda v: v[0] if isinstance(v, list) and v else None),
    "last": ("", lambda _: lambda v: v[-1] if isinstance(v, list) and v else None),
    "default": ("any", lambda d: lambda v: d if v is None else v),
}
"""Filter name -> (argument kind: "" none, "number", "any"; factory)."""
