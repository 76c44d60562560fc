"""History under a grant's rules: a hostile broker's location series is coarsened (H3)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from aiohttp import web

from adapters.contract import AdapterContext, EntityHistory, GeoPoint, HistoryPoint, HistoryQuery
from adapters.ngsi_ld import NgsiLdAdapter
from gateway.federation.model import Rules
from gateway.policy.grid import coarsen
from gateway.policy.history_redaction import redact_history
from gateway.query.history import MAX_LAST_N, newest_points

TRUE = GeoPoint(55.60587, 13.00073)
CELL_M = 500.0
START = datetime(2026, 11, 25, 9, tzinfo=UTC)


async def _history_with_a_location_series() -> list[EntityHistory]:
    """The real NGSI-LD adapter asking a real HTTP server that answers with a location series."""
    stamps = [(START + timedelta(minutes=m)).isoformat() for m in (5, 10)]
    polygon = {
        "type": "Polygon",
        "coordinates": [[[13.0, 55.6], [13.001, 55.6], [13.001, 55.601], [13.0, 55.6]]],
    }
    entity = {
        "id": "urn:ngsi-ld:Vehicle:bus-1",
        "type": "Vehicle",
        "speed": {"type": "Property", "values": [[31.5, stamps[0]], [12.0, stamps[1]]]},
        "location": {
            "type": "GeoProperty",
            "values": [
                [{"type": "Point", "coordinates": [TRUE.lon, TRUE.lat]}, stamps[0]],
                [polygon, stamps[1]],
            ],
        },
    }

    async def page(request: web.Request) -> web.Response:
        return web.json_response([entity])

    app = web.Application()
    app.router.add_get("/ngsi-ld/v1/temporal/entities", page)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    adapter = NgsiLdAdapter({"url": url}, AdapterContext("x", logging.getLogger("test")))
    try:
        result = await adapter.fetch_history(
            HistoryQuery("Vehicle", START, START + timedelta(hours=1))
        )
    finally:
        await adapter.aclose()
        await runner.cleanup()
    return list(result.entities)


async def test_h3_history_coarsens_a_location_series_like_entities() -> None:
    """Finding H3: history ignored coarsen_m; exact coordinates went to an anonymous caller."""
    (entity,) = await _history_with_a_location_series()
    assert entity.series["location"][0].value == {  # what the platform sent
        "type": "Point",
        "coordinates": [TRUE.lon, TRUE.lat],
    }
    shown = redact_history(entity, Rules(coarsen_m=CELL_M))
    points = shown.series["location"]
    assert len(points) == 2
    centre = coarsen(TRUE, CELL_M)
    assert points[0].value == {"type": "Point", "coordinates": [centre.lon, centre.lat]}
    for point in points:
        assert isinstance(point.value, dict)
        assert point.value["type"] == "Point"
        lon, lat = point.value["coordinates"]
        assert coarsen(GeoPoint(lat, lon), CELL_M) == GeoPoint(lat, lon)  # a cell centre
    assert shown.series["speed"] == entity.series["speed"]


async def test_h3_history_drops_a_location_series_the_grant_hides() -> None:
    """Finding H3: a grant that drops the location drops its series too."""
    (entity,) = await _history_with_a_location_series()
    shown = redact_history(entity, Rules(drop=frozenset({"location"}), coarsen_m=CELL_M))
    assert set(shown.series) == {"speed"}


def test_m3_a_series_holds_no_more_points_than_its_price() -> None:
    """Finding M3: a raw series is priced at 1,000 points; the gateway answers no more."""
    long = [HistoryPoint(START + timedelta(seconds=s), float(s)) for s in range(MAX_LAST_N + 7)]
    entity = EntityHistory("urn:x:1", "WeatherObserved", {"t": long, "short": long[:3]})
    cut = newest_points(entity)
    assert cut.series["t"] == long[-MAX_LAST_N:]
    assert cut.series["short"] == long[:3]
