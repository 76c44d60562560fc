"""How one simulated API pages: each city's API uses one of four common styles.

- ``offset``: ``?limit=L&offset=O``; ``meta: {total, limit, offset}`` in the body.
- ``page``: ``?page=P&pageSize=S`` (1-based); ``meta: {total, page, pageSize, pages}``.
- ``link``: ``?limit=L&after=TOKEN``; an RFC 8288 ``Link: <absolute URL>; rel="next"``.
- ``next``: ``?limit=L&startAt=N``; ``links: {self, next}`` in the body (absolute URLs).

The N-th city of municipalities.csv (0-based) pages in ``STYLES[N % 4]``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

PagingStyle = Literal["offset", "page", "link", "next"]
STYLES: tuple[PagingStyle, ...] = ("offset", "page", "link", "next")
DEFAULT_SIZE = 20
MAX_SIZE = 100

PARAMETERS: Mapping[PagingStyle, frozenset[str]] = {
    "offset": frozenset({"limit", "offset"}),
    "page": frozenset({"page", "pageSize"}),
    "link": frozenset({"limit", "after"}),
    "next": frozenset({"limit", "startAt"}),
}


class PagingError(ValueError):
    """A paging parameter that cannot be used; the message names it."""


@dataclass(frozen=True, slots=True)
class Window:
    """Which items one request gets: ``start`` (0-based) and ``size``."""

    start: int
    size: int


def style_for(position: int) -> PagingStyle:
    """The paging style of the city at ``position`` in municipalities.csv."""
    return STYLES[position % len(STYLES)]


def window(style: PagingStyle, params: Mapping[str, str]) -> Window:
    """The window a request asks for; PagingError names a bad parameter."""
    if style == "page":
        size = _integer(params, "pageSize", DEFAULT_SIZE, 1, MAX_SIZE)
        page = _integer(params, "page", 1, 1, 1_000_000)
        return Window((page - 1) * size, size)
    size = _integer(params, "limit", DEFAULT_SIZE, 1, MAX_SIZE)
    if style == "offset":
        return Window(_integer(params, "offset", 0, 0, 10_000_000), size)
    if style == "next":
        return Window(_integer(params, "startAt", 0, 0, 10_000_000), size)
    token = params.get("after")
    return Window(decode_token(token) if token is not None else 0, size)


def encode_token(start: int) -> str:
    """The opaque ``after`` token of the page starting at ``start``."""
    return base64.urlsafe_b64encode(f"o:{start}".encode()).decode().rstrip("=")


def decode_token(token: str) -> int:
    """The start position inside an ``after`` token."""
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise PagingError("after: not a token this API issued") from None
    prefix, _, number = text.partition(":")
    if prefix != "o" or not number.isdigit():
        raise PagingError("after: not a token this API issued")
    return int(number)


def next_params(style: PagingStyle, page: Window) -> dict[str, str]:
    """The paging parameters of the page after ``page``."""
    start = page.start + page.size
    if style == "page":
        return {"page": str(start // page.size + 1), "pageSize": str(page.size)}
    if style == "offset":
        return {"limit": str(page.size), "offset": str(start)}
    if style == "next":
        return {"limit": str(page.size), "startAt": str(start)}
    return {"limit": str(page.size), "after": encode_token(start)}


def _integer(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    text = params.get(name)
    if text is None:
        return default
    if not text.isdigit() or not text.isascii():
        raise PagingError(f"{name}: {text!r} is not a non-negative integer")
    value = int(text)
    if not low <= value <= high:
        raise PagingError(f"{name}: {value} is outside {low}..{high}")
    return value


def style_for_city(city_id: str) -> PagingStyle:
    """The paging style of ``city_id`` (by its position in municipalities.csv)."""
    from citysim.municipalities import municipalities

    ids = [m.id for m in municipalities()]
    return style_for(ids.index(city_id)) if city_id in ids else STYLES[0]
