"""The NGSI-LD query language (``q``, GS CIM 009 clause 4.9): parsed once, evaluated per entity.

Supported: existence (``attr``), ``== != > >= < <=``, ``~=`` and ``!~=`` (regular
expressions, searched), ranges (``a==1..5``), value lists (``a=="x","y"``),
``;`` (AND, binds tighter) and ``|`` (OR), parentheses (nesting allowed), dotted
sub-attribute paths (``temperature.observedAt``, ``waterConsumption.unitCode``) and
compound-value members (``address[addressLocality]``). Values: JSON numbers, quoted
JSON strings, ``true``/``false``, unquoted DateTime / Date / Time (ISO 8601; a
DateTime without offset is UTC) and unquoted URIs. A value only matches a target of
the same data type (a DateTime literal matches a typed DateTime value, never a
plain string); Relationships only take ``==`` and ``!=``. Names may hold letters,
digits, ``_`` and (beyond the grammar, for names such as ``N-TOT``) ``-``. A regular
expression runs to the next ``;``, ``|`` or unbalanced ``)``; group alternatives
inside it: ``name~=(Norr|Söder)``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Literal

ValueKind = Literal["number", "string", "boolean", "datetime", "date", "time", "uri"]
_ORDERED = frozenset({"number", "string", "datetime", "date", "time"})
_OPERATORS = ("==", "!~=", "!=", ">=", ">", "<=", "<", "~=")
_DELIMITERS = frozenset(";|),")

_NAME = re.compile(r"[^\W\d][\w-]*")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_BOOLEAN = re.compile(r"true|false")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s;|(),\"]+")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


class QSyntaxError(ValueError):
    """``q`` does not follow the grammar; ``position`` is the offending character."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} at position {position}")
        self.position = position


@dataclass(frozen=True, slots=True)
class AttrPath:
    """An attribute, maybe sub-attribute names after it, maybe a ``member`` path into its value."""

    names: tuple[str, ...]
    member: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Value:
    """A literal of the query, already converted (float, str, bool, datetime, date, time)."""

    kind: ValueKind
    value: Any


@dataclass(frozen=True, slots=True)
class Range:
    """``low..high``, both included."""

    low: Value
    high: Value


@dataclass(frozen=True, slots=True)
class Pattern:
    """The regular expression of ``~=`` / ``!~=``."""

    regex: re.Pattern[str]


Operand = Value | Range | Pattern | tuple[Value, ...]


@dataclass(frozen=True, slots=True)
class Term:
    """One query term: an attribute path, and an operator with its operand unless existence."""

    path: AttrPath
    op: str | None = None
    operand: Operand | None = None


@dataclass(frozen=True, slots=True)
class Logic:
    """``and`` (``;``) or ``or`` (``|``) of several nodes."""

    op: Literal["and", "or"]
    items: tuple[Node, ...]


Node = Term | Logic


@dataclass(frozen=True, slots=True)
class Target:
    """What a path points to in one entity: the kind of the attribute and the value found."""

    kind: str
    """``Property``, ``Relationship`` or ``GeoProperty``."""
    value: Any


Resolve = Callable[[AttrPath], Target | None]


def parse(text: str) -> Node:
    """The syntax tree of ``text``; raises ``QSyntaxError``."""
    if not text:
        raise QSyntaxError("empty query", 0)
    return _Parser(text).parse()


def terms(node: Node) -> Iterable[Term]:
    """Every term of ``node``, left to right."""
    if isinstance(node, Term):
        yield node
    else:
        for item in node.items:
            yield from terms(item)


def evaluate(node: Node, resolve: Resolve) -> bool:
    """True when the entity behind ``resolve`` matches ``node``."""
    if isinstance(node, Logic):
        if node.op == "and":
            return all(evaluate(item, resolve) for item in node.items)
        return any(evaluate(item, resolve) for item in node.items)
    target = resolve(node.path)
    if target is None:
        return False
    if node.op is None:
        return True
    if target.kind == "Relationship" and node.op not in ("==", "!="):
        return False
    if target.kind == "GeoProperty":
        return False
    if node.op == "!=":
        return not _equal(node.operand, target.value)
    if node.op == "==":
        return _equal(node.operand, target.value)
    if isinstance(node.operand, Pattern):
        strings = [v for v in _elements(target.value) if isinstance(v, str)]
        found = any(node.operand.regex.search(v) for v in strings)
        return bool(strings) and (found if node.op == "~=" else not found)
    assert isinstance(node.operand, Value)
    return any(_ordered(node.op, node.operand, v) for v in _elements(target.value))


def _elements(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _equal(operand: Operand | None, target: Any) -> bool:
    if isinstance(operand, Range):
        return any(
            _ordered(">=", operand.low, v) and _ordered("<=", operand.high, v)
            for v in _elements(target)
        )
    options = operand if isinstance(operand, tuple) else (operand,)
    for element in _elements(target):
        typed = _typed(element)
        if typed is None:
            continue
        for option in options:
            if not isinstance(option, Value) or not _same_kind(option.kind, typed[0]):
                continue
            if option.value == typed[1]:
                return True
    return False


def _ordered(op: str, literal: Value, element: Any) -> bool:
    typed = _typed(element)
    if typed is None or literal.kind not in _ORDERED or not _same_kind(literal.kind, typed[0]):
        return False
    left, right = typed[1], literal.value
    if op == ">":
        return bool(left > right)
    if op == ">=":
        return bool(left >= right)
    if op == "<":
        return bool(left < right)
    return bool(left <= right)


def _same_kind(literal: str, target: str) -> bool:
    return literal == target or (literal == "uri" and target == "string")


def _typed(value: Any) -> tuple[str, Any] | None:
    """A target value as (kind, comparable); typed literals such as DateTime are converted."""
    if isinstance(value, bool):
        return "boolean", value
    if isinstance(value, int | float):
        return "number", float(value)
    if isinstance(value, str):
        return "string", value
    if isinstance(value, dict) and isinstance(value.get("@value"), str):
        kind = value.get("@type")
        try:
            if kind == "DateTime":
                return "datetime", _aware(datetime.fromisoformat(value["@value"]))
            if kind == "Date":
                return "date", date.fromisoformat(value["@value"])
            if kind == "Time":
                return "time", time.fromisoformat(value["@value"].removesuffix("Z"))
        except ValueError:
            return None
    return None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def parse(self) -> Node:
        node = self._or()
        if self.pos < len(self.text):
            raise self._error(f"unexpected {self.text[self.pos]!r}")
        return node

    def _or(self) -> Node:
        items = [self._and()]
        while self._peek("|"):
            self.pos += 1
            items.append(self._and())
        return items[0] if len(items) == 1 else Logic("or", tuple(items))

    def _and(self) -> Node:
        items = [self._primary()]
        while self._peek(";"):
            self.pos += 1
            items.append(self._primary())
        return items[0] if len(items) == 1 else Logic("and", tuple(items))

    def _primary(self) -> Node:
        if self._peek("("):
            self.pos += 1
            node = self._or()
            if not self._peek(")"):
                raise self._error("expected ')'")
            self.pos += 1
            return node
        return self._term()

    def _term(self) -> Term:
        path = self._path()
        op = next((o for o in _OPERATORS if self.text.startswith(o, self.pos)), None)
        if op is None:
            if self.pos < len(self.text) and self.text[self.pos] not in _DELIMITERS:
                raise self._error(f"expected an operator, got {self.text[self.pos]!r}")
            return Term(path)
        self.pos += len(op)
        if op in ("~=", "!~="):
            return Term(path, op, self._regex())
        first = self._value()
        if op in ("==", "!="):
            if self.text.startswith("..", self.pos):
                self.pos += 2
                return Term(path, op, self._range(first, self._value()))
            if self._peek(","):
                values = [first]
                while self._peek(","):
                    self.pos += 1
                    values.append(self._value())
                return Term(path, op, tuple(values))
        elif first.kind not in _ORDERED:
            raise self._error(f"{op} needs a number, string, DateTime, Date or Time")
        return Term(path, op, first)

    def _path(self) -> AttrPath:
        names = self._names()
        member: tuple[str, ...] = ()
        if self._peek("["):
            self.pos += 1
            member = self._names()
            if not self._peek("]"):
                raise self._error("expected ']'")
            self.pos += 1
        return AttrPath(names, member)

    def _names(self) -> tuple[str, ...]:
        names = [self._name()]
        while self._peek(".") and not self.text.startswith("..", self.pos):
            self.pos += 1
            names.append(self._name())
        return tuple(names)

    def _name(self) -> str:
        match = _NAME.match(self.text, self.pos)
        if match is None:
            raise self._error("expected an attribute name")
        self.pos = match.end()
        return match.group()

    def _value(self) -> Value:
        start = self.pos
        for pattern, convert in _LITERALS:
            match = pattern.match(self.text, start)
            if match is not None and self._ends_token(match.end()):
                try:
                    value = convert(match.group())
                except ValueError as exc:
                    raise QSyntaxError(f"invalid value {match.group()!r} ({exc})", start) from None
                self.pos = match.end()
                return value
        raise self._error("expected a value (number, quoted string, true/false, DateTime, URI)")

    def _ends_token(self, end: int) -> bool:
        return (
            end == len(self.text)
            or self.text[end] in _DELIMITERS
            or self.text.startswith("..", end)
        )

    def _range(self, low: Value, high: Value) -> Range:
        if low.kind != high.kind or low.kind not in _ORDERED:
            raise self._error("a range needs two values of one orderable type")
        return Range(low, high)

    def _regex(self) -> Pattern:
        start, depth, escaped, in_class = self.pos, 0, False, False
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif in_class:
                in_class = char != "]"
            elif char == "[":
                in_class = True
            elif char == "(":
                depth += 1
            elif char == ")":
                if depth == 0:
                    break
                depth -= 1
            elif char in ";|" and depth == 0:
                break
            self.pos += 1
        source = self.text[start : self.pos]
        if len(source) >= 2 and source[0] == source[-1] == '"':
            source = source[1:-1]  # a quoted pattern (GS CIM 009 v1.9 grammar) is the same
        if not source:
            raise QSyntaxError("expected a regular expression", start)
        try:
            return Pattern(re.compile(source))
        except re.error as exc:
            raise QSyntaxError(f"invalid regular expression {source!r} ({exc})", start) from None

    def _peek(self, char: str) -> bool:
        return self.text.startswith(char, self.pos)

    def _error(self, message: str) -> QSyntaxError:
        return QSyntaxError(message, self.pos)


def _string(token: str) -> Value:
    return Value("string", json.loads(token))


def _datetime(token: str) -> Value:
    return Value("datetime", _aware(datetime.fromisoformat(token)))


def _time(token: str) -> Value:
    return Value("time", time.fromisoformat(token.removesuffix("Z")))


_LITERALS: tuple[tuple[re.Pattern[str], Callable[[str], Value]], ...] = (
    (_STRING, _string),
    (_DATETIME, _datetime),
    (_DATE, lambda t: Value("date", date.fromisoformat(t))),
    (_TIME, _time),
    (_NUMBER, lambda t: Value("number", float(t))),
    (_BOOLEAN, lambda t: Value("boolean", t == "true")),
    (_URI, lambda t: Value("uri", t)),
)
