"""places.* and ids.*: GeoJSON in WGS84, inside the municipality; persistent URN ids."""

from __future__ import annotations

import math
from typing import Any

from adapters.contract import SourceResult
from gateway.assessment import schemas
from gateway.assessment.checks.api import no_standard_api
from gateway.assessment.checks.models import samples
from gateway.assessment.evidence import Evidence, Outcome, excerpt, failed, passed
from gateway.assessment.target import CityTarget, sample_request

GEOMETRY_TYPES = frozenset(
    {"Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon"}
)
GEOJSON_MEDIA = frozenset({"application/geo+json", "application/vnd.geo+json"})
EARTH_RADIUS_M = 6_371_008.8


def geometry_problem(geometry: Any) -> str | None:
    """Why ``geometry`` is not a GeoJSON geometry in WGS84 (lon, lat degrees); None if it is."""
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_TYPES:
        return f"not a GeoJSON geometry: {excerpt(str(geometry), 120)}"
    for lon, lat in _positions(geometry.get("coordinates")):
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return f"position [{lon}, {lat}] is not WGS84 longitude, latitude"
    if not list(_positions(geometry.get("coordinates"))):
        return "a geometry without positions"
    return None


def _positions(coordinates: Any) -> list[tuple[float, float]]:
    if (
        isinstance(coordinates, list)
        and len(coordinates) >= 2
        and all(isinstance(c, int | float) for c in coordinates[:2])
    ):
        return [(float(coordinates[0]), float(coordinates[1]))]
    if isinstance(coordinates, list):
        return [p for c in coordinates for p in _positions(c)]
    return []


async def geojson(target: CityTarget) -> Outcome:
    """Locations read over the platform's own API are GeoJSON in WGS84."""
    root = target.api_root()
    if root is None:
        return no_standard_api(target, "ngsi-ld or sensorthings")
    size = int(target.profile.number("sample_size"))
    expected = "GeoJSON geometries, positions as WGS84 [longitude, latitude] (RFC 7946)"
    evidence: list[Evidence] = []
    bad: list[str] = []
    if target.kind == "ngsi-ld":
        for entity_type in target.datasets:
            url = f"{root}/entities?type={entity_type}&limit={size}&options=keyValues"
            answer = await target.get(url, target.ngsi_headers())
            document = answer.json()
            if answer.status != 200 or not isinstance(document, list):
                bad.append(entity_type)
                evidence.append(Evidence(answer.request_line, answer.describe(), expected))
                continue
            found = [
                f"{e.get('id')}: {p}"
                for e in document
                if isinstance(e, dict) and "location" in e
                for p in [geometry_problem(e["location"])]
                if p is not None
            ]
            if found:
                bad.append(entity_type)
            response = "\n".join(found[:5]) if found else f"{len(document)} entities, all GeoJSON"
            evidence.append(Evidence(answer.request_line, response, expected))
    else:
        answer = await target.get(f"{root}/Locations?$top={size}")
        document = answer.json()
        items = document.get("value") if isinstance(document, dict) else None
        if answer.status != 200 or not isinstance(items, list):
            return failed(
                "Locations could not be read",
                Evidence(answer.request_line, answer.describe(), expected),
            )
        found = []
        for item in items:
            media = str(item.get("encodingType", ""))
            problem = (
                f"encodingType {media!r}"
                if media not in GEOJSON_MEDIA
                else geometry_problem(item.get("location"))
            )
            if problem is not None:
                found.append(f"Location {item.get('@iot.id')}: {problem}")
        if found:
            bad.append("Locations")
        response = "\n".join(found[:5]) if found else f"{len(items)} Locations, all GeoJSON"
        evidence.append(Evidence(answer.request_line, response, expected))
    if bad:
        return failed(f"places not GeoJSON in WGS84: {', '.join(bad)}", *evidence)
    return passed("places are GeoJSON in WGS84", *evidence)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


async def inside(target: CityTarget) -> Outcome:
    """Every sampled entity lies within the radius of the municipality's centre."""
    radius_km = target.profile.number("municipality_radius_km")
    if target.centre is None:
        return failed(
            f"no centre known for municipality {target.city.kommunkod}",
            Evidence("municipalities.csv", "not listed", "the municipality's centre"),
        )
    lat0, lon0 = target.centre
    expected = f"within {radius_km:g} km of the centre ({lat0}, {lon0})"
    evidence: list[Evidence] = []
    bad: list[str] = []
    for entity_type, result in (await samples(target)).items():
        request = sample_request(target, entity_type)
        if isinstance(result, str):
            bad.append(entity_type)
            evidence.append(Evidence(request, f"no answer: {result}", expected))
            continue
        outside = [
            f"{e.id} at ({e.location.lat:.5f}, {e.location.lon:.5f}): "
            f"{distance_m(lat0, lon0, e.location.lat, e.location.lon) / 1000:.1f} km"
            for e in result.entities
            if e.location is not None
            and distance_m(lat0, lon0, e.location.lat, e.location.lon) > radius_km * 1000
        ]
        located = sum(1 for e in result.entities if e.location is not None)
        unplaced = len(result.entities) - located
        if unplaced and schemas.requires(entity_type, "location"):
            outside.append(f"{unplaced} of {len(result.entities)} entities have no usable place")
        if outside:
            bad.append(entity_type)
        response = "\n".join(outside[:5]) if outside else f"{located} located entities, all inside"
        evidence.append(Evidence(request, response, expected))
    if bad:
        return failed(f"places outside the municipality: {', '.join(bad)}", *evidence)
    return passed(f"every sampled place within {radius_km:g} km of the centre", *evidence)


async def persistent_ids(target: CityTarget) -> Outcome:
    """Two reads of one dataset give the same URN ids."""
    if not target.datasets:
        return failed(
            "the city lists no dataset", Evidence("federation file", "no datasets", "one")
        )
    entity_type = target.datasets[0]
    request = sample_request(target, entity_type) + ", twice"
    expected = "the same ids both times, each a URN (urn:...)"
    try:
        first: SourceResult = await target.sample(entity_type)
        second: SourceResult = await target.sample(entity_type, read=1)
    except Exception as exc:  # an adapter error or a timeout: the evidence says which
        return failed(
            f"could not read {entity_type}",
            Evidence(request, f"{type(exc).__name__}: {exc}", expected),
        )
    ids_first = [e.id for e in first.entities]
    ids_second = [e.id for e in second.entities]
    response = excerpt(f"first: {ids_first}\nsecond: {ids_second}")
    evidence = Evidence(request, response, expected)
    not_urn = [i for i in ids_first if not i.lower().startswith("urn:")]
    if not ids_first:
        return failed(f"no {entity_type} entities to compare", evidence)
    if ids_first != ids_second:
        return failed("ids differ between two reads", evidence)
    if not_urn:
        return failed(f"ids are not URNs: {', '.join(not_urn[:3])}", evidence)
    return passed(f"{len(ids_first)} URN ids, the same across two reads", evidence)
