"""Ways a simulated city falls short of the minimum framework (``caap assess`` measures them).

Unlike a fault (``faults/``), a shortfall is how a city's platform *is*, not an outage:
a catalogue that leaves datasets or licences out, entities that break their Smart
Data Model, no temporal API, no push channel, errors in plain text, coordinates in
a projected system, ids that change between reads, a type that is no Smart Data
Model. ``SimSettings(shortfalls={city: {...}})`` switches them on per city;
``python -m citysim --shortfalls demo`` (what ``caap demo`` runs) uses ``DEMO``.

Every city also has push channels (NGSI-LD subscriptions, ``citysim.ngsi_ld.subscription_routes``;
MQTT publishes, ``citysim.changes``), unless ``no_push``: then ``/ngsi-ld/v1/subscriptions``
is 404 and nothing is published.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

import orjson
from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from rdflib import Graph, Literal
from rdflib.namespace import DCAT, DCTERMS, RDF

NGSI_LD = "/ngsi-ld/v1/"
STALE_BY = timedelta(days=2)
"""How much older a ``stale`` city's observations are."""
FOREIGN_TYPE = "LegacySensorReading"
"""The type a ``foreign_type`` city publishes beside its Smart Data Models types."""
_PERCENT_OF = ("relativeHumidity",)
_CATALOGUE_PATHS = {
    "/dcat/catalog.ttl": "turtle",
    "/dcat/catalog.rdf": "xml",
    "/api/datasets/dcat": "xml",
}


class ShortfallError(ValueError):
    """A shortfall setting that cannot be: unknown name, wrong value."""


@dataclass(frozen=True, slots=True)
class Shortfalls:
    """What one city gets wrong; the default gets nothing wrong."""

    catalogue_missing: tuple[str, ...] = ()
    """Entity types whose dataset the catalogue leaves out."""
    catalogue_no_licence: bool = False
    """Distributions without ``dct:license``."""
    catalogue_invalid: bool = False
    """``dct:format`` as a plain literal: a DCAT-AP 3.0.0 violation (it wants an IRI)."""
    invalid_entities: bool = False
    """``relativeHumidity`` in percent (the model says 0..1): entities fail their schema."""
    no_temporal: bool = False
    """No NGSI-LD temporal API (404)."""
    no_push: bool = False
    """No subscription endpoint (404)."""
    plain_errors: bool = False
    """Errors as ``text/plain`` instead of ProblemDetails JSON."""
    projected_coordinates: bool = False
    """Locations in metres (a SWEREF 99 TM look-alike), not WGS84 degrees."""
    volatile_ids: bool = False
    """Entity ids carry a per-answer suffix: not the same across two reads."""
    foreign_type: bool = False
    """``GET /ngsi-ld/v1/types`` also lists a type that is no Smart Data Model."""
    stale: bool = False
    """Observation times (``observedAt``, ``dateObserved``) two days old."""

    def any(self) -> bool:
        """Whether anything is switched on."""
        return self != Shortfalls()


NONE = Shortfalls()

DEMO: Mapping[str, Mapping[str, Any]] = {
    "karlskrona": {
        "catalogue_missing": ["TrafficFlowObserved"],
        "catalogue_no_licence": True,
        "catalogue_invalid": True,
    },
    "katrineholm": {"stale": True},
    "malmo": {"invalid_entities": True, "plain_errors": True},
    "umea": {"no_temporal": True, "no_push": True},
    "lund": {"projected_coordinates": True},
    "skelleftea": {"volatile_ids": True, "foreign_type": True},
}
"""The spread of the demo: Stockholm and the others meet what their platform kind allows."""


def parse_shortfalls(spec: Mapping[str, Any]) -> Shortfalls:
    """``spec`` (names of ``Shortfalls`` fields -> values) checked; raises ShortfallError."""
    known = {f.name: f for f in fields(Shortfalls)}
    values: dict[str, Any] = {}
    for name, value in spec.items():
        if name not in known:
            raise ShortfallError(f"unknown shortfall {name!r} (known: {', '.join(known)})")
        if name == "catalogue_missing":
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                raise ShortfallError("catalogue_missing must be a list of entity types")
            values[name] = tuple(value)
        elif not isinstance(value, bool):
            raise ShortfallError(f"{name} must be true or false, got {value!r}")
        else:
            values[name] = value
    return Shortfalls(**values)


def middleware(shortfalls: Shortfalls) -> Middleware:
    """The aiohttp middleware that makes a city's answers fall short as ``shortfalls`` say."""
    answers = itertools.count(1)

    @web.middleware
    async def fall_short(request: web.Request, handler: Handler) -> web.StreamResponse:
        if shortfalls.no_temporal and request.path.startswith(NGSI_LD + "temporal/"):
            return _error(shortfalls, 404, "ResourceNotFound", "no temporal API on this broker")
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            if shortfalls.plain_errors and exc.status >= 400:
                return web.Response(status=exc.status, text=exc.text or exc.reason)
            raise
        if not isinstance(response, web.Response) or response.body is None:
            return response
        return _rewrite(shortfalls, request, response, next(answers))

    return fall_short


def _error(shortfalls: Shortfalls, status: int, kind: str, detail: str) -> web.Response:
    if shortfalls.plain_errors:
        return web.Response(status=status, text=detail)
    body = {"type": f"https://uri.etsi.org/ngsi-ld/errors/{kind}", "title": kind, "detail": detail}
    return web.Response(status=status, body=orjson.dumps(body), content_type="application/json")


def _rewrite(
    shortfalls: Shortfalls, request: web.Request, response: web.Response, answer: int
) -> web.Response:
    body = response.body
    if not isinstance(body, bytes):
        return response
    path = request.path
    if response.status >= 400:
        if shortfalls.plain_errors:
            return web.Response(status=response.status, text=_detail(body))
        return response
    new_body: bytes | None = None
    catalogue_short = (
        shortfalls.catalogue_missing
        or shortfalls.catalogue_no_licence
        or shortfalls.catalogue_invalid
    )
    if path in _CATALOGUE_PATHS and catalogue_short:
        new_body = _catalogue(shortfalls, body, _CATALOGUE_PATHS[path])
    elif path == NGSI_LD + "types" and shortfalls.foreign_type:
        new_body = _types(body)
    elif path.startswith(NGSI_LD + "entities") or path.startswith(NGSI_LD + "temporal/"):
        new_body = _entities(shortfalls, body, answer)
    if new_body is None:
        return response
    rewritten = web.Response(status=response.status, body=new_body, headers=response.headers)
    rewritten.headers.pop("ETag", None)
    rewritten.headers.pop("Content-Length", None)
    return rewritten


def _detail(body: bytes) -> str:
    try:
        problem = orjson.loads(body)
    except orjson.JSONDecodeError:
        return body.decode("utf-8", "replace")
    if isinstance(problem, dict):
        return str(problem.get("detail") or problem.get("title") or problem)
    return str(problem)


def _catalogue(shortfalls: Shortfalls, body: bytes, rdf_format: str) -> bytes:
    graph = Graph().parse(data=body, format=rdf_format)
    for missing in shortfalls.catalogue_missing:
        for dataset in list(graph.subjects(DCAT.distribution, None)):
            urls = [
                str(url)
                for dist in graph.objects(dataset, DCAT.distribution)
                for url in graph.objects(dist, DCAT.accessURL)
            ]
            if any(f"type={missing}" in url for url in urls):
                _drop_dataset(graph, dataset)
    distributions = list(graph.subjects(RDF.type, DCAT.Distribution))
    if shortfalls.catalogue_no_licence:
        for dist in distributions:
            graph.remove((dist, DCTERMS.license, None))
    if shortfalls.catalogue_invalid:
        for dist in distributions:
            for media in list(graph.objects(dist, DCAT.mediaType)):
                graph.set((dist, DCTERMS.format, Literal(str(media).split("/media-types/")[-1])))
    result: bytes = graph.serialize(format=rdf_format, encoding="utf-8")
    return result


def _drop_dataset(graph: Graph, dataset: Any) -> None:
    for dist in list(graph.objects(dataset, DCAT.distribution)):
        graph.remove((dist, None, None))
    for node in list(graph.objects(dataset, DCTERMS.temporal)):
        graph.remove((node, None, None))
    graph.remove((dataset, None, None))
    graph.remove((None, None, dataset))


def _types(body: bytes) -> bytes | None:
    document = orjson.loads(body)
    if isinstance(document, dict) and isinstance(document.get("typeList"), list):
        document["typeList"].append(FOREIGN_TYPE)
        return orjson.dumps(document)
    return None


def _entities(shortfalls: Shortfalls, body: bytes, answer: int) -> bytes | None:
    if not (
        shortfalls.invalid_entities
        or shortfalls.projected_coordinates
        or shortfalls.volatile_ids
        or shortfalls.stale
    ):
        return None
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    items: list[Any]
    if isinstance(document, list):
        items = document
    elif isinstance(document, dict) and isinstance(document.get("features"), list):
        items = document["features"]
    else:
        items = [document]
    for item in items:
        if isinstance(item, dict):
            _entity(shortfalls, item, answer)
    return orjson.dumps(document)


def _entity(shortfalls: Shortfalls, entity: dict[str, Any], answer: int) -> None:
    if shortfalls.volatile_ids and isinstance(entity.get("id"), str):
        entity["id"] = f"{entity['id']}-r{answer}"
    target = entity.get("properties", entity)
    if not isinstance(target, dict):
        return
    if shortfalls.invalid_entities:
        for name in _PERCENT_OF:
            _scale(target, name, 100.0)
    if shortfalls.projected_coordinates:
        _project(target.get("location"))
        if target is not entity:
            _project(entity.get("geometry"))
    if shortfalls.stale:
        _age(target)


def _age(node: Any) -> None:
    """Every observation time in ``node`` (observedAt, dateObserved) two days earlier."""
    if isinstance(node, list):
        for item in node:
            _age(item)
        return
    if not isinstance(node, dict):
        return
    for key, value in list(node.items()):
        if key in ("observedAt", "dateObserved", "@value") and isinstance(value, str):
            node[key] = _earlier(value)
        else:
            _age(value)


def _earlier(instant: str) -> str:
    try:
        moment = datetime.fromisoformat(instant.replace("Z", "+00:00"))
    except ValueError:
        return instant
    return (moment - STALE_BY).isoformat().replace("+00:00", "Z")


def _scale(entity: dict[str, Any], name: str, factor: float) -> None:
    value = entity.get(name)
    if isinstance(value, int | float) and not isinstance(value, bool):
        entity[name] = round(value * factor, 2)
    elif isinstance(value, dict) and isinstance(value.get("value"), int | float):
        value["value"] = round(value["value"] * factor, 2)
    elif isinstance(value, list):
        for instance in value:
            if isinstance(instance, dict) and isinstance(instance.get("value"), int | float):
                instance["value"] = round(instance["value"] * factor, 2)


def _project(location: Any) -> None:
    geometry = location.get("value", location) if isinstance(location, dict) else None
    if isinstance(geometry, dict) and "coordinates" in geometry:
        geometry["coordinates"] = _metres(geometry["coordinates"])


def _metres(coordinates: Any) -> Any:
    if isinstance(coordinates, list) and coordinates and isinstance(coordinates[0], int | float):
        lon, lat = coordinates[0], coordinates[1]
        return [round(500000 + (lon - 15.0) * 55800, 1), round(lat * 111200, 1)]
    if isinstance(coordinates, list):
        return [_metres(c) for c in coordinates]
    return coordinates
