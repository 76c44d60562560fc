"""The hub in one event loop: real adapters to citysim for polling, a hand-fed push channel
(``PushingAdapter``), a manual clock and a ticking sleep, so nothing waits for time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.contract import GeoPoint, SourceEntity
from adapters.errors import UpstreamUnavailable
from adapters.registry import AdapterRegistry
from gateway.auth.principal import ANONYMOUS, Principal
from gateway.clock import Clocks
from gateway.errors import ErrorCode
from gateway.federation.loader import load_federation
from gateway.live.callbacks import CallbackInboxes
from gateway.live.events import EntityChange, StreamChange, StreamState, Via
from gateway.live.hub import LiveConnection, LiveHub, LiveLimits, LiveRefused
from gateway.live.hubs import LiveHubs
from gateway.live.subscriber import Delivery, Subscriber, SubscriptionEnded
from gateway.policy.grid import coarsen
from gateway.process.runtime import Runtime
from gateway.query.coverage import CoverageStatus
from gateway.query.entity_request import EntityRequest
from tests.live.conftest import LiveWorld
from tests.live.pushing_adapter import PushingAdapter
from tests.live.ticker import Ticker
from tests.support.eventually import settle, until
from tests.support.federation_files import demo_datasets, write_federation
from tests.support.manual_clock import ManualClock

PUSHED = "stockholm"
POLLED = "malmo"


@dataclass
class Rig:
    hub: LiveHub
    hubs: LiveHubs
    runtime: Runtime
    serving: Runtime
    """The runtime the hub serves (the city's adapter wrapped to push)."""
    pushing: PushingAdapter
    clock: ManualClock
    ticker: Ticker

    def subscribe(
        self,
        entity_type: str = "WeatherObserved",
        cities: tuple[str, ...] = (PUSHED,),
        principal: Principal = ANONYMOUS,
        connection: LiveConnection | None = None,
    ) -> Subscriber:
        request = EntityRequest(entity_type, cities, None, None, None, None, 100, None)
        return self.hub.subscribe(request, principal, connection or LiveConnection("test"))

    async def next(self, subscriber: Subscriber) -> Delivery:
        return await asyncio.wait_for(subscriber.next(self.clock), 30)

    def entity(self, n: int, entity_type: str = "WeatherObserved", **attrs: Any) -> SourceEntity:
        observed = datetime.fromtimestamp(self.clock(), UTC)
        return SourceEntity(
            f"urn:ngsi-ld:{entity_type}:test-{n}",
            entity_type,
            GeoPoint(59.3293, 18.0686),
            observed,
            {"temperature": float(n), **attrs},
        )


def _datasets(city_id: str) -> Mapping[str, Any]:
    shared = dict(demo_datasets())
    shared["AirQualityObserved"] = {"access": {"public": True, "older_than_min": 10}}
    shared["TrafficFlowObserved"] = {
        "access": {"public": True, "coarsen_m": 1000, "drop": ["temperature"]}
    }
    if city_id == PUSHED:
        shared.pop("Beach")
    return shared


def _rig_factory(world: LiveWorld, tmp_path: Path) -> Callable[[LiveLimits | None], Any]:
    urls = {c: world.sim.urls[c] for c in (PUSHED, POLLED)}
    path = write_federation(tmp_path / "federation.yaml", urls, datasets=_datasets)

    async def build(limits: LiveLimits | None) -> Rig:
        registry = AdapterRegistry.from_entry_points()
        federation = load_federation(str(path), registry)
        clock, ticker = ManualClock(world.clock()), Ticker()
        clocks = Clocks(wall=clock, monotonic=clock, sleep=ticker.sleep)
        built = Runtime.build(federation, registry, clocks=clocks)
        pushing = PushingAdapter(built.adapters[PUSHED])
        runtime = Runtime(
            federation,
            {**built.adapters, PUSHED: pushing},
            built.upstream,
        )
        hubs = LiveHubs(
            CallbackInboxes(lambda: "http://127.0.0.1:9"),
            poll_s=5.0,
            push_retry_s=30.0,
            limits=limits,
            clocks=clocks,
        )
        return Rig(hubs.hub_for(runtime), hubs, built, runtime, pushing, clock, ticker)

    return build


@pytest.fixture
async def rig(live_world: LiveWorld, tmp_path: Path) -> AsyncIterator[Rig]:
    built: Rig = await _rig_factory(live_world, tmp_path)(LiveLimits(queue=4))
    yield built
    await built.hubs.aclose()
    await built.runtime.aclose()


async def test_pushed_changes_reach_the_subscriber_once_each(rig: Rig) -> None:
    subscriber = rig.subscribe()
    await until(lambda: rig.pushing.opened == 1)
    first, changed = rig.entity(1), rig.entity(1, windSpeed=3.0)
    for entity in (first, first, changed):  # the same report twice is one change
        rig.pushing.push(entity)
    got = [(await rig.next(subscriber)).event for _ in range(2)]
    assert all(isinstance(e, EntityChange) and e.via is Via.PUSH for e in got)
    assert [e.entity for e in got if isinstance(e, EntityChange)] == [first, changed]
    assert rig.hub.stream_count == 1


async def test_a_dead_push_channel_falls_back_to_polling_and_push_returns(rig: Rig) -> None:
    subscriber = rig.subscribe()
    await until(lambda: rig.pushing.opened == 1)
    rig.pushing.fail(UpstreamUnavailable("the broker went away"))
    fell = (await rig.next(subscriber)).event
    assert isinstance(fell, StreamChange)
    assert (fell.state, fell.status) == (StreamState.POLLING, CoverageStatus.UNAVAILABLE)
    (stream,) = rig.hub.streams()
    await until(lambda: stream.poller.requests >= 1 and rig.ticker.sleepers > 0, 100_000)
    rig.clock.advance(31.0)  # past push_retry_s: the next wake-up tries push again
    rig.ticker.tick()
    await until(lambda: rig.pushing.opened == 2)
    rig.pushing.push(rig.entity(7))
    back, change = (await rig.next(subscriber)).event, (await rig.next(subscriber)).event
    assert isinstance(back, StreamChange)
    assert (back.state, back.via) == (StreamState.BACK, Via.PUSH)
    assert isinstance(change, EntityChange)
    assert change.via is Via.PUSH


async def test_a_coarsened_grant_coarsens_every_event(rig: Rig) -> None:
    subscriber = rig.subscribe("TrafficFlowObserved")
    await until(lambda: rig.pushing.opened == 1)
    entity = rig.entity(3, "TrafficFlowObserved", intensity=12)
    rig.pushing.push(entity)
    shown = (await rig.next(subscriber)).event
    assert isinstance(shown, EntityChange)
    assert entity.location is not None
    assert shown.entity.location == coarsen(entity.location, 1000)
    assert shown.entity.location != entity.location
    assert "temperature" not in shown.entity.attributes
    assert shown.entity.attributes["intensity"] == 12


async def test_older_than_min_delays_delivery_until_the_observation_is_that_old(
    rig: Rig,
) -> None:
    subscriber = rig.subscribe("AirQualityObserved")
    await until(lambda: rig.pushing.opened == 1)
    rig.pushing.push(rig.entity(5, "AirQualityObserved"))
    await settle()
    assert subscriber.delivered == 0
    rig.clock.advance(9 * 60.0)
    rig.ticker.tick()
    await settle()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(subscriber.next(rig.clock), 0)
    rig.clock.advance(61.0)  # 10 min and a second: past the microseconds of observedAt
    rig.ticker.tick()
    shown = (await rig.next(subscriber)).event
    assert isinstance(shown, EntityChange)
    assert shown.entity.id.endswith("test-5")


async def test_a_slow_subscriber_is_closed_with_a_reason_and_frees_the_stream(rig: Rig) -> None:
    slow = rig.subscribe()
    await until(lambda: rig.pushing.opened == 1)
    for n in range(5):  # the queue holds 4
        rig.pushing.push(rig.entity(n))
    await until(lambda: slow.ended is not None)
    with pytest.raises(SubscriptionEnded) as ended:
        await rig.next(slow)
    assert ended.value.code == "SLOW_SUBSCRIBER"
    assert "too slow" in ended.value.reason
    await until(lambda: rig.hub.stream_count == 0 and rig.pushing.closed == 1)


async def test_subscriptions_per_connection_and_per_client_are_limited(
    live_world: LiveWorld, tmp_path: Path
) -> None:
    rig = await _rig_factory(live_world, tmp_path)(LiveLimits(per_connection=2, per_client=3))
    try:
        one = LiveConnection("client:a")
        held = [rig.subscribe(connection=one), rig.subscribe(connection=one)]
        with pytest.raises(LiveRefused, match="2 subscriptions per connection") as refused:
            rig.subscribe(connection=one)
        assert refused.value.code is ErrorCode.RATE_LIMITED
        two = LiveConnection("client:a")
        rig.subscribe(connection=two)
        with pytest.raises(LiveRefused, match="3 subscriptions per client"):
            rig.subscribe(connection=two)
        held[0].close()
        rig.subscribe(connection=two)  # a place is free again
    finally:
        await rig.hubs.aclose()
        await rig.runtime.aclose()


async def test_an_expired_token_ends_the_subscription(rig: Rig) -> None:
    caller = Principal("someone", "app", frozenset(), expires_at=rig.clock() - 1)
    subscriber = rig.subscribe(principal=caller)
    with pytest.raises(SubscriptionEnded) as ended:
        await rig.next(subscriber)
    assert ended.value.code == "UNAUTHENTICATED"
    assert "expired" in ended.value.reason


async def test_a_reload_ends_the_old_federations_subscriptions(rig: Rig) -> None:
    subscriber = rig.subscribe()
    await until(lambda: rig.pushing.opened == 1)
    rig.hubs.retire(rig.serving)
    with pytest.raises(SubscriptionEnded) as ended:
        await rig.next(subscriber)
    assert ended.value.code == "FEDERATION_RELOADED"
    await until(lambda: rig.pushing.closed == 1)


async def test_a_city_that_refuses_gets_no_stream_and_says_so(rig: Rig) -> None:
    subscriber = rig.subscribe("Beach", cities=(PUSHED, POLLED))
    refused = (await rig.next(subscriber)).event
    assert isinstance(refused, StreamChange)
    assert (refused.city_id, refused.state) == (PUSHED, StreamState.REFUSED)
    assert refused.status is CoverageStatus.DENIED
    assert [s.key.city_id for s in rig.hub.streams()] == [POLLED]


async def test_no_city_allowing_it_refuses_the_subscription(rig: Rig) -> None:
    with pytest.raises(LiveRefused) as refused:
        rig.subscribe("WaterConsumptionObserved", cities=(PUSHED, POLLED))
    assert refused.value.code is ErrorCode.UNAUTHENTICATED
    assert rig.hub.streams_opened == 0
