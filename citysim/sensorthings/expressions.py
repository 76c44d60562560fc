"""OData expressions of SensorThings ``$filter`` and ``$orderby`` (OGC 18-088 clause 9.3.3.5).

::

    expr    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := add (("eq"|"ne"|"gt"|"ge"|"lt"|"le") add)?
    add     := mul (("add"|"sub") mul)*
    mul     := primary (("mul"|"div"|"mod") primary)*
    primary := literal | call | path | "(" expr ")"

Literals: ``'text'`` (``''`` is a quote), numbers, ``true``/``false``/``null``,
date-times written bare (``2026-11-18T10:00:00Z``), ``duration'PT1H'``,
``geography'POINT(13.0 55.6)'`` (WKT, longitude first). Paths follow
properties and navigation with ``/`` (``Datastreams/ObservedProperty/name``).
A ``SyntaxProblem`` says what is wrong and where.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from citysim.sensorthings.wkt import parse_wkt


class SyntaxProblem(ValueError):
    """An expression that does not parse."""


@dataclass(frozen=True, slots=True)
class Literal:
    value: Any


@dataclass(frozen=True, slots=True)
class Path:
    segments: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Binary:
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Not:
    operand: Expr


Expr = Literal | Path | Call | Binary | Not

COMPARISONS = frozenset({"eq", "ne", "gt", "ge", "lt", "le"})
ARITHMETIC = frozenset({"add", "sub", "mul", "div", "mod"})
KEYWORDS = COMPARISONS | ARITHMETIC | {"and", "or", "not"}

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<typed>(?:geography|geometry|duration)'(?:[^']|'')*')
  | (?P<string>'(?:[^']|'')*')
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))
  | (?P<date>\d{4}-\d{2}-\d{2})
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_@$][A-Za-z0-9_.@$]*(?:/[A-Za-z_@$][A-Za-z0-9_.@$]*)*)
  | (?P<punct>[(),])
    """,
    re.VERBOSE,
)
_DURATION = re.compile(
    r"P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?"
)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    at: int


def parse(text: str) -> Expr:
    """The expression ``text``; raises SyntaxProblem."""
    parser = _Parser(_tokens(text))
    expr = parser.expr()
    if parser.peek() is not None:
        token = parser.peek()
        assert token is not None
        raise SyntaxProblem(f"unexpected {token.text!r} at position {token.at}")
    return expr


def _tokens(text: str) -> list[_Token]:
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise SyntaxProblem(
                f"cannot read {text[position : position + 20]!r} at position {position}"
            )
        kind = match.lastgroup
        assert kind is not None
        if kind != "space":
            tokens.append(_Token(kind, match.group(), position))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self._tokens = tokens
        self._i = 0

    def peek(self) -> _Token | None:
        return self._tokens[self._i] if self._i < len(self._tokens) else None

    def _word(self) -> str | None:
        token = self.peek()
        return token.text if token is not None and token.kind == "name" else None

    def _next(self) -> _Token:
        token = self.peek()
        if token is None:
            raise SyntaxProblem("the expression ends too early")
        self._i += 1
        return token

    def expr(self) -> Expr:
        left = self._and()
        while self._word() == "or":
            self._i += 1
            left = Binary("or", left, self._and())
        return left

    def _and(self) -> Expr:
        left = self._not()
        while self._word() == "and":
            self._i += 1
            left = Binary("and", left, self._not())
        return left

    def _not(self) -> Expr:
        if self._word() == "not":
            self._i += 1
            return Not(self._not())
        return self._compare()

    def _compare(self) -> Expr:
        left = self._add()
        op = self._word()
        if op in COMPARISONS:
            self._i += 1
            return Binary(op, left, self._add())
        return left

    def _add(self) -> Expr:
        left = self._mul()
        while (op := self._word()) in ("add", "sub"):
            self._i += 1
            left = Binary(str(op), left, self._mul())
        return left

    def _mul(self) -> Expr:
        left = self._primary()
        while (op := self._word()) in ("mul", "div", "mod"):
            self._i += 1
            left = Binary(str(op), left, self._primary())
        return left

    def _primary(self) -> Expr:
        token = self._next()
        if token.kind == "punct" and token.text == "(":
            inner = self.expr()
            self._expect(")")
            return inner
        if token.kind == "string":
            return Literal(token.text[1:-1].replace("''", "'"))
        if token.kind == "number":
            number = float(token.text) if re.search(r"[.eE]", token.text) else int(token.text)
            return Literal(number)
        if token.kind == "datetime":
            return Literal(datetime.fromisoformat(token.text).astimezone(UTC))
        if token.kind == "date":
            return Literal(datetime.fromisoformat(token.text).replace(tzinfo=UTC))
        if token.kind == "typed":
            return Literal(_typed(token))
        if token.kind != "name" or token.text in KEYWORDS:
            raise SyntaxProblem(f"unexpected {token.text!r} at position {token.at}")
        following = self.peek()
        if following is not None and following.text == "(" and "/" not in token.text:
            self._i += 1
            return Call(token.text.lower(), self._arguments())
        constants = {"true": True, "false": False, "null": None}
        if token.text in constants:
            return Literal(constants[token.text])
        return Path(tuple(token.text.split("/")))

    def _arguments(self) -> tuple[Expr, ...]:
        args: list[Expr] = []
        if self.peek() is not None and self.peek().text == ")":  # type: ignore[union-attr]
            self._i += 1
            return ()
        while True:
            args.append(self.expr())
            token = self._next()
            if token.text == ")":
                return tuple(args)
            if token.text != ",":
                raise SyntaxProblem(f"expected ',' or ')' at position {token.at}")

    def _expect(self, text: str) -> None:
        token = self._next()
        if token.text != text:
            raise SyntaxProblem(f"expected {text!r} at position {token.at}, got {token.text!r}")


def _typed(token: _Token) -> Any:
    kind, _, quoted = token.text.partition("'")
    body = quoted[:-1].replace("''", "'")
    if kind == "duration":
        match = _DURATION.fullmatch(body)
        if match is None or body in ("P", "PT"):
            raise SyntaxProblem(f"{body!r} at position {token.at} is not an ISO 8601 duration")
        parts = {k: float(v) for k, v in match.groupdict().items() if v}
        return timedelta(
            days=parts.get("d", 0),
            hours=parts.get("h", 0),
            minutes=parts.get("m", 0),
            seconds=parts.get("s", 0),
        )
    try:
        return parse_wkt(body)
    except ValueError as exc:
        raise SyntaxProblem(f"{kind} literal at position {token.at}: {exc}") from None
