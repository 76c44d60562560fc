"""Request headers of content negotiation: ``Accept`` and the JSON-LD context ``Link``."""

from __future__ import annotations

import re
from typing import Literal

from citysim.jsonld import JSONLD_CONTEXT_REL
from citysim.ngsi_ld.problems import bad_request, ngsi_problem, not_acceptable

MediaType = Literal["application/json", "application/ld+json", "application/geo+json"]
OFFERED: tuple[MediaType, ...] = ("application/json", "application/ld+json", "application/geo+json")
"""In order of preference (GS CIM 009 clause 6.3.4): the first acceptable one wins ties."""

_LINK_VALUE = re.compile(r"\s*<(?P<ref>[^>]*)>(?P<params>[^,]*)(?:,|$)")
_REL = re.compile(r';\s*rel\s*=\s*(?:"(?P<quoted>[^"]*)"|(?P<bare>[^\s;]+))', re.IGNORECASE)


def choose_media_type(accept: str | None, *, geo: bool = True) -> MediaType:
    """The representation to answer with; ``Accept`` absent means ``application/json``.

    ``geo``: GeoJSON is on offer (entity retrieval and queries only).
    """
    offered = OFFERED if geo else OFFERED[:2]
    if accept is None or not accept.strip():
        return "application/json"
    best: tuple[float, int] | None = None
    chosen: MediaType | None = None
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        weight = _weight(params)
        if weight is None:
            raise ngsi_problem(400, "InvalidRequest", f"Accept: malformed item {item!r}")
        for rank, candidate in enumerate(offered):
            if weight > 0 and _covers(media.lower(), candidate):
                key = (-weight, rank)
                if best is None or key < best:
                    best, chosen = key, candidate
    if chosen is None:
        raise not_acceptable(accept, offered)
    return chosen


def _weight(params: list[str]) -> float | None:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(value.strip())
            except ValueError:
                return None
            return weight if 0.0 <= weight <= 1.0 else None
    return 1.0


def _covers(media: str, offered: str) -> bool:
    if media in ("*/*", offered):
        return True
    kind, _, sub = media.partition("/")
    return sub == "*" and offered.startswith(kind + "/")


def context_url(links: list[str]) -> str | None:
    """The @context URL of the JSON-LD context ``Link`` header, or None without one."""
    found: list[str] = []
    for header in links:
        position = 0
        while position < len(header):
            match = _LINK_VALUE.match(header, position)
            if match is None or match.end() == position:
                raise bad_request("Link header", f"malformed link value in {header!r}")
            position = match.end()
            for rel in _REL.finditer(match["params"]):
                if JSONLD_CONTEXT_REL in (rel["quoted"] or rel["bare"] or "").split():
                    found.append(match["ref"].strip())
    if len(found) > 1:
        raise bad_request("Link header", "more than one JSON-LD @context link")
    if found and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", found[0]):
        raise bad_request("Link header", f"@context {found[0]!r} is not an absolute URL")
    return found[0] if found else None
