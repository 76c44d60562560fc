"""The simulated temporal API, tenants and the diwise dialect, over real HTTP."""

from __future__ import annotations

import statistics
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from citysim.ngsi_ld.app import Broker, create_app
from citysim.world.catalog import BY_TYPE
from citysim.world.city import CityWorld
from tests.citysim.sim_http import NOW, Ngsi, link

TEMPORAL = "/ngsi-ld/v1/temporal/entities"
AT = datetime.fromtimestamp(NOW, UTC)
HOUR_AGO = (AT - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
LATER = (AT + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def world_of(ngsi: Ngsi, city: str = "malmo") -> CityWorld:
    return ngsi.cluster.servers[city].world


def expected_series(world: CityWorld, type_name: str, index: int, attr: str) -> list[list[Any]]:
    """[value, observedAt] of every bucket observed in the last hour, oldest first."""
    model = BY_TYPE[type_name]
    found = []
    for bucket in range(world.bucket() - 61, world.bucket() + 1):
        entity = world.entity(model, index, bucket)
        at = datetime.fromisoformat(entity.observed_at)
        if AT - timedelta(hours=1) <= at < AT + timedelta(hours=1):
            found.append([entity.values[attr], entity.observed_at])
    return found


async def temporal(ngsi: Ngsi, city: str = "malmo", **params: str) -> Any:
    answer = await ngsi.get(city, TEMPORAL, params=params, headers=link())
    assert answer.status == 200, answer.body
    return answer


async def test_temporal_values_are_the_past_buckets_of_the_world(ngsi: Ngsi) -> None:
    answer = await temporal(
        ngsi, type="WeatherObserved", attrs="temperature", timerel="between",
        timeAt=HOUR_AGO, endTimeAt=LATER, options="temporalValues", limit="2",
    )  # fmt: skip
    body = answer.json()
    assert [e["id"] for e in body] == [f"urn:ngsi-ld:WeatherObserved:malmo-000{i}" for i in (0, 1)]
    series = body[0]["temperature"]
    assert series["type"] == "Property"
    assert series["values"] == expected_series(world_of(ngsi), "WeatherObserved", 0, "temperature")
    assert len(series["values"]) >= 59
    assert set(body[0]) == {"id", "type", "temperature"}


async def test_normalized_instances_carry_their_observation_time(ngsi: Ngsi) -> None:
    answer = await temporal(
        ngsi, type="WeatherObserved", attrs="temperature", timerel="after", timeAt=HOUR_AGO,
        limit="1",
    )  # fmt: skip
    instances = answer.json()[0]["temperature"]
    assert {i["type"] for i in instances} == {"Property"}
    assert [[i["value"], i["observedAt"]] for i in instances] == expected_series(
        world_of(ngsi), "WeatherObserved", 0, "temperature"
    )


async def test_last_n_keeps_the_newest_values(ngsi: Ngsi) -> None:
    answer = await temporal(
        ngsi, type="WeatherObserved", attrs="temperature", lastN="3",
        options="temporalValues", limit="1",
    )  # fmt: skip
    values = answer.json()[0]["temperature"]["values"]
    everything = expected_series(world_of(ngsi), "WeatherObserved", 0, "temperature")
    assert values == everything[-3:]


async def test_aggregated_values_per_period(ngsi: Ngsi) -> None:
    answer = await temporal(
        ngsi, type="WeatherObserved", attrs="temperature", timerel="between", timeAt=HOUR_AGO,
        endTimeAt=LATER, options="aggregatedValues", aggrMethods="avg,max,totalCount",
        aggrPeriodDuration="PT30M", limit="1",
    )  # fmt: skip
    aggregated = answer.json()[0]["temperature"]
    everything = expected_series(world_of(ngsi), "WeatherObserved", 0, "temperature")
    first_half = [v for v, t in everything if t < (AT - timedelta(minutes=30)).isoformat()[:19]]
    assert aggregated["avg"][0][1] == HOUR_AGO.replace("Z", ".000Z")
    assert aggregated["avg"][0][0] == pytest.approx(statistics.fmean(first_half))
    assert aggregated["max"][0][0] == max(first_half)
    assert sum(c[0] for c in aggregated["totalCount"]) == len(everything)


async def test_paging_links_to_the_next_page_and_counts(ngsi: Ngsi) -> None:
    answer = await temporal(
        ngsi, type="Beach", lastN="1", count="true", limit="5", options="temporalValues"
    )
    assert answer.headers["NGSILD-Results-Count"] == "12"
    assert any('rel="next"' in v and "offset=5" in v for v in answer.links)
    assert len(answer.json()) == 5
    assert set(answer.json()[0]) == {"id", "type", "occupationRate"}


async def test_retrieve_one_entitys_history(ngsi: Ngsi) -> None:
    entity = "urn:ngsi-ld:WeatherObserved:malmo-0004"
    answer = await ngsi.get(
        "malmo", f"{TEMPORAL}/{entity}", params={"lastN": "2", "attrs": "windSpeed"}, headers=link()
    )
    assert answer.status == 200
    assert answer.json()["id"] == entity
    assert len(answer.json()["windSpeed"]) == 2
    missing = await ngsi.get(
        "malmo", f"{TEMPORAL}/urn:ngsi-ld:WeatherObserved:lund-0004", headers=link()
    )
    assert missing.status == 404


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"type": "WeatherObserved", "timeAt": HOUR_AGO}, "timeAt: needs timerel"),
        ({"type": "WeatherObserved", "timerel": "during", "timeAt": HOUR_AGO}, "timerel:"),
        ({"type": "WeatherObserved", "timerel": "between", "timeAt": LATER, "endTimeAt": HOUR_AGO},
         "endTimeAt: must be later"),
        ({"type": "WeatherObserved", "timerel": "after", "timeAt": "2026-11-25T10:00:00"},
         "timeAt:"),
        ({"type": "WeatherObserved", "lastN": "2", "options": "aggregatedValues"}, "aggrMethods"),
        ({"type": "WeatherObserved", "lastN": "2", "options": "aggregatedValues",
          "aggrMethods": "median"}, "aggrMethods: unknown method"),
        ({"type": "WeatherObserved", "lastN": "2", "timeproperty": "validFrom"}, "timeproperty"),
    ],
)  # fmt: skip
async def test_bad_temporal_queries_are_400_naming_the_parameter(
    ngsi: Ngsi, params: dict[str, str], detail: str
) -> None:
    answer = await ngsi.get("malmo", TEMPORAL, params=params, headers=link())
    assert answer.status == 400
    assert answer.json()["detail"].startswith(detail.split(":")[0])
    assert detail in answer.json()["detail"]


async def test_an_unknown_tenant_is_404_nonexistent_tenant(ngsi: Ngsi) -> None:
    params = {"type": "WeatherObserved"}
    known = await ngsi.get("malmo", params=params, headers={**link(), "NGSILD-Tenant": "default"})
    assert known.status == 200
    unknown = await ngsi.get("malmo", params=params, headers={**link(), "NGSILD-Tenant": "nope"})
    assert unknown.status == 404
    assert unknown.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/NonexistentTenant"


@pytest.fixture
async def diwise(ngsi: Ngsi) -> AsyncIterator[str]:
    """Malmö's world behind a broker speaking the diwise dialect, on its own port."""
    broker = Broker(
        world_of(ngsi), "unified", "diwise", protected=frozenset({"WaterConsumptionObserved"})
    )
    runner = aiohttp.web.AppRunner(create_app(broker))
    await runner.setup()
    site = aiohttp.web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


async def test_diwise_reads_only_key_values(diwise: str, session: aiohttp.ClientSession) -> None:
    """diwise's query handler: keyValues alone or with nothing else; other options and
    format are not read; an id-only query is refused (entities.go)."""
    url = f"{diwise}/ngsi-ld/v1/entities"
    for params, status, simplified in (
        ({"type": "Beach", "options": "keyValues"}, 200, True),
        ({"type": "Beach"}, 200, False),
        ({"type": "Beach", "options": "normalized"}, 200, False),
        ({"type": "Beach", "format": "keyValues"}, 200, False),
        ({"type": "Beach", "options": "keyValues,sysAttrs"}, 400, None),
        ({"id": "urn:ngsi-ld:Beach:malmo-0001"}, 400, None),
    ):
        params = {**params, "limit": "1"}
        async with session.get(url, params=params, headers=link()) as response:
            assert response.status == status, params
            if simplified is not None:
                name = (await response.json())[0]["name"]
                assert isinstance(name, str) == simplified, params


async def test_diwise_answers_404_to_what_it_does_not_allow(
    diwise: str, session: aiohttp.ClientSession
) -> None:
    url = f"{diwise}/ngsi-ld/v1/entities"
    params = {"type": "WaterConsumptionObserved", "options": "keyValues"}
    async with session.get(url, params=params, headers=link()) as response:
        assert response.status == 404
        assert (await response.json())["type"].endswith("ResourceNotFound")
    headers = {**link(), "Authorization": "Bearer anything"}
    async with session.get(url, params=params, headers=headers) as response:
        assert response.status == 200
        assert len(await response.json()) == 12
