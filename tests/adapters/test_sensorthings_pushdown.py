"""Push-downs a server rejects are dropped for that city, logged once, counted, and the answer
is still right: a loopback server in front of citysim refuses geo functions and time paths
(as a server without those extensions answers), everything else is passed through.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from adapters.contract import AdapterContext, BBox, Comparison, Condition, SourceQuery
from adapters.errors import UpstreamUnavailable
from adapters.sdk.local import matches
from adapters.sensorthings import SensorThingsAdapter
from adapters.sensorthings.pushdown import HOOK
from citysim.cluster import SimSettings, SimThread
from tests.conformance import truth

CITY = "uppsala"
NOW = 1_795_000_000.0
TYPE = "WeatherObserved"


@pytest.fixture(scope="module")
def sim() -> Iterator[SimThread]:
    settings = SimSettings(seed=3, entities_per_type=8, cities=(CITY,), clock=lambda: NOW)
    with SimThread(settings) as thread:
        yield thread


class Strict:
    """Answers 400 to a ``$filter`` holding any of ``refused``; passes the rest to citysim."""

    def __init__(self, upstream: str, refused: tuple[str, ...]) -> None:
        self.upstream = upstream
        self.refused = refused
        self.rejected = 0
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        if any(word in request.query.get("$filter", "") for word in self.refused):
            self.rejected += 1
            body = {"code": 400, "type": "error", "message": "not supported"}
            return web.json_response(body, status=400)
        target = self.upstream + request.rel_url.path_qs
        async with aiohttp.ClientSession() as session, session.get(target) as answer:
            text = (await answer.read()).replace(self.upstream.encode(), self.url.encode())
            return web.Response(status=answer.status, body=text, content_type="application/json")


@pytest.fixture
async def strict(sim: SimThread) -> AsyncIterator[Strict]:
    server = Strict(sim.urls[CITY], ("geo.", "phenomenonTime ge", "Observations/result "))
    app = web.Application()
    app.router.add_get("/{tail:.*}", server.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield server
    await runner.cleanup()


def adapter_for(url: str, extra: dict[str, Any] | None = None) -> SensorThingsAdapter:
    _, options = truth.demo_options("sensorthings", url)
    context = AdapterContext(
        city_id=CITY, logger=logging.getLogger("caap.test.pushdown"), extra=extra or {}
    )
    return SensorThingsAdapter(options, context)


async def test_rejected_push_downs_are_dropped_and_the_answer_stays_right(
    strict: Strict, sim: SimThread, caplog: pytest.LogCaptureFixture
) -> None:
    counted: list[tuple[str, str]] = []
    adapter = adapter_for(strict.url, {HOOK: lambda city, name: counted.append((city, name))})
    reference = adapter_for(sim.urls[CITY])
    points = [truth.point(e.geometry) for e in truth.current(truth.world(sim, CITY), TYPE)]
    lats, lons = sorted(p.lat for p in points), sorted(p.lon for p in points)
    box = BBox(min_lat=lats[1], min_lon=lons[1], max_lat=lats[-2], max_lon=lons[-2])
    moments = sorted(
        truth.instant(e.observed_at) for e in truth.current(truth.world(sim, CITY), TYPE)
    )
    where = (Condition("uVIndexMax", Comparison.GTE, 0),)  # pushed where accepted
    query = SourceQuery(TYPE, within=box, observed_after=moments[2], limit=1000, where=where)
    try:
        with caplog.at_level(logging.WARNING, logger="caap.test.pushdown"):
            for _ in range(3):
                got = await adapter.fetch_entities(query)
                want = await reference.fetch_entities(query)
                assert [e.id for e in got.entities] == [e.id for e in want.entities]
                everything = await reference.fetch_entities(SourceQuery(TYPE, limit=1000))
                local = [e.id for e in everything.entities if matches(e, query)]
                assert [e.id for e in got.entities] == local
                assert 0 < len(local) < len(everything.entities)
    finally:
        await adapter.aclose()
        await reference.aclose()
    assert adapter.push_downs.accepted() == ()
    assert set(adapter.push_downs.dropped) == {"geo", "time", "where"}
    assert adapter.push_downs.rejections == {"geo": 1, "time": 1, "where": 1}
    assert strict.rejected == 3  # remembered: never asked again
    assert sorted(counted) == [(CITY, "geo"), (CITY, "time"), (CITY, "where")]
    warnings = [r.getMessage() for r in caplog.records if "push-down" in r.getMessage()]
    assert len(warnings) == 3
    assert reference.push_downs.accepted() == ("time", "geo", "where")


async def test_probe_reports_what_the_server_accepts(strict: Strict, sim: SimThread) -> None:
    strict_adapter, open_adapter = adapter_for(strict.url), adapter_for(sim.urls[CITY])
    try:
        closed = {"time": False, "geo": False, "where": False}
        assert await strict_adapter.probe_push_downs() == closed
        assert await open_adapter.probe_push_downs() == dict.fromkeys(closed, True)
    finally:
        await strict_adapter.aclose()
        await open_adapter.aclose()


async def test_an_error_that_is_not_a_rejection_is_not_taken_for_one(sim: SimThread) -> None:
    adapter = adapter_for("http://127.0.0.1:9")  # nothing listens: unavailable, not rejected
    box = BBox(min_lat=59.0, min_lon=17.0, max_lat=60.0, max_lon=18.0)
    try:
        with pytest.raises(UpstreamUnavailable, match="connect"):
            await adapter.fetch_entities(SourceQuery(TYPE, within=box))
    finally:
        await adapter.aclose()
    assert adapter.push_downs.accepted() == ("time", "geo", "where")
