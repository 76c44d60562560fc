"""One entity by id from an NGSI-LD broker: ``GET /ngsi-ld/v1/entities/{id}`` (GS CIM 009
clause 6.5.3.1), mapped as a query's entities are (``mapping.to_source_entity``).

The broker is asked in the form and @context of the type the id names
(``urn:ngsi-ld:<Type>:...``, else the defaults); when the entity turns out to be of
a type configured otherwise, it is asked again in that type's form. A 404 is
"no such entity" (diwise also answers 404 for an entity it does not let us see).
"""

from __future__ import annotations

from urllib.parse import quote

import orjson

from adapters.contract import SourceEntity
from adapters.errors import UpstreamProtocolError
from adapters.lookup import LookupQuery
from adapters.ngsi_ld.config import NgsiLdConfig, TypeSettings
from adapters.ngsi_ld.contexts import term_map
from adapters.ngsi_ld.mapping import to_source_entity
from adapters.ngsi_ld.transport import context_link
from adapters.sdk.client import PlatformClient
from adapters.sdk.fetch import JSON_TYPES

NOT_FOUND = 404


async def fetch_entity(
    client: PlatformClient, config: NgsiLdConfig, query: LookupQuery
) -> SourceEntity | None:
    """The entity ``query.entity_id``, or None when the broker has none of the asked types."""
    settings = config.for_type(hinted_type(query.entity_id, query.entity_types) or "")
    entity = await _retrieve(client, config, query.entity_id, settings)
    if entity is None:
        return None
    actual = config.for_type(entity.type)
    if actual.format != settings.format or actual.context != settings.context:
        entity = await _retrieve(client, config, query.entity_id, actual)
    if entity is None or entity.type not in query.entity_types:
        return None
    return entity


def hinted_type(entity_id: str, entity_types: tuple[str, ...]) -> str | None:
    """The type an id of the form ``urn:ngsi-ld:<Type>:...`` names, when it is one asked."""
    parts = entity_id.split(":")
    if len(parts) > 3 and parts[0].lower() == "urn" and parts[2] in entity_types:
        return parts[2]
    return None


async def _retrieve(
    client: PlatformClient, config: NgsiLdConfig, entity_id: str, settings: TypeSettings
) -> SourceEntity | None:
    base = config.entities_url
    url = base.with_path(f"{base.raw_path.rstrip('/')}/{quote(entity_id, safe=':')}", encoded=True)
    if settings.format == "keyValues":
        url = url.with_query({"options": "keyValues"})
    answer = await client.fetch(
        url, headers=context_link(settings.context), accept_status=(200, NOT_FOUND)
    )
    if answer.status == NOT_FOUND:
        return None
    if answer.content_type not in JSON_TYPES:
        raise UpstreamProtocolError(
            f"expected a JSON entity, got content type {answer.content_type!r}",
            status=answer.status,
        )
    try:
        raw = orjson.loads(answer.body)
    except orjson.JSONDecodeError as exc:
        raise UpstreamProtocolError(f"the entity is not valid JSON ({exc.msg})") from None
    return to_source_entity(raw, term_map(settings.context), time_property=settings.time_property)
