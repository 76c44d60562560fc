"""citysim's SensorThings dialects: ``istsos4`` as strict as the real istSOS4, ``frost`` as before.

Each check names what istSOS4 was measured to do (``citysim.sensorthings.dialect``).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from citysim.cluster import SimCluster
from citysim.settings import SimSettings
from tests.citysim.sim_http import NOW

GEO = "geography'POLYGON((10 50, 25 50, 25 70, 10 70, 10 50))'"
WHOLE_SECOND = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
MILLISECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture
async def servers() -> AsyncIterator[dict[str, str]]:
    """Dialect -> the service root of Linköping (the same world) speaking it."""

    def settings(dialect: str) -> SimSettings:
        return SimSettings(
            seed=4,
            entities_per_type=3,
            cities=("linkoping",),
            clock=lambda: NOW,
            sensorthings_dialect={"linkoping": dialect},
        )

    async with SimCluster(settings("frost")) as frost, SimCluster(settings("istsos4")) as istsos4:
        yield {
            "frost": frost.urls["linkoping"] + "/v1.1",
            "istsos4": istsos4.urls["linkoping"] + "/v1.1",
        }


async def get(url: str, **params: str) -> tuple[int, Any, aiohttp.ClientResponse]:
    async with aiohttp.ClientSession() as session, session.get(url, params=params) as answer:
        return answer.status, await answer.json(), answer


def test_linkoping_speaks_istsos4_by_default_and_others_frost() -> None:
    settings = SimSettings()
    assert settings.sensorthings_dialect_for("linkoping") == "istsos4"
    assert settings.sensorthings_dialect_for("uppsala") == "frost"
    with pytest.raises(ValueError, match="frost or istsos4"):
        SimSettings(sensorthings_dialect={"uppsala": "sta"})


async def test_orderby_takes_own_properties_only(servers: dict[str, str]) -> None:
    status, body, _ = await get(f"{servers['istsos4']}/Things", **{"$orderby": "@iot.id asc"})
    assert (status, body["message"]) == (400, "type object 'Thing' has no attribute '@iot'")
    status, body, _ = await get(f"{servers['istsos4']}/Things", **{"$orderby": "id desc"})
    assert status == 200
    ids = [t["@iot.id"] for t in body["value"]]
    assert ids == sorted(ids, reverse=True)
    status, _, _ = await get(f"{servers['frost']}/Things", **{"$orderby": "@iot.id asc"})
    assert status == 200


async def test_geo_functions_only_on_a_locations_own_location(servers: dict[str, str]) -> None:
    on_things = {"$filter": f"geo.intersects(Locations/location, {GEO})"}
    status, _, _ = await get(f"{servers['istsos4']}/Things", **on_things)
    assert status == 400
    status, _, _ = await get(f"{servers['frost']}/Things", **on_things)
    assert status == 200
    own = {"$filter": f"geo.intersects(location, {GEO})", "$expand": "Things($select=id)"}
    for root in servers.values():
        status, body, _ = await get(f"{root}/Locations", **own)
        assert status == 200
        assert body["value"]
        assert all(location["Things"] for location in body["value"])


async def test_times_whole_seconds_numbers_whole_and_null_nested_links(
    servers: dict[str, str],
) -> None:
    expand = {"$expand": "Datastreams($expand=Observations($top=30))", "$top": "2"}
    _, body, answer = await get(f"{servers['istsos4']}/Things", **expand)
    assert "ETag" not in answer.headers
    assert answer.headers.get("Transfer-Encoding") == "chunked"
    assert "%24top" in body["@iot.nextLink"]
    for thing in body["value"]:
        assert thing["Datastreams@iot.nextLink"] is None
        for datastream in thing["Datastreams"]:
            for observation in datastream["Observations"]:
                assert WHOLE_SECOND.match(observation["phenomenonTime"])
                result = observation["result"]
                assert not (isinstance(result, float) and result.is_integer())
    _, body, answer = await get(f"{servers['frost']}/Things", **expand)
    assert "ETag" in answer.headers
    assert "Datastreams@iot.nextLink" not in body["value"][0]
    times = [
        o["phenomenonTime"]
        for t in body["value"]
        for d in t["Datastreams"]
        for o in d["Observations"]
    ]
    assert all(MILLISECONDS.match(t) for t in times)


async def test_filter_compares_what_is_stored_not_what_is_written(
    servers: dict[str, str],
) -> None:
    path = f"{servers['frost']}/Datastreams(1)/Observations"
    _, body, _ = await get(path, **{"$top": "1", "$orderby": "phenomenonTime desc"})
    stored = body["value"][0]["phenomenonTime"]
    assert MILLISECONDS.match(stored)
    whole = stored[:19] + "Z"
    istsos4 = f"{servers['istsos4']}/Datastreams(1)/Observations"
    _, same_second, _ = await get(istsos4, **{"$filter": f"phenomenonTime ge {whole}"})
    _, after_it, _ = await get(istsos4, **{"$filter": f"phenomenonTime gt {stored}"})
    assert whole in [o["phenomenonTime"] for o in same_second["value"]]
    assert whole not in [o["phenomenonTime"] for o in after_it["value"]]
