"""One ``GET`` of a query page through the adapter SDK's client, read as an NGSI-LD answer.

Every failure is the SDK's error mapping (``adapters.sdk.fetch``); here the answer
is read: its entities, ``NGSILD-Results-Count``, the next page (``Link: rel="next"``,
or Mintaka's ``Next-Page`` anchor) and, for a 206 Partial Content, the
``Content-Range`` of the instances it holds.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

import orjson
from yarl import URL

from adapters.errors import UpstreamProtocolError
from adapters.ngsi_ld.geojson import feature_entities
from adapters.ngsi_ld.mapping import parse_datetime
from adapters.sdk.client import PlatformClient
from adapters.sdk.fetch import JSON_TYPES
from adapters.sdk.links import next_link

JSONLD_CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"
RESULTS_COUNT = "NGSILD-Results-Count"
NEXT_PAGE = "Next-Page"
PARTIAL_CONTENT = 206
_ANSWERED = frozenset({200, PARTIAL_CONTENT})
_ANSWERED_OR_UNCHANGED = _ANSWERED | {304}

_CONTENT_RANGE = re.compile(
    r"^\s*(?:date-time|DateTime)\s+(?P<start>\d{4}-\d\d-\d\dT.*?)-(?P<end>\d{4}-\d\d-\d\dT[^/]*)"
    r"/(?P<size>\*|\d+)\s*$",
    re.IGNORECASE,
)
"""``date-time <start>-<end>/<size>`` (GS CIM 009 6.3.10; Stellio, Mintaka), or diwise's
``DateTime <start>-<end>/*``."""


@dataclass(frozen=True, slots=True)
class Page:
    """One answer to a query: its entities (raw), the reported total, the next page.

    ``not_modified``: the broker answered 304 to ``If-None-Match`` (nothing else is set).
    ``partial``: a 206 answer's ``Content-Range``, the span of instances it holds
    (the rest of the time window is still to be asked for).
    """

    entities: list[Any]
    total_count: int | None
    next_url: URL | None
    etag: str | None = None
    cache_control: str | None = None
    not_modified: bool = False
    partial: tuple[datetime, datetime] | None = None
    next_anchor: str | None = None
    body: bytes = b""
    """The answer as received (empty for a 304)."""


@functools.lru_cache(maxsize=64)
def context_link(context: str) -> Mapping[str, str]:
    """The ``Link`` header naming the @context a request's names are in (read-only,
    prepared once per context)."""
    link = f'<{context}>; rel="{JSONLD_CONTEXT_REL}"; type="application/ld+json"'
    return MappingProxyType({"Link": link})


async def get_page(
    client: PlatformClient,
    url: URL,
    headers: Mapping[str, str] | None = None,
    *,
    if_none_match: str | None = None,
    decode: bool = True,
) -> Page:
    """Fetch and read one page; raise an ``UpstreamError`` subclass on any failure.

    ``decode=False``: ``entities`` is left empty, for the caller to read ``body`` with
    ``entity_list`` when it needs to (an answer whose entities it already has).

    With ``if_none_match`` (an ETag) a 304 answer is a ``Page`` with ``not_modified``.
    """
    send = headers
    accept = _ANSWERED
    if if_none_match is not None:
        send = {**(headers or {}), "If-None-Match": if_none_match}
        accept = _ANSWERED_OR_UNCHANGED
    answer = await client.fetch(url, headers=send, accept_status=accept)
    if answer.status == 304:
        return Page([], None, None, etag=answer.headers.get("ETag"), not_modified=True)
    if answer.content_type not in JSON_TYPES:
        raise UpstreamProtocolError(
            f"expected a JSON answer, got content type {answer.content_type!r}",
            status=answer.status,
        )
    partial = None
    if answer.status == PARTIAL_CONTENT:
        partial = content_range(answer.headers.get("Content-Range"))
    anchor = answer.headers.get(NEXT_PAGE)
    return Page(
        entities=entity_list(answer.body) if decode else [],
        total_count=results_count(answer.headers.get(RESULTS_COUNT)),
        next_url=next_link(answer.headers.getall("Link", ()), url),
        etag=answer.headers.get("ETag"),
        cache_control=answer.headers.get("Cache-Control"),
        partial=partial,
        next_anchor=anchor.strip() if anchor and anchor.strip() else None,
        body=answer.body,
    )


def content_range(value: str | None) -> tuple[datetime, datetime]:
    """The (earlier, later) instants of a 206 answer's date-time ``Content-Range``.

    Times without a zone are UTC: Mintaka writes ``date-time 1970-01-01T00:00-...``
    (a ``LocalDateTime`` of UTC, to the minute), newest first after ``lastN``."""
    match = _CONTENT_RANGE.match(value or "")
    if match is None:
        raise UpstreamProtocolError(
            "the broker answered 206 Partial Content without a date-time Content-Range"
        )
    start, end = parse_datetime(match["start"]), parse_datetime(match["end"])
    if start is None or end is None:
        raise UpstreamProtocolError("the broker's Content-Range does not hold two date-times")
    return (start, end) if start <= end else (end, start)


def entity_list(body: bytes) -> list[Any]:
    """The JSON array of a query answer (its items are checked when mapped); a GeoJSON
    FeatureCollection gives its features as entities."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise UpstreamProtocolError(f"the answer is not valid JSON ({exc.msg})") from None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        return feature_entities(data)
    if not isinstance(data, list):
        got = "an object" if isinstance(data, dict) else f"a JSON {type(data).__name__}"
        raise UpstreamProtocolError(f"expected a JSON array of entities, got {got}")
    return data


def results_count(value: str | None) -> int | None:
    """``NGSILD-Results-Count`` as a number, or None when absent or malformed."""
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())
