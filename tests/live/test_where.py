"""``entityChanges(where: ...)``: the conditions of ``entities`` (ADR 0018) hold on every
event, and bad ones get the same clear errors before anything is subscribed."""

from __future__ import annotations

from adapters.contract import Comparison, Condition
from gateway.auth.principal import ANONYMOUS
from gateway.live.events import EntityChange
from gateway.live.hub import LiveConnection
from gateway.query.entity_request import EntityRequest
from tests.live.test_hub import PUSHED, Rig, rig  # noqa: F401 (the hub rig fixture)
from tests.live.test_protocol import first_answer, gateway  # noqa: F401 (fixture)
from tests.support.eventually import until
from tests.support.gateway_server import GatewayServer


async def test_only_events_that_meet_every_condition_are_delivered(rig: Rig) -> None:  # noqa: F811
    warm = (Condition("temperature", Comparison.GT, 10.0),)
    request = EntityRequest("WeatherObserved", (PUSHED,), None, None, None, None, 100, None, warm)
    subscriber = rig.hub.subscribe(request, ANONYMOUS, LiveConnection("test-where"))
    await until(lambda: rig.pushing.opened == 1, 100_000)
    cold, hot = rig.entity(5), rig.entity(50)
    rig.pushing.push(cold)
    rig.pushing.push(hot)
    got = (await rig.next(subscriber)).event
    assert isinstance(got, EntityChange)
    assert got.entity.id == hot.id
    assert rig.hub.stream_count == 1  # the condition is the gateway's: one upstream stream


def test_a_bad_condition_is_refused_naming_it(gateway: GatewayServer) -> None:  # noqa: F811
    query = (
        'subscription { entityChanges(type: "WeatherObserved", '
        'where: [{attribute: "temperature", op: IN, value: 3}]) { __typename } }'
    )
    answer = first_answer(gateway, query)
    assert answer["type"] == "error"
    (error,) = answer["payload"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "where[0].value" in error["message"]
