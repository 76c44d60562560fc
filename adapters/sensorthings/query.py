"""A ``SourceQuery`` as SensorThings requests (OGC 18-088 9.3), in forms real servers take.

One request per page on ``Things`` (ordered by ``id``): the Things of the type
(``$filter``), each with its Location and the Datastreams of the wanted observed
properties, each of those with its ObservedProperty, unit and latest Observation
(``$expand`` with nested ``$orderby=phenomenonTime desc;$top=1``). Pushed-down
filters only ever widen what the adapter then keeps (``pushdown.py``):

- ``within`` and ``near`` become ``geo.intersects(location, ...)`` on ``Locations``
  with a slightly larger box (a circle's bounding box), asked first; its Things'
  ids narrow the Things (a navigation path such as ``Locations/location`` in a geo
  function is refused by istSOS4);
- the time window's start becomes "some Observation at or after it, less the
  precision the server reports times in" (the end is checked on the latest
  Observation, by the adapter);
- ``where`` conditions on numbers become "some Observation's result compares so"
  (``where.py``).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from datetime import UTC, datetime, timedelta

from adapters.contract import BBox, Near, SourceQuery
from adapters.errors import UnsupportedQuery
from adapters.sensorthings.config import SensorThingsConfig, TypeMapping

METRES_PER_DEGREE = 111_320.0
NEAR_MARGIN = 0.01
"""Relative margin on the circle's box: the server may measure on another earth model."""
BOX_SLACK_DEG = 1e-6
"""About 0.1 m around ``within`` boxes: points on the edges stay inside."""
MAX_DATASTREAMS = 1000
ORDER = "id asc"
"""``@iot.id`` is refused in ``$orderby`` by istSOS4; ``id`` is taken by every server."""
MAX_GEO_THINGS = 200
"""More Things than this in the area: filter the area locally instead (the URL stays short)."""


def observed(mapping: TypeMapping, attrs: tuple[str, ...] | None) -> list[str]:
    """The observed properties to fetch: those mapped to ``attrs`` (every one when none is)."""
    mapped = list(mapping.properties)
    if attrs is None:
        return mapped
    wanted = [name for name in mapped if mapping.properties[name] in attrs]
    return wanted or mapped  # the latest Observation still dates the entity


def thing_params(
    config: SensorThingsConfig,
    mapping: TypeMapping,
    query: SourceQuery,
    names: list[str],
    top: int,
    skip: int,
    *,
    thing_ids: Collection[int] | None = None,
    after: datetime | None = None,
    where: Iterable[str] = (),
) -> dict[str, str]:
    """The query options of the first page; ``thing_ids`` (from the geo push-down),
    ``after`` (the widened time push-down) and ``where`` (clauses from ``where.py``)
    narrow the Things."""
    clauses = [things_filter(config, mapping, names)]
    if thing_ids is not None:
        clauses.append(" or ".join(f"id eq {i}" for i in sorted(thing_ids)))
    if after is not None:
        clauses.append(f"Datastreams/Observations/phenomenonTime ge {instant(after)}")
    clauses += where
    datastreams = (
        f"$filter={datastream_filter(config, names)};"
        f"$select=@iot.id,unitOfMeasurement,observationType;$top={MAX_DATASTREAMS};"
        f"$expand=ObservedProperty($select=name,definition),"
        "Observations($select=phenomenonTime,result;$orderby=phenomenonTime desc;$top=1)"
    )
    params = {
        "$filter": " and ".join(f"({c})" for c in clauses),
        "$select": "@iot.id,properties",
        "$expand": f"Locations($select=location),Datastreams({datastreams})",
        "$orderby": ORDER,
        "$top": str(top),
        "$count": "true",
    }
    if skip:
        params["$skip"] = str(skip)
    return params


def things_filter(config: SensorThingsConfig, mapping: TypeMapping, names: list[str]) -> str:
    """The configured filter choosing a type's Things, or "has one of these properties"."""
    return mapping.things or _any_of(f"Datastreams/ObservedProperty/{_field(config)}", names)


def datastream_filter(config: SensorThingsConfig, names: list[str]) -> str:
    """Datastreams of one of these observed properties."""
    return _any_of(f"ObservedProperty/{_field(config)}", names)


def _field(config: SensorThingsConfig) -> str:
    return "name" if config.match == "name" else "definition"


def literal(text: str) -> str:
    """An OData string literal."""
    return "'" + text.replace("'", "''") + "'"


def instant(moment: datetime) -> str:
    """A bare OData date-time, UTC, milliseconds rounded down (the window only widens)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    utc = moment.astimezone(UTC)
    utc -= timedelta(microseconds=utc.microsecond % 1000)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def locations_params(box: BBox) -> dict[str, str]:
    """Locations in ``box`` (their own ``location``) with their Things' ids."""
    return {
        "$filter": f"geo.intersects(location, {polygon(box)})",
        "$select": "id",
        "$expand": "Things($select=id)",
        "$orderby": ORDER,
        "$top": str(MAX_GEO_THINGS),
    }


def polygon(box: BBox) -> str:
    """A ``geography'POLYGON((...))'`` literal of ``box`` (longitude first, closed ring)."""
    w, s, e, n = box.min_lon, box.min_lat, box.max_lon, box.max_lat
    ring = ", ".join(f"{x!r} {y!r}" for x, y in ((w, s), (e, s), (e, n), (w, n), (w, s)))
    return f"geography'POLYGON(({ring}))'"


def empty_area(query: SourceQuery) -> bool:
    """True when ``near`` and ``within`` together leave no area at all."""
    box = _box(query)
    return box is not None and (box.min_lat > box.max_lat or box.min_lon > box.max_lon)


def area(query: SourceQuery) -> BBox | None:
    """The box holding every place ``near`` and ``within`` keep (None: no area asked)."""
    return _box(query)


def _box(query: SourceQuery) -> BBox | None:
    boxes = []
    if query.within is not None:
        boxes.append(_checked(query.within))
    if query.near is not None:
        boxes.append(near_box(query.near))
    if not boxes:
        return None
    return BBox(
        min_lat=max(b.min_lat for b in boxes),
        min_lon=max(b.min_lon for b in boxes),
        max_lat=min(b.max_lat for b in boxes),
        max_lon=min(b.max_lon for b in boxes),
    )


def near_box(near: Near) -> BBox:
    """The box around a circle, with a margin."""
    lat, lon, radius = near.point.lat, near.point.lon, near.max_distance_m
    if not all(math.isfinite(v) for v in (lat, lon, radius)) or radius < 0:
        raise UnsupportedQuery("near: the point or distance is not usable")
    dlat = radius * (1 + NEAR_MARGIN) / METRES_PER_DEGREE + BOX_SLACK_DEG
    cos = math.cos(math.radians(min(89.0, abs(lat))))
    dlon = radius * (1 + NEAR_MARGIN) / (METRES_PER_DEGREE * cos) + BOX_SLACK_DEG
    return BBox(
        min_lat=max(-90.0, lat - dlat),
        min_lon=max(-180.0, lon - dlon),
        max_lat=min(90.0, lat + dlat),
        max_lon=min(180.0, lon + dlon),
    )


def _checked(box: BBox) -> BBox:
    values = (box.min_lat, box.min_lon, box.max_lat, box.max_lon)
    if (
        not all(math.isfinite(v) for v in values)
        or box.min_lat > box.max_lat
        or box.min_lon > box.max_lon
    ):
        raise UnsupportedQuery("within: the box is not usable")
    s = BOX_SLACK_DEG
    return BBox(
        min_lat=max(-90.0, box.min_lat - s),
        min_lon=max(-180.0, box.min_lon - s),
        max_lat=min(90.0, box.max_lat + s),
        max_lon=min(180.0, box.max_lon + s),
    )


def _any_of(path: str, values: Iterable[str]) -> str:
    return " or ".join(f"{path} eq {literal(v)}" for v in values)
