"""One entity by id from a SensorThings server: the Thing of that id, with the same
expansion (Location, Datastreams, their latest Observation) as a query's Things, mapped
by the same ``Mapper``.

An entity id is the Thing's ``id_property`` where the type maps one (``$filter`` on
it), else ``urn:ngsi-ld:<Type>:<@iot.id>`` (the Thing by its id). Each asked type the
config maps is tried, the type the id names first; one request per type tried.
"""

from __future__ import annotations

from adapters.contract import SourceEntity, SourceQuery
from adapters.lookup import LookupQuery
from adapters.sdk.client import PlatformClient
from adapters.sdk.times import Precision
from adapters.sensorthings.config import SensorThingsConfig, TypeMapping
from adapters.sensorthings.mapping import Mapper
from adapters.sensorthings.pages import expanded, page_of
from adapters.sensorthings.query import literal, observed, thing_params


async def fetch_entity(
    client: PlatformClient, config: SensorThingsConfig, precision: Precision, query: LookupQuery
) -> SourceEntity | None:
    """The entity ``query.entity_id`` of one of ``query.entity_types``, or None."""
    for entity_type in candidates(query):
        mapping = config.types.get(entity_type)
        if mapping is None:
            continue
        params = _params(config, mapping, entity_type, query.entity_id)
        if params is None:
            continue
        url = (config.url / "Things").with_query(params)
        things, _, _ = page_of((await client.get_json(url)).data)
        if not things:
            continue
        mapper = Mapper(entity_type, mapping, config.match, precision)
        entity = mapper.entity(things[0], await expanded(client, things[0], "Datastreams", url))
        if entity.id == query.entity_id:
            return entity
    return None


def candidates(query: LookupQuery) -> list[str]:
    """The asked types, the one an ``urn:ngsi-ld:<Type>:...`` id names first."""
    parts = query.entity_id.split(":")
    named = parts[2] if len(parts) > 3 else None
    return sorted(query.entity_types, key=lambda t: t != named)


def _params(
    config: SensorThingsConfig, mapping: TypeMapping, entity_type: str, entity_id: str
) -> dict[str, str] | None:
    """The first page's options narrowed to the Thing of ``entity_id``; None when such an id
    cannot be one of this type's."""
    names = observed(mapping, None)
    source = SourceQuery(entity_type, limit=1)
    if mapping.id_property is not None:
        params = thing_params(config, mapping, source, names, top=1, skip=0)
        clause = f"properties/{mapping.id_property} eq {literal(entity_id)}"
        params["$filter"] = f"{params['$filter']} and ({clause})"
        return params
    prefix = f"urn:ngsi-ld:{entity_type}:"
    number = entity_id.removeprefix(prefix)
    if not entity_id.startswith(prefix) or not number.isdigit():
        return None
    return thing_params(config, mapping, source, names, top=1, skip=0, thing_ids=[int(number)])
