"""The simulated IoT Open Lynx API over real HTTP: API key, devices, functions, status, log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from citysim.cluster import SimSettings, SimThread
from citysim.lynx import DEMO_API_KEY
from citysim.lynx.model import DEVICES, HISTORY
from citysim.world.catalog import BY_TYPE

CITY, IID = "kalmar", 880
PER_TYPE = 4
NOW = 1_795_000_000.0
KEY = {"X-API-Key": DEMO_API_KEY}


@pytest.fixture(scope="module")
def sim() -> Iterator[SimThread]:
    settings = SimSettings(seed=3, entities_per_type=PER_TYPE, cities=(CITY,), clock=lambda: NOW)
    with SimThread(settings) as thread:
        yield thread


@pytest.fixture(scope="module")
def lynx(sim: SimThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{sim.urls[CITY]}/api", headers=KEY, timeout=10) as client:
        yield client


def get(lynx: httpx.Client, path: str, params: Any = None) -> Any:
    response = lynx.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-API-Key": "wrong"}, {"Authorization": "Bearer wrong"}, {"X-API-Key": ""}],
)
def test_without_the_key_the_answer_is_401(sim: SimThread, headers: dict[str, str]) -> None:
    response = httpx.get(f"{sim.urls[CITY]}/api/v2/functionx/{IID}", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}


def test_a_bearer_token_works_too(sim: SimThread) -> None:
    headers = {"Authorization": f"Bearer {DEMO_API_KEY}"}
    response = httpx.get(f"{sim.urls[CITY]}/api/v2/installationinfo", headers=headers)
    assert response.json()[0]["id"] == IID


def test_another_installation_is_forbidden(lynx: httpx.Client) -> None:
    response = lynx.get("/v2/devicex/1")
    assert (response.status_code, response.json()) == (403, {"message": "Forbidden"})


def test_devices_and_functions_describe_the_stations(lynx: httpx.Client, sim: SimThread) -> None:
    devices = get(lynx, f"/v2/devicex/{IID}")
    assert len(devices) == len(DEVICES) * PER_TYPE
    weather = [d for d in devices if d["type"] == "weather_station"]
    world = sim.cluster.servers[CITY].world
    entities = world.entities(BY_TYPE["WeatherObserved"], world.bucket())
    assert [d["meta"]["ngsi_id"] for d in weather] == [e.id for e in entities]
    lon, lat = entities[0].geometry["coordinates"]
    assert (float(weather[0]["meta"]["latitude"]), float(weather[0]["meta"]["longitude"])) == (
        lat,
        lon,
    )
    functions = get(lynx, f"/v2/functionx/{IID}", {"device_id": str(weather[0]["id"])})
    assert [f["type"] for f in functions] == [
        k.function_type for k in DEVICES["WeatherObserved"][1]
    ]
    one = get(lynx, f"/v2/functionx/{IID}/{functions[0]['id']}")
    assert one == functions[0]
    assert lynx.get(f"/v2/functionx/{IID}/999999").status_code == 404


def test_status_is_the_current_value(lynx: httpx.Client, sim: SimThread) -> None:
    functions = get(lynx, f"/v2/functionx/{IID}", {"device_id": "1"})
    temperature = next(f for f in functions if f["type"] == "temperature")
    humidity = next(f for f in functions if f["type"] == "humidity")
    topics = [temperature["meta"]["topic_read"], humidity["meta"]["topic_read"]]
    repeated = get(lynx, f"/v2/status/{IID}", [("topics", t) for t in topics])
    comma = get(lynx, f"/v2/status/{IID}", {"topics": ",".join(topics)})
    posted = lynx.post(f"/v2/status/{IID}", json=topics).json()
    assert repeated == comma == posted
    world = sim.cluster.servers[CITY].world
    entity = world.entities(BY_TYPE["WeatherObserved"], world.bucket())[0]
    by_topic = {e["topic"]: e for e in repeated}
    assert by_topic[topics[0]]["value"] == entity.values["temperature"]
    assert by_topic[topics[1]]["value"] == pytest.approx(entity.values["relativeHumidity"] * 100)
    assert humidity["meta"]["unit"] == "%"
    stamp = datetime.fromisoformat(entity.observed_at).timestamp()
    assert by_topic[topics[0]]["timestamp"] == pytest.approx(stamp, abs=0.001)


def test_words_come_in_msg(lynx: httpx.Client) -> None:
    functions = get(lynx, f"/v2/functionx/{IID}")
    state = next(f for f in functions if f["type"] == "occupancy_level")
    assert "unit" not in state["meta"]
    (entry,) = get(lynx, f"/v2/status/{IID}", {"topics": state["meta"]["topic_read"]})
    assert entry["msg"] in ("none", "low", "medium", "high")


def test_a_too_long_query_is_414_and_post_is_the_way(lynx: httpx.Client) -> None:
    topics = [f"obj/x/{n:05d}/temperature" for n in range(150)]
    response = lynx.get(f"/v2/status/{IID}", params=[("topics", t) for t in topics])
    assert response.status_code == 414
    assert lynx.post(f"/v2/status/{IID}", json=topics).json() == []


def test_the_log_pages_by_offset_in_either_order(lynx: httpx.Client) -> None:
    functions = get(lynx, f"/v2/functionx/{IID}", {"device_id": "1"})
    topic = functions[0]["meta"]["topic_read"]
    window = {"from": str(NOW - 86_400), "to": str(NOW), "topics": topic}
    everything = get(lynx, f"/v3beta/log/{IID}", {**window, "order": "asc", "limit": "100"})
    assert (everything["total"], everything["count"]) == (HISTORY, HISTORY)
    stamps = [e["timestamp"] for e in everything["data"]]
    assert stamps == sorted(stamps)
    pages = []
    for offset in range(0, HISTORY, 10):
        page = get(lynx, f"/v3beta/log/{IID}", {**window, "limit": "10", "offset": str(offset)})
        pages += page["data"]
        assert page["last"] == page["data"][-1]["timestamp"]
    assert [e["timestamp"] for e in pages] == stamps[::-1]
    narrow = get(lynx, f"/v3beta/log/{IID}", {**window, "from": str(stamps[-3])})
    assert narrow["total"] == 3


@pytest.mark.parametrize(
    "params", [{"order": "up"}, {"limit": "0"}, {"from": "yesterday"}, {"offset": "-1"}]
)
def test_bad_log_parameters_are_400(lynx: httpx.Client, params: dict[str, str]) -> None:
    response = lynx.get(f"/v3beta/log/{IID}", params=params)
    assert response.status_code == 400
    assert response.json()["message"]
