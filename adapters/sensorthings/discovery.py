"""What a SensorThings server holds, from its own entity sets (OGC 18-088):

- ``ObservedProperties`` (one request, with one Datastream each for its
  ``unitOfMeasurement``): the mapped observed properties the server has, in a unit
  convertible into the data model's, are the attributes of the types that map them;
- ``Things?$filter=<the type's filter>&$count=true&$top=0`` per asked type: its count.

Mapped Thing properties (``thing_properties``) are attributes too (no unit).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from adapters.discovery import AttributeInfo, DiscoveryQuery, DiscoveryResult, TypeInfo
from adapters.sdk.client import PlatformClient
from adapters.sdk.models import with_date_observed
from adapters.sdk.unit_codes import deliverable, described
from adapters.sensorthings.config import SensorThingsConfig, TypeMapping
from adapters.sensorthings.mapping import stated_unit
from adapters.sensorthings.pages import page_of
from adapters.sensorthings.query import MAX_DATASTREAMS, ORDER, things_filter

Stated = Mapping[str, str | None]
"""Observed property (name or definition, as the config matches) -> the unit a Datastream states."""


async def discover(
    client: PlatformClient, config: SensorThingsConfig, query: DiscoveryQuery
) -> DiscoveryResult:
    """The asked types this server's config maps, with the attributes the server has."""
    asked = [t for t in query.entity_types if t in config.types]
    if not asked:
        return DiscoveryResult([])
    stated, *counts = await asyncio.gather(
        observed_properties(client, config),
        *(_count(client, config, config.types[t]) for t in asked),
    )
    assert isinstance(stated, Mapping)
    return DiscoveryResult(
        [
            TypeInfo(
                t,
                count if isinstance(count, int) else None,
                _attributes(t, config.types[t], stated),
            )
            for t, count in zip(asked, counts, strict=True)
        ]
    )


async def observed_properties(client: PlatformClient, config: SensorThingsConfig) -> Stated:
    """Every ObservedProperty of the server, by the field the config matches on, with the
    unit its first Datastream states (next links followed)."""
    url = (config.url / "ObservedProperties").with_query(
        {
            "$select": "name,definition",
            "$expand": "Datastreams($select=unitOfMeasurement;$top=1)",
            "$orderby": ORDER,
            "$top": str(MAX_DATASTREAMS),
        }
    )
    found: dict[str, str | None] = {}
    while True:
        items, _, link = page_of((await client.get_json(url)).data)
        for item in items:
            key = item.get(config.match) if isinstance(item, Mapping) else None
            streams = item.get("Datastreams") if isinstance(item, Mapping) else None
            first = streams[0] if isinstance(streams, list) and streams else {}
            if isinstance(key, str):
                stated = stated_unit(
                    first.get("unitOfMeasurement") if isinstance(first, Mapping) else None
                )
                found.setdefault(key, stated)
        if link is None:
            return found
        url = client.follow(link, url)


async def _count(
    client: PlatformClient, config: SensorThingsConfig, mapping: TypeMapping
) -> int | None:
    names = list(mapping.properties)
    url = (config.url / "Things").with_query(
        {"$filter": things_filter(config, mapping, names), "$count": "true", "$top": "0"}
    )
    _, count, _ = page_of((await client.get_json(url)).data)
    return count


def _attributes(
    entity_type: str, mapping: TypeMapping, stated: Stated
) -> tuple[AttributeInfo, ...]:
    names = {
        attribute
        for key, attribute in mapping.properties.items()
        if key in stated
        and deliverable(entity_type, attribute, mapping.units.get(key) or stated[key])
    }
    return described(
        entity_type, with_date_observed(entity_type, names | set(mapping.thing_properties.values()))
    )
