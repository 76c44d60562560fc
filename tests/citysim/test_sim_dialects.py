"""The broker dialects of citysim over real HTTP: each answers the way that broker does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from citysim.cluster import SimCluster
from citysim.settings import SimSettings
from tests.citysim.sim_http import NOW, Ngsi, link

TEMPORAL = "/ngsi-ld/v1/temporal/entities"
AT = datetime.fromtimestamp(NOW, UTC)
HOUR_AGO = (AT - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
DIALECTS = {
    "malmo": "stellio",
    "lund": "mintaka",
    "stockholm": "orion-ld",
    "sundsvall": "diwise",
    "katrineholm": "scorpio",
}
CAP = 5


@pytest.fixture
async def cluster() -> AsyncIterator[SimCluster]:
    settings = SimSettings(
        seed=7,
        cities=tuple(DIALECTS),
        clock=lambda: NOW,
        city_dialect=DIALECTS,
        city_temporal_limit={"malmo": CAP, "lund": CAP},
    )
    async with SimCluster(settings) as running:
        yield running


@pytest.fixture
def ngsi(cluster: SimCluster, session: aiohttp.ClientSession) -> Ngsi:
    return Ngsi(cluster, session)


def window(**extra: str) -> dict[str, str]:
    return {"type": "WeatherObserved", "timerel": "after", "timeAt": HOUR_AGO, **extra}


async def test_stellio_caps_limit_at_100(ngsi: Ngsi) -> None:
    ok = await ngsi.get("malmo", params={"type": "Beach", "limit": "100"}, headers=link())
    assert ok.status == 200
    refused = await ngsi.get("malmo", params={"type": "Beach", "limit": "101"}, headers=link())
    assert refused.status == 400
    assert "maximum limit is 100" in refused.json()["detail"]
    strict = await ngsi.get("katrineholm", params={"type": "Beach", "limit": "101"}, headers=link())
    assert strict.status == 200


async def test_stellio_answers_206_with_a_content_range_when_it_caps_instances(
    ngsi: Ngsi,
) -> None:
    answer = await ngsi.get("malmo", TEMPORAL, params=window(attrs="temperature"), headers=link())
    assert answer.status == 206
    entities = answer.json()
    assert {len(e["temperature"]) for e in entities} == {CAP}
    unit, _, rest = answer.headers["Content-Range"].partition(" ")
    assert unit == "date-time"
    assert rest.endswith("/*")
    start = datetime.fromisoformat(HOUR_AGO)
    assert rest.startswith(start.isoformat().replace("+00:00", "Z"))
    last = max(datetime.fromisoformat(e["temperature"][-1]["observedAt"]) for e in entities)
    assert rest.removesuffix("/*").endswith(last.isoformat().replace("+00:00", "Z"))
    small = await ngsi.get(
        "malmo", TEMPORAL, params=window(attrs="temperature", lastN="3"), headers=link()
    )
    assert small.status == 200
    assert "Content-Range" not in small.headers


async def test_mintaka_pages_with_page_size_and_next_page(ngsi: Ngsi) -> None:
    ids: list[str] = []
    params = window(attrs="temperature", pageSize="5", lastN="1")
    pages = 0
    while True:
        answer = await ngsi.get("lund", TEMPORAL, params=params, headers=link())
        assert answer.status == 200
        assert answer.headers["Page-Size"] == "5"
        assert not [v for v in answer.links if 'rel="next"' in v]
        ids += [e["id"] for e in answer.json()]
        pages += 1
        anchor = answer.headers.get("Next-Page")
        if anchor is None:
            break
        params = {**params, "pageAnchor": anchor}
    assert pages == 3
    assert len(ids) == len(set(ids)) == 12


async def test_mintaka_counts_only_with_options_count_and_ignores_offset(ngsi: Ngsi) -> None:
    counted = await ngsi.get(
        "lund", TEMPORAL, params=window(lastN="1", options="count"), headers=link()
    )
    assert counted.headers["NGSILD-Results-Count"] == "12"
    plain = await ngsi.get(
        "lund", TEMPORAL, params=window(lastN="1", count="true", offset="10"), headers=link()
    )
    assert "NGSILD-Results-Count" not in plain.headers
    assert plain.json()[0]["id"].endswith("-0000")


async def test_mintaka_answers_206_when_it_caps_instances(ngsi: Ngsi) -> None:
    answer = await ngsi.get("lund", TEMPORAL, params=window(attrs="temperature"), headers=link())
    assert answer.status == 206
    assert answer.headers["Content-Range"].startswith("date-time ")


async def test_orion_ld_q_matches_no_typed_datetime(ngsi: Ngsi) -> None:
    q = {"type": "WeatherObserved", "q": f"dateObserved>={HOUR_AGO}"}
    strict = await ngsi.entities("katrineholm", **q)
    assert len(strict) == 12
    orion = await ngsi.entities("stockholm", **q)
    assert orion == []
    exists = await ngsi.entities("stockholm", type="WeatherObserved", q="dateObserved")
    assert len(exists) == 12
    value = exists[0]["dateObserved"]["value"]
    assert value["@type"] == "DateTime"


async def test_diwise_temporal_reads_attributes_and_pages_without_link_or_count(
    ngsi: Ngsi,
) -> None:
    answer = await ngsi.get(
        "sundsvall",
        TEMPORAL,
        params=window(attributes="temperature", attrs="humidity", limit="2", count="true"),
        headers=link(),
    )
    assert answer.status == 200
    assert set(answer.json()[0]) == {"id", "type", "temperature"}
    assert not [v for v in answer.links if 'rel="next"' in v]
    assert "NGSILD-Results-Count" not in answer.headers
    entities = await ngsi.get(
        "sundsvall", params={"type": "Beach", "limit": "2", "count": "true"}, headers=link()
    )
    assert not [v for v in entities.links if 'rel="next"' in v]
