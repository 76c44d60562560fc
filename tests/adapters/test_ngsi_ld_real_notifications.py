"""Notifications recorded from a real Orion-LD, replayed through NgsiLdAdapter.stream_entities.

A scripted broker (``tests.support.recorded_server``) accepts the subscription as
Orion-LD does (201, ``Location``), POSTs the recorded notification body to the
subscription's endpoint with ``?subscriptionId=`` appended (Orion-LD's accumulator
dumps show it does), and records the ``DELETE`` when the stream closes. Sources and
licences: tests/adapters/real_answers/ATTRIBUTION.md.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import aiohttp
import orjson
import pytest
from aiohttp import web

from adapters.contract import AdapterContext, GeoPoint, SourceEntity
from adapters.ngsi_ld import NgsiLdAdapter
from adapters.ngsi_ld.streaming import notification_data
from adapters.streaming import StreamQuery
from adapters.testing.callbacks import LoopbackCallbackHost
from tests.support.recorded_server import Reply, serving

ANSWERS = Path(__file__).parent / "real_answers" / "orion-ld"
LOG = logging.getLogger("test.ngsi_ld.real_notifications")


async def replayed(recording: str, format_: str) -> tuple[SourceEntity, list[str]]:
    """The first entity streamed from the recorded notification, and the requests made."""
    body = (ANSWERS / recording).read_bytes()
    notification = orjson.loads(body)
    sent: list[asyncio.Task[None]] = []

    async def notify(endpoint: str) -> None:
        url = f"{endpoint}?subscriptionId={notification['subscriptionId']}"
        headers = {"Content-Type": "application/json"}
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, data=body, headers=headers),
        ):
            pass

    async def script(request: web.Request) -> Reply:
        if request.method == "POST":
            subscription = await request.json()
            sent.append(
                asyncio.create_task(notify(subscription["notification"]["endpoint"]["uri"]))
            )
            location = f"/ngsi-ld/v1/subscriptions/{notification['subscriptionId']}"
            return Reply(b"", status=201, headers={"Location": location})
        return Reply(b"", status=204)

    async with serving(script) as broker, LoopbackCallbackHost() as host:
        config = {"url": f"{broker.url}/ngsi-ld/v1/", "format": format_, "types": {}}
        adapter = NgsiLdAdapter(
            config,
            AdapterContext(city_id="orion", logger=LOG, timeout_s=5),
        )
        stream = adapter.stream_entities(StreamQuery("Vehicle"), host)
        entity = await anext(stream)
        await stream.aclose()  # type: ignore[attr-defined]
        await asyncio.gather(*sent)
        await adapter.aclose()
        return entity, [f"{r.method} {r.path}" for r in broker.requests]


RECORDINGS = ["notification_location_03.json", "notification_watched_attribute_04.json"]


def test_every_recorded_notification_is_replayed() -> None:
    assert sorted(p.name for p in ANSWERS.glob("notification_*")) == RECORDINGS


@pytest.mark.parametrize("recording", RECORDINGS)
def test_the_recorded_body_is_a_notification(recording: str) -> None:
    data = notification_data((ANSWERS / recording).read_bytes())
    assert [e["type"] for e in data] == ["Vehicle"]


async def test_a_geoproperty_notified_by_orion_ld_maps_to_the_location() -> None:
    entity, requests = await replayed("notification_location_03.json", "normalized")
    assert entity.id == "urn:ngsi-ld:Vehicle:A4501"
    assert entity.type == "Vehicle"
    assert entity.location == GeoPoint(lat=41.2, lon=-8.5)
    assert requests == [
        "POST /ngsi-ld/v1/subscriptions",
        "DELETE /ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:01",
    ]


async def test_a_watched_attribute_notified_by_orion_ld_maps_to_its_value() -> None:
    entity, requests = await replayed("notification_watched_attribute_04.json", "normalized")
    assert entity.id == "urn:ngsi-ld:vehicle:5g-car:2"
    assert entity.attributes == {"distanceCollision": 543333}
    assert entity.location is None
    assert requests[-1] == "DELETE /ngsi-ld/v1/subscriptions/urn:aeros:subscription:car:test"
