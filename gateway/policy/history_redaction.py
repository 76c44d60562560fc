"""Policy applied to a history answer: hidden series dropped, location series coarsened.

A grant's ``coarsen_m`` applies to history as it does to entities (Finding H3):
every value that is a GeoJSON geometry, in any series, becomes the centre of
its grid cell as a GeoJSON Point; a value of the ``location`` series that is
not a geometry cannot be coarsened and is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence

from adapters import representative_point
from adapters.contract import EntityHistory, GeoPoint, HistoryPoint, JSONValue
from gateway.federation.model import Rules
from gateway.policy.decisions import LOCATION
from gateway.policy.grid import coarsen


def redact_history(entity: EntityHistory, rules: Rules) -> EntityHistory:
    """``entity`` without the series ``rules`` hide, its locations coarsened."""
    series = {k: v for k, v in entity.series.items() if rules.shows(k)}
    if rules.coarsen_m is not None:
        cell_m = rules.coarsen_m
        series = {k: _coarse(v, cell_m, k == LOCATION) for k, v in series.items()}
        series = {k: v for k, v in series.items() if v}
    return EntityHistory(entity.id, entity.type, series)


def _coarse(points: Sequence[HistoryPoint], cell_m: float, location: bool) -> list[HistoryPoint]:
    kept: list[HistoryPoint] = []
    for point in points:
        if not _is_geometry(point.value):
            if not location:
                kept.append(point)
            continue
        centre = representative_point(point.value)
        if centre is not None:
            value = _geojson_point(coarsen(centre, cell_m))
            kept.append(HistoryPoint(point.at, value, point.until))
    return kept


def _is_geometry(value: JSONValue) -> bool:
    return isinstance(value, dict) and ("coordinates" in value or "geometries" in value)


def _geojson_point(point: GeoPoint) -> JSONValue:
    return {"type": "Point", "coordinates": [point.lon, point.lat]}
