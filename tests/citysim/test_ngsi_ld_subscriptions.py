"""citysim's NGSI-LD subscriptions: checked and answered as GS CIM 009 says, counted by the
control API, notified with the real Notification body when the world is pushed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest

from adapters.testing.callbacks import LoopbackCallbackHost
from citysim.jsonld import term_context
from citysim.ngsi_ld.problems import Problem
from citysim.ngsi_ld.subscriptions import Subscriptions
from tests.support.manual_clock import ManualClock
from tests.support.sim import Sim

CITY = "karlskrona"
UNIFIED = "https://smartdatamodels.org/context.jsonld"
LINK = f'<{UNIFIED}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'


def later(seconds: float = 3600) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


def subscription(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "Subscription",
        "entities": [{"type": "WeatherObserved"}],
        "notification": {
            "endpoint": {"uri": "http://127.0.0.1:9/notify", "accept": "application/json"}
        },
        "expiresAt": later(),
    }
    body.update(changes)
    return body


def url(sim: Sim, tail: str = "") -> str:
    return f"{sim.urls[CITY]}/ngsi-ld/v1/subscriptions{tail}"


def test_a_subscription_is_created_shown_updated_and_deleted(sim: Sim) -> None:
    created = httpx.post(url(sim), json=subscription(), headers={"Link": LINK})
    assert created.status_code == 201
    location = created.headers["Location"]
    assert location.startswith("/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:")
    assert sim.subscriptions(CITY) == 1
    shown = httpx.get(sim.urls[CITY] + location).json()
    assert (shown["type"], shown["status"], shown["isActive"]) == ("Subscription", "active", True)
    assert shown["notification"]["timesSent"] == 0
    patched = httpx.patch(sim.urls[CITY] + location, json={"isActive": False})
    assert patched.status_code == 204
    assert httpx.get(sim.urls[CITY] + location).json()["status"] == "paused"
    assert sim.subscriptions(CITY) == 0
    assert httpx.delete(sim.urls[CITY] + location).status_code == 204
    gone = httpx.get(sim.urls[CITY] + location)
    assert gone.status_code == 404
    assert gone.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound"


@pytest.mark.parametrize(
    ("body", "status", "named"),
    [
        (subscription(type="Subscriptions"), 400, "type"),
        ({k: v for k, v in subscription().items() if k != "notification"}, 400, "notification"),
        ({k: v for k, v in subscription().items() if k != "entities"}, 400, "entities"),
        (subscription(expiresAt="2001-01-01T00:00:00Z"), 400, "expiresAt"),
        (subscription(expiresAt="tomorrow"), 400, "expiresAt"),
        (subscription(notification={"endpoint": {"uri": "ftp://x/y"}}), 400, "endpoint.uri"),
        (
            subscription(notification={"endpoint": {"uri": "http://x/", "accept": "text/html"}}),
            400,
            "accept",
        ),
        (
            subscription(notification={"endpoint": {"uri": "http://x/"}, "format": "xml"}),
            400,
            "format",
        ),
        (subscription(q="temperature>1"), 501, "q"),
        (subscription(colour="red"), 400, "colour"),
        ([subscription()], 400, "body"),
    ],
)
def test_a_bad_subscription_is_refused_naming_what_is_wrong(
    sim: Sim, body: Any, status: int, named: str
) -> None:
    answer = httpx.post(
        url(sim), content=orjson.dumps(body), headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == status
    assert named in answer.json()["detail"]
    assert sim.subscriptions(CITY) == 0


def test_an_id_taken_is_refused_with_409(sim: Sim) -> None:
    body = subscription(id="urn:ngsi-ld:Subscription:taken")
    assert httpx.post(url(sim), json=body).status_code == 201
    try:
        again = httpx.post(url(sim), json=body)
        assert again.status_code == 409
        assert again.json()["type"].endswith("AlreadyExists")
    finally:
        httpx.delete(url(sim, "/urn:ngsi-ld:Subscription:taken")).raise_for_status()


def test_an_expired_subscription_is_shown_but_neither_counted_nor_notified() -> None:
    clock = ManualClock(datetime.now(UTC).timestamp())
    subscriptions = Subscriptions("unified", clock=clock)
    created = subscriptions.create(subscription(expiresAt=later(60)), term_context(UNIFIED))
    assert created.type_names == {"WeatherObserved"}
    assert subscriptions.watched_types() == {"WeatherObserved"}
    clock.advance(61)
    assert subscriptions.active() == []
    assert subscriptions.watched_types() == frozenset()
    assert created.describe(clock())["status"] == "expired"
    with pytest.raises(Problem, match="in the past"):
        subscriptions.update(created.id, {"expiresAt": later(30)}, term_context(UNIFIED))


async def test_a_push_notifies_with_the_real_notification_body(sim: Sim) -> None:
    async with LoopbackCallbackHost() as host, host.inbox() as inbox, httpx.AsyncClient() as client:
        body = subscription(
            notification={
                "endpoint": {"uri": inbox.url, "accept": "application/json"},
                "format": "keyValues",
                "attributes": ["temperature"],
            }
        )
        created = await client.post(url(sim), json=body, headers={"Link": LINK})
        assert created.status_code == 201
        try:
            pushed = await client.post(f"{sim.control_url}/cities/{CITY}/tick")
            assert pushed.json() == {"pushed": 1}
            received = orjson.loads(await asyncio.wait_for(anext(aiter(inbox)), 10))
        finally:
            await client.delete(sim.urls[CITY] + created.headers["Location"])
    assert received["type"] == "Notification"
    assert received["id"].startswith("urn:ngsi-ld:Notification:")
    assert created.headers["Location"].endswith(received["subscriptionId"])
    datetime.fromisoformat(received["notifiedAt"].replace("Z", "+00:00"))
    assert len(received["data"]) == 12
    assert {tuple(sorted(e)) for e in received["data"]} == {("id", "temperature", "type")}
    assert all(isinstance(e["temperature"], float) for e in received["data"])
