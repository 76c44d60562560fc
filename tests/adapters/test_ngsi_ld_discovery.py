"""NGSI-LD discovery against answers recorded from Orion-LD, replayed over loopback HTTP.

The broker's ``/types?details=true`` (tests/adapters/real_answers/orion-ld/
entity_types_details_08.json) and ``/types/T1`` (entity_type_info_06.json) answers are
served as Orion-LD sent them (status, content type, core-context ``Link``); what the
adapter makes of them is written down from the payloads. Sources and licences:
tests/adapters/real_answers/ATTRIBUTION.md.
"""

from __future__ import annotations

import logging
from pathlib import Path

import orjson
from aiohttp import web

from adapters import AdapterContext, DiscoveryQuery, LookupQuery
from adapters.ngsi_ld import NgsiLdAdapter
from tests.support.recorded_server import Reply, serving

ORION = Path(__file__).parent / "real_answers" / "orion-ld"
CORE_LINK = (
    "<https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.6.jsonld>; "
    'rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'
)
NOT_FOUND = {
    "detail": "https://uri.etsi.org/ngsi-ld/default-context/T9",
    "title": "Entity Type Not Found",
    "type": "https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound",
}
"""Orion-LD's 404 for an unknown type (the same test, step 02), as it stands there."""


def recorded(name: str) -> object:
    return orjson.loads((ORION / name).read_bytes())


async def orion(request: web.Request) -> Reply:
    if request.path == "/ngsi-ld/v1/types" and request.query.get("details") == "true":
        return Reply(recorded("entity_types_details_08.json"), headers={"Link": CORE_LINK})
    if request.path.endswith("/T1"):
        return Reply(recorded("entity_type_info_06.json"), headers={"Link": CORE_LINK})
    return Reply(NOT_FOUND, status=404)


async def test_types_and_counts_come_from_the_recorded_answers() -> None:
    async with serving(orion) as server:
        adapter = NgsiLdAdapter(
            {"url": server.url}, AdapterContext("orion", logging.getLogger("t"))
        )
        try:
            result = await adapter.discover(DiscoveryQuery(("T1", "T9")))
        finally:
            await adapter.aclose()
    (t1,) = result.types
    assert t1.name == "T1"
    assert t1.count == 2
    assert [a.name for a in t1.attributes] == [
        "P1",
        "P2",
        "R1",
        "R2",
        "brandName",
        "isParked",
        "speed",
    ]
    assert all(a.unit is None for a in t1.attributes)
    asked = [(r.path, dict(r.query)) for r in server.requests]
    assert asked[0] == ("/ngsi-ld/v1/types", {"details": "true"})
    assert asked[1][0] == "/ngsi-ld/v1/types/https://uri.etsi.org/ngsi-ld/default-context/T1"
    assert len(asked) == 2, "T9 is not listed: no request for it"


async def test_a_404_of_a_retrieval_is_no_entity() -> None:
    async with serving(orion) as server:
        adapter = NgsiLdAdapter(
            {"url": server.url}, AdapterContext("orion", logging.getLogger("t"))
        )
        try:
            found = await adapter.fetch_entity(LookupQuery("urn:ngsi-ld:T1:E9", ("T1",)))
        finally:
            await adapter.aclose()
    assert found is None
    assert server.requests[0].path == "/ngsi-ld/v1/entities/urn:ngsi-ld:T1:E9"
