"""Entity type selection (``type``, GS CIM 009 clause 4.17): ``A,B``, ``A|B``, ``(A;B)|C``.

``,`` and ``|`` mean OR, ``;`` AND (binding tighter); an entity has one type here,
so an AND of two different types never matches. Names are expanded to IRIs with
the request's @context before matching.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

_TOKEN = re.compile(r"[,|;()]|[^,|;()]+")


@dataclass(frozen=True, slots=True)
class TypeSelection:
    """Alternatives (OR) of conjunctions (AND) of type IRIs."""

    alternatives: tuple[frozenset[str], ...]
    every: bool = False
    """``type=*``: every type (GS CIM 009 v1.9 clause 4.17)."""

    def matches(self, type_iri: str) -> bool:
        """True when an entity of ``type_iri`` is selected."""
        return self.every or any(all(t == type_iri for t in group) for group in self.alternatives)

    def matches_all(self, type_iris: Collection[str]) -> bool:
        """True when an entity of all of ``type_iris`` (several types) is selected."""
        return self.every or any(all(t in type_iris for t in group) for group in self.alternatives)


def parse_types(text: str, expand: Callable[[str], str]) -> TypeSelection:
    """The selection in ``text``, names expanded by ``expand``; raises ValueError."""
    if text == "*":
        return TypeSelection((), every=True)
    tokens = _TOKEN.findall(text)
    if "".join(tokens) != text or not text:
        raise ValueError(f"{text!r} is not a type selection")
    groups, position = _or(tokens, 0, expand)
    if position != len(tokens):
        raise ValueError(f"unexpected {tokens[position]!r} in {text!r}")
    return TypeSelection(tuple(groups))


Groups = list[frozenset[str]]


def _or(tokens: list[str], i: int, expand: Callable[[str], str]) -> tuple[Groups, int]:
    groups, i = _and(tokens, i, expand)
    while i < len(tokens) and tokens[i] in (",", "|"):
        more, i = _and(tokens, i + 1, expand)
        groups += more
    return groups, i


def _and(tokens: list[str], i: int, expand: Callable[[str], str]) -> tuple[Groups, int]:
    groups, i = _atom(tokens, i, expand)
    while i < len(tokens) and tokens[i] == ";":
        right, i = _atom(tokens, i + 1, expand)
        groups = [left | other for left in groups for other in right]
    return groups, i


def _atom(tokens: list[str], i: int, expand: Callable[[str], str]) -> tuple[Groups, int]:
    if i >= len(tokens):
        raise ValueError("a type name is missing at the end")
    item = tokens[i]
    if item == "(":
        groups, i = _or(tokens, i + 1, expand)
        if i >= len(tokens) or tokens[i] != ")":
            raise ValueError("expected ')'")
        return groups, i + 1
    if item in ",|;)" or not item.strip() or item != item.strip():
        raise ValueError(f"expected a type name, got {item!r}")
    return [frozenset({expand(item)})], i + 1
