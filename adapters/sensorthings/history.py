"""History from a SensorThings server: the Observations of each Datastream in a time window.

One request on ``Things`` expands each wanted Datastream's Observations with
``$filter=phenomenonTime ge <after> and phenomenonTime lt <before>``, ordered by
time (newest first with ``$top=<last_n + LAST_N_SLACK>`` when only the last N are
wanted); the expanded pages are followed through ``Observations@iot.nextLink``.
The window sent is widened by the precision the server reports times in (a
server storing milliseconds but writing whole seconds compares the bound with
what it stores); the exact window is applied here to the times as reported.
Values are converted into the data model's units; aggregation is done here.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from yarl import URL

from adapters.contract import EntityHistory, HistoryPoint, HistoryQuery, HistoryResult
from adapters.sdk.aggregate import aggregate
from adapters.sdk.client import PlatformClient
from adapters.sdk.times import Precision, parse_instant
from adapters.sensorthings.config import SensorThingsConfig, TypeMapping
from adapters.sensorthings.mapping import Mapper
from adapters.sensorthings.pages import expanded, page_of
from adapters.sensorthings.query import (
    ORDER,
    datastream_filter,
    instant,
    literal,
    observed,
    things_filter,
)

MAX_OBSERVATIONS = 100_000
"""Observations read per Datastream at most."""
PAGE = 1000
LAST_N_SLACK = 16
"""Observations asked beyond ``last_n``: those the widened window's end lets in."""


async def read_history(
    client: PlatformClient,
    config: SensorThingsConfig,
    mapping: TypeMapping,
    query: HistoryQuery,
    precision: Precision,
) -> HistoryResult:
    """Each entity's series in the window, oldest first (``last_n``: the newest N)."""
    names = observed(mapping, query.attrs)
    clauses = [things_filter(config, mapping, names)]
    if query.entity_id is not None:
        clause = _id_clause(mapping, query.entity_type, query.entity_id)
        if clause is None:
            return HistoryResult([])
        clauses.append(clause)
    widen = precision.value
    window = (
        f"phenomenonTime ge {instant(query.after - widen)} "
        f"and phenomenonTime lt {_ceil(query.before + widen)}"
    )
    order, top = ("desc", query.last_n + LAST_N_SLACK) if query.last_n else ("asc", PAGE)
    observations = (
        f"Observations($filter={window};$orderby=phenomenonTime {order};$top={top};"
        "$select=phenomenonTime,result)"
    )
    datastreams = (
        f"$filter={datastream_filter(config, names)};"
        "$select=@iot.id,unitOfMeasurement,observationType;"
        f"$expand=ObservedProperty($select=name,definition),{observations}"
    )
    params = {
        "$filter": " and ".join(f"({c})" for c in clauses),
        "$select": "@iot.id,properties",
        "$expand": f"Datastreams({datastreams})",
        "$orderby": ORDER,
        "$top": str(max(1, min(config.page_size, query.limit + 1))),
    }
    url = (config.url / "Things").with_query(params)
    mapper = Mapper(query.entity_type, mapping, config.match, precision)
    found: list[EntityHistory] = []
    while True:
        things, _, link = page_of((await client.get_json(url)).data)
        for thing in things:
            if len(found) == query.limit:
                return HistoryResult(found, truncated=True)
            found.append(await _entity(client, mapper, thing, url, query))
        if link is None:
            return HistoryResult(found)
        url = client.follow(link, url)


async def _entity(
    client: PlatformClient, mapper: Mapper, thing: object, url: URL, query: HistoryQuery
) -> EntityHistory:
    series: dict[str, list[HistoryPoint]] = {}
    most = query.last_n + LAST_N_SLACK if query.last_n else MAX_OBSERVATIONS
    for datastream in await expanded(client, thing, "Datastreams", url):
        mapped = mapper.attribute_of(datastream)
        if mapped is None:
            continue
        key, attribute = mapped
        if query.attrs is not None and attribute not in query.attrs:
            continue
        points = series.setdefault(attribute, [])
        for observation in await expanded(client, datastream, "Observations", url, most=most):
            if not isinstance(observation, dict):
                continue
            stamp = observation.get("phenomenonTime")
            at = parse_instant(stamp, what="phenomenonTime")
            mapper.precision.saw(stamp)
            if not query.after <= at < query.before:
                continue
            value = mapper.value(key, attribute, observation.get("result"), datastream)
            if value is not None:
                points.append(HistoryPoint(at, value))
    for attribute, points in series.items():
        points.sort(key=lambda p: p.at)
        if query.last_n:
            points[:] = points[-query.last_n :]
        if query.aggregation is not None:
            series[attribute] = aggregate(points, query.aggregation, query.after, query.before)
    assert isinstance(thing, dict)
    return EntityHistory(mapper.id_of(thing), query.entity_type, series)


def _id_clause(mapping: TypeMapping, entity_type: str, entity_id: str) -> str | None:
    """A filter on one entity, or None when the id cannot belong to this server."""
    if mapping.id_property is not None:
        return f"properties/{mapping.id_property} eq {literal(entity_id)}"
    match = re.fullmatch(rf"urn:ngsi-ld:{re.escape(entity_type)}:(\d+)", entity_id)
    return f"id eq {match.group(1)}" if match else None


def _ceil(moment: datetime) -> str:
    """The window's end, rounded up to the next millisecond when it has microseconds."""
    if moment.microsecond % 1000:
        moment += timedelta(microseconds=1000 - moment.microsecond % 1000)
    return instant(moment)
