"""Well-Known Text geometries (as in ``geography'POLYGON((...))'``) read into GeoJSON.

``POINT``, ``LINESTRING``, ``POLYGON`` and their ``MULTI`` forms, coordinates
``x y`` (longitude latitude) with an optional third value, an optional
``SRID=4326;`` prefix. Anything else is a ValueError saying what.
"""

from __future__ import annotations

import re
from typing import Any

_HEAD = re.compile(r"\s*(?:SRID=(\d+);)?\s*([A-Za-z]+)\s*(?:Z\s*)?(\(.*\))\s*$", re.DOTALL)
_KINDS = {
    "POINT": ("Point", 0),
    "LINESTRING": ("LineString", 1),
    "POLYGON": ("Polygon", 2),
    "MULTIPOINT": ("MultiPoint", 1),
    "MULTILINESTRING": ("MultiLineString", 2),
    "MULTIPOLYGON": ("MultiPolygon", 3),
}


def parse_wkt(text: str) -> dict[str, Any]:
    """A GeoJSON geometry for WKT ``text``."""
    match = _HEAD.match(text)
    if match is None:
        raise ValueError(f"{text[:40]!r} is not WKT")
    srid, kind, body = match.groups()
    if srid is not None and srid != "4326":
        raise ValueError(f"only SRID 4326 is supported, got {srid}")
    known = _KINDS.get(kind.upper())
    if known is None:
        raise ValueError(f"unsupported geometry {kind!r} (supported: {', '.join(_KINDS)})")
    name, depth = known
    coordinates, rest = _nested(body, 0)
    if rest.strip():
        raise ValueError(f"unexpected {rest.strip()[:20]!r} after the coordinates")
    if name == "Point":
        coordinates = coordinates[0]
    if name == "MultiPoint":  # both MULTIPOINT(1 2, 3 4) and MULTIPOINT((1 2), (3 4))
        coordinates = [c[0] if c and isinstance(c[0], list) else c for c in coordinates]
    _check_depth(coordinates, depth, name)
    return {"type": name, "coordinates": coordinates}


def _nested(text: str, at: int) -> tuple[list[Any], str]:
    """Parse ``( ... )`` at the start of ``text``: positions or nested lists."""
    text = text.lstrip()
    if not text.startswith("("):
        raise ValueError("expected '('")
    text = text[1:].lstrip()
    items: list[Any] = []
    while True:
        if text.startswith("("):
            inner, text = _nested(text, at + 1)
            items.append(inner)
        else:
            match = re.match(r"([-+0-9.eE]+)\s+([-+0-9.eE]+)(?:\s+[-+0-9.eE]+)?", text)
            if match is None:
                raise ValueError(f"expected a position at {text[:20]!r}")
            items.append([float(match.group(1)), float(match.group(2))])
            text = text[match.end() :]
        text = text.lstrip()
        if text.startswith(","):
            text = text[1:].lstrip()
            continue
        if text.startswith(")"):
            return items, text[1:]
        raise ValueError(f"expected ',' or ')' at {text[:20]!r}")


def _check_depth(coordinates: Any, depth: int, name: str) -> None:
    node = coordinates
    for _ in range(depth):
        if not isinstance(node, list) or not node:
            raise ValueError(f"{name} has too few nested coordinate lists")
        node = node[0]
    if not (isinstance(node, list) and len(node) == 2 and all(isinstance(c, float) for c in node)):
        raise ValueError(f"{name} coordinates are not nested as WKT requires")
