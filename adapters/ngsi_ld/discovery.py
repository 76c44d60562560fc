"""What an NGSI-LD broker holds, from its own discovery API (GS CIM 009 clauses 5.7.5-5.7.6):

1. ``GET /ngsi-ld/v1/types?details=true``: every type with its attribute names
   (``EntityType``: ``typeName``, ``attributeNames``), one request;
2. ``GET /ngsi-ld/v1/types/{type}`` for each asked type the broker listed:
   its ``entityCount`` (``EntityTypeInfo``), the requests concurrent.

Names are compacted with the type's @context (sent in the ``Link`` header);
``location`` is the entity's location, not an attribute; units are those the
adapter delivers (``adapters.sdk.unit_codes``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from adapters.discovery import DiscoveryQuery, DiscoveryResult, TypeInfo
from adapters.errors import UpstreamProtocolError
from adapters.ngsi_ld.config import NgsiLdConfig
from adapters.ngsi_ld.contexts import term_map
from adapters.ngsi_ld.query import check_name
from adapters.ngsi_ld.transport import context_link
from adapters.sdk.client import PlatformClient
from adapters.sdk.unit_codes import described

NOT_ATTRIBUTES = frozenset({"location", "id", "type", "@context"})


async def discover(
    client: PlatformClient, config: NgsiLdConfig, query: DiscoveryQuery
) -> DiscoveryResult:
    """The asked types the broker lists, with their attributes and counts."""
    for name in query.entity_types:
        check_name("entity type", name)
    headers = context_link(config.defaults.context)
    listed = await client.get_json(
        (config.url / "types").with_query({"details": "true"}), headers=headers
    )
    listing = entity_types(listed.data, config)
    present = [t for t in query.entity_types if t in listing]
    infos = await asyncio.gather(*(_type_info(client, config, t, listing[t].iri) for t in present))
    return DiscoveryResult(
        [
            TypeInfo(t, count, described(t, (listing[t].attributes | more) - NOT_ATTRIBUTES))
            for t, (count, more) in zip(present, infos, strict=True)
        ]
    )


@dataclass(frozen=True, slots=True)
class Listed:
    """One type of the broker's list: its IRI (or term) and its attribute names."""

    iri: str
    attributes: frozenset[str]


def entity_types(data: object, config: NgsiLdConfig) -> dict[str, Listed]:
    """Type name -> its IRI and attribute names, of a ``details=true`` answer (a JSON array
    of ``EntityType``; a broker that ignores ``details`` answers an ``EntityTypeList``)."""
    terms = term_map(config.defaults.context)
    if isinstance(data, Mapping) and isinstance(data.get("typeList"), list):
        return {
            terms.compact(t): Listed(t, frozenset()) for t in data["typeList"] if isinstance(t, str)
        }
    if not isinstance(data, list):
        raise UpstreamProtocolError("expected a JSON array of EntityType objects from /types")
    found: dict[str, Listed] = {}
    for item in data:
        if not isinstance(item, Mapping):
            raise UpstreamProtocolError("an item of the /types answer is not an object")
        name = item.get("typeName", item.get("id"))
        if not isinstance(name, str) or not name:
            raise UpstreamProtocolError("an EntityType of the /types answer has no typeName")
        iri = item.get("id")
        found[terms.compact(name)] = Listed(
            iri if isinstance(iri, str) and iri else name,
            frozenset(terms.compact(a) for a in _strings(item.get("attributeNames"))),
        )
    return found


async def _type_info(
    client: PlatformClient, config: NgsiLdConfig, entity_type: str, iri: str
) -> tuple[int | None, frozenset[str]]:
    """``entityCount`` (None when the broker gives none) and the names of the
    ``attributeDetails`` of ``GET /types/{type}``, asked by the IRI the list gave (a broker
    takes it whatever @context it stored the type with)."""
    settings = config.for_type(entity_type)
    base = config.url / "types"
    url = base.with_path(f"{base.raw_path}/{quote(iri, safe=':')}", encoded=True)
    answer = await client.get_json(url, headers=context_link(settings.context))
    return type_info(answer.data, entity_type, settings.context)


def type_info(data: object, entity_type: str, context: str) -> tuple[int | None, frozenset[str]]:
    """The count and attribute names of one ``EntityTypeInfo``."""
    if not isinstance(data, Mapping):
        raise UpstreamProtocolError(f"expected an EntityTypeInfo object for {entity_type}")
    terms = term_map(context)
    details = data.get("attributeDetails")
    names = frozenset(
        terms.compact(d.get("attributeName", d.get("id")))
        for d in (details if isinstance(details, list) else [])
        if isinstance(d, Mapping) and isinstance(d.get("attributeName", d.get("id")), str)
    )
    count = data.get("entityCount")
    valid = isinstance(count, int) and not isinstance(count, bool) and count >= 0
    return (count if valid else None), names


def _strings(value: Any) -> Sequence[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
