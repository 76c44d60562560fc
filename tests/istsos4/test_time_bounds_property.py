"""No silent loss at sub-second time bounds: for random bounds around the stored (millisecond)
observation times, what the adapter answers with the window pushed down equals what it
answers filtering locally only, on a real istSOS4 and on citysim's istSOS4 dialect.

Both servers store milliseconds and report whole seconds, so a bound inside a second
is where a pushed-down window that is not widened loses entities (issue 11).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.contract import AdapterContext, HistoryQuery, SourceQuery
from adapters.sdk.local import matches
from adapters.sensorthings import SensorThingsAdapter
from citysim.cluster import SimThread
from tests.conformance import truth
from tests.support.istsos4_session import IstSOS4World, the_world
from tests.support.istsos4_world import CITY, NOW, sim_settings

TYPE = "WeatherObserved"
EXAMPLES = 25
HISTORY_ATTRS = ("temperature",)


@pytest.fixture(scope="module")
def dialect_url() -> Iterator[str]:
    with SimThread(sim_settings("istsos4")) as sim:
        yield sim.urls[CITY]


@pytest.fixture(scope="module", params=["istsos4", "citysim-istsos4-dialect"])
def server(request: pytest.FixtureRequest, dialect_url: str) -> str:
    if request.param == "istsos4":
        world: IstSOS4World = request.getfixturevalue("istsos4")
        return world.root
    return dialect_url


MOMENTS = sorted(truth.instant(e.observed_at) for e in truth.current(the_world(), TYPE))


@st.composite
def windows(draw: st.DrawFn) -> tuple[datetime | None, datetime | None]:
    """Bounds within two seconds of a stored observation time, to the millisecond."""

    def near_a_moment() -> datetime:
        moment = draw(st.sampled_from(MOMENTS))
        return moment + timedelta(milliseconds=draw(st.integers(-2000, 2000)))

    after = draw(st.none() | st.builds(near_a_moment))
    before = draw(st.none() | st.builds(near_a_moment))
    if after is not None and before is not None and before < after:
        after, before = before, after
    return after, before


def adapter_for(url: str) -> SensorThingsAdapter:
    _, options = truth.demo_options("sensorthings", url)
    context = AdapterContext(city_id=CITY, logger=logging.getLogger("caap.test.istsos4"))
    return SensorThingsAdapter(options, context)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(window=windows())
def test_entities_pushed_down_equal_local_only(
    server: str, window: tuple[datetime | None, datetime | None]
) -> None:
    after, before = window

    async def both() -> tuple[list[str], list[str]]:
        adapter = adapter_for(server)
        try:
            query = SourceQuery(TYPE, observed_after=after, observed_before=before, limit=1000)
            pushed = await adapter.fetch_entities(query)
            everything = await adapter.fetch_entities(SourceQuery(TYPE, limit=1000))
        finally:
            await adapter.aclose()
        local = [e.id for e in everything.entities if matches(e, query)]
        return [e.id for e in pushed.entities], local

    pushed, local = asyncio.run(both())
    assert pushed == local


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(window=windows())
def test_history_pushed_down_equals_local_only(
    server: str, window: tuple[datetime | None, datetime | None]
) -> None:
    now = datetime.fromtimestamp(NOW, UTC)
    wide_after, wide_before = now - timedelta(hours=2), now + timedelta(hours=1)
    after, before = window[0] or wide_after, window[1] or wide_before

    async def both() -> tuple[dict[str, list[datetime]], dict[str, list[datetime]]]:
        adapter = adapter_for(server)
        try:
            narrow = HistoryQuery(TYPE, after=after, before=before, attrs=HISTORY_ATTRS)
            wide = HistoryQuery(TYPE, after=wide_after, before=wide_before, attrs=HISTORY_ATTRS)
            pushed = await adapter.fetch_history(narrow)
            everything = await adapter.fetch_history(wide)
        finally:
            await adapter.aclose()
        return (
            {h.id: [p.at for s in h.series.values() for p in s] for h in pushed.entities},
            {
                h.id: [p.at for s in h.series.values() for p in s if after <= p.at < before]
                for h in everything.entities
            },
        )

    pushed, local = asyncio.run(both())
    assert {k: v for k, v in pushed.items() if v} == {k: v for k, v in local.items() if v}
