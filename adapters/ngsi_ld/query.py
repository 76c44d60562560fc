"""A ``SourceQuery`` as NGSI-LD query parameters (ETSI GS CIM 009, Query Entities).

Pushed-down filters only ever widen, never narrow, what the gateway's own
filters keep: the time window is rounded outwards to whole seconds, ``near``
gets a margin for the broker measuring distance on another earth model than
the gateway's haversine, and the ``within`` box a hair of slack so points on
its edges are inside (``within`` excludes the boundary).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta

import orjson

from adapters.contract import BBox, Near, SourceQuery
from adapters.errors import UnsupportedQuery
from adapters.ngsi_ld.config import TypeSettings
from adapters.ngsi_ld.contexts import TermMap
from adapters.ngsi_ld.where import where_clauses

LOCATION = "location"
NEAR_MARGIN = 0.005
"""Relative margin on ``maxDistance``: sphere vs. ellipsoid differ by up to ~0.5 %."""
NEAR_MARGIN_M = 1.0
BBOX_SLACK_DEG = 1e-6
"""About 0.1 m; keeps points on the box edges inside the pushed-down polygon."""

_BAD_NAME = re.compile(r"[\s,;|()<>\"'=&?\\\x00-\x1f\x7f]")

Params = list[tuple[str, str]]


def entity_params(
    query: SourceQuery,
    settings: TypeSettings,
    limit: int,
    *,
    push_time: bool = True,
    push_offset: bool | None = None,
    terms: TermMap | None = None,
) -> Params:
    """Parameters for ``GET /ngsi-ld/v1/entities`` answering ``query``, ``limit`` per page.

    Without ``push_time`` the time window is left to the adapter, and so is ``offset``
    (the broker is asked from its first entity); ``push_offset`` (default: ``push_time``)
    says so for ``offset`` alone. With ``terms`` (the request context's), the ``where``
    conditions that can be are pushed into ``q`` too (``where.py``).
    """
    check_name("entity type", query.entity_type)
    params: Params = [("type", query.entity_type)]
    if query.attrs is not None:
        params.append(("attrs", ",".join(fetched_attrs(query.attrs, settings))))
    time_q = time_filter(query, settings.time_property) if push_time else None
    clauses = [time_q] if time_q else []
    if terms is not None:
        clauses += where_clauses(query.where, query.entity_type, settings, terms)
    if clauses:
        params.append(("q", ";".join(clauses)))
    if query.near is not None:
        params += near_params(query.near)
    elif query.within is not None:
        params += within_params(query.within)
    offset = query.offset if (push_time if push_offset is None else push_offset) else 0
    params += [("limit", str(limit)), ("offset", str(offset)), ("count", "true")]
    if settings.format == "keyValues":
        params.append(("options", "keyValues"))
    return params


def check_name(what: str, name: str) -> None:
    """Refuse a type or attribute name that would break the query syntax."""
    if not name or _BAD_NAME.search(name):
        raise UnsupportedQuery(f"{what} {name!r} is not a valid NGSI-LD name")


def fetched_attrs(attrs: tuple[str, ...], settings: TypeSettings) -> list[str]:
    """``attrs`` plus what mapping needs (location, the time property), without repeats."""
    for name in attrs:
        check_name("attribute", name)
    extra = [LOCATION] + ([settings.time_property] if settings.time_property else [])
    return list(dict.fromkeys([*attrs, *extra]))


def time_filter(query: SourceQuery, time_property: str | None) -> str | None:
    """``q`` on the time property with unquoted DateTimes, or None without a window."""
    if time_property is None:
        return None
    clauses = []
    if query.observed_after is not None:
        clauses.append(f"{time_property}>={format_datetime(query.observed_after, ceil=False)}")
    if query.observed_before is not None:
        clauses.append(f"{time_property}<{format_datetime(query.observed_before, ceil=True)}")
    return ";".join(clauses) or None


def format_datetime(moment: datetime, *, ceil: bool) -> str:
    """UTC, whole seconds (rounded down, or up when ``ceil``), ``Z`` suffix."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    whole = moment.replace(microsecond=0)
    if ceil and whole != moment:
        whole += timedelta(seconds=1)
    return whole.strftime("%Y-%m-%dT%H:%M:%SZ")


def near_params(near: Near) -> Params:
    """``georel=near;maxDistance==N`` around a GeoJSON Point (lon, lat)."""
    _check_position(near.point.lat, near.point.lon)
    if not math.isfinite(near.max_distance_m) or near.max_distance_m < 0:
        raise UnsupportedQuery(f"near: max distance {near.max_distance_m!r} is not usable")
    distance = math.ceil(near.max_distance_m * (1 + NEAR_MARGIN) + NEAR_MARGIN_M)
    return [
        ("georel", f"near;maxDistance=={distance}"),
        ("geometry", "Point"),
        ("coordinates", _json([near.point.lon, near.point.lat])),
    ]


def within_params(box: BBox) -> Params:
    """``georel=within`` a Polygon (counter-clockwise ring) slightly larger than ``box``."""
    _check_position(box.min_lat, box.min_lon)
    _check_position(box.max_lat, box.max_lon)
    if box.min_lat > box.max_lat or box.min_lon > box.max_lon:
        raise UnsupportedQuery("within: the box has min > max")
    s = max(-90.0, box.min_lat - BBOX_SLACK_DEG)
    n = min(90.0, box.max_lat + BBOX_SLACK_DEG)
    w = max(-180.0, box.min_lon - BBOX_SLACK_DEG)
    e = min(180.0, box.max_lon + BBOX_SLACK_DEG)
    ring = [[w, s], [e, s], [e, n], [w, n], [w, s]]
    return [("georel", "within"), ("geometry", "Polygon"), ("coordinates", _json([ring]))]


def _check_position(lat: float, lon: float) -> None:
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise UnsupportedQuery(f"position ({lat!r}, {lon!r}) is not a WGS84 lat/lon")


def _json(value: object) -> str:
    return orjson.dumps(value).decode()
