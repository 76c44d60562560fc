"""The projection language of ``pick`` and ``omit`` (GS CIM 009 clause 4.21).

``name,name{nested,names},...``: member names separated by ``,`` (or ``|``), each maybe followed by
a braced projection of the entity a Relationship links to. Names are entity members
(``id``, ``type``) or attribute terms. Parsed into a ``Tree`` (name -> the projection of
the linked entity, None when there is none); a syntax error is a ``ValueError`` naming
the position.
"""

from __future__ import annotations

import re

_NAME = re.compile(r"[A-Za-z_@][\w:#/.@-]*")


Tree = dict[str, "Tree | None"]


def parse_projection(text: str) -> Tree:
    """The projection ``text`` as a tree; raises ValueError."""
    names, position = _list(text, 0, depth=0)
    if position != len(text):
        raise ValueError(f"unexpected {text[position]!r} at position {position}")
    return names


def projection_depth(tree: Tree | None) -> int:
    """How many Relationship hops the nested projections of ``tree`` reach."""
    if not tree:
        return 0
    nested = [projection_depth(t) for t in tree.values() if t is not None]
    return 1 + max(nested) if nested else 0


def leaves(tree: Tree) -> frozenset[str]:
    """The names without a nested projection (what ``omit`` drops at this level)."""
    return frozenset(name for name, nested in tree.items() if nested is None)


def _list(text: str, position: int, depth: int) -> tuple[Tree, int]:
    names: Tree = {}
    while True:
        match = _NAME.match(text, position)
        if match is None:
            what = repr(text[position]) if position < len(text) else "the end"
            raise ValueError(f"expected a name at position {position}, found {what}")
        name = match.group()
        names[name] = None
        position = match.end()
        if position < len(text) and text[position] == "{":
            if depth >= 8:
                raise ValueError("projections nest at most 8 levels deep")
            names[name], position = _list(text, position + 1, depth + 1)
            if position >= len(text) or text[position] != "}":
                raise ValueError(f"unclosed brace at position {position}")
            position += 1
        if position < len(text) and text[position] in ",|":
            position += 1
            continue
        return names, position
