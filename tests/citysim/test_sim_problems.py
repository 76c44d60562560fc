"""Every bad parameter is a 400 ProblemDetails that names it."""

from __future__ import annotations

import pytest

from tests.citysim.sim_http import Ngsi, link

BAD_REQUEST_DATA = "https://uri.etsi.org/ngsi-ld/errors/BadRequestData"


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"type": "WeatherObserved", "limit": "abc"}, "limit"),
        ({"type": "WeatherObserved", "limit": "1001"}, "limit"),
        ({"type": "WeatherObserved", "limit": "0"}, "limit"),
        ({"type": "WeatherObserved", "offset": "-1"}, "offset"),
        ({"type": "WeatherObserved", "count": "yes"}, "count"),
        ({"type": "WeatherObserved", "q": "temperature>"}, "q"),
        ({"type": "WeatherObserved", "q": "(temperature>1"}, "q"),
        ({"type": "WeatherObserved", "q": "temperature==warm"}, "q"),
        ({"type": "WeatherObserved", "q": "name~=("}, "q"),
        ({"type": "Weather Observed,"}, "type"),
        ({"type": "(Beach"}, "type"),
        ({"id": "not a uri"}, "id"),
        ({"idPattern": "malmo-(("}, "idPattern"),
        ({"attrs": "temperature,,windSpeed"}, "attrs"),
        ({"georel": "near;maxDistance==100", "geometry": "Point"}, "coordinates"),
        ({"geometry": "Point", "coordinates": "[13,55]"}, "georel"),
        ({"georel": "nearby", "geometry": "Point", "coordinates": "[13,55]"}, "georel"),
        (
            {"georel": "near;maxDistance==-5", "geometry": "Point", "coordinates": "[13,55]"},
            "georel",
        ),
        (
            {"georel": "near;maxDistance==0", "geometry": "Point", "coordinates": "[13,55]"},
            "georel",
        ),
        ({"georel": "within", "geometry": "Circle", "coordinates": "[13,55]"}, "geometry"),
        ({"georel": "within", "geometry": "Point", "coordinates": "13,55"}, "coordinates"),
        ({"georel": "within", "geometry": "Point", "coordinates": "[200,55]"}, "coordinates"),
        (
            {
                "georel": "within",
                "geometry": "Polygon",
                "coordinates": "[[[13,55],[14,55],[14,56]]]",
            },
            "coordinates",
        ),
        ({"type": "WeatherObserved", "options": "keyValues,normalized"}, "options"),
        ({"type": "WeatherObserved", "pick": "name", "omit": "name"}, "pick"),
        ({"limit": "5"}, "type"),
    ],
)
async def test_bad_parameters_are_named(ngsi: Ngsi, params: dict[str, str], parameter: str) -> None:
    answer = await ngsi.get(params=params, headers=link())
    assert answer.status == 400
    assert answer.headers["Content-Type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"] == BAD_REQUEST_DATA
    assert problem["status"] == 400
    assert problem["title"]
    assert problem["detail"].startswith(f"{parameter}: ")


async def test_a_repeated_parameter_is_refused(ngsi: Ngsi) -> None:
    answer = await ngsi.get(params=[("type", "Beach"), ("type", "Device")], headers=link())
    assert answer.status == 400
    assert answer.json()["detail"].startswith("type: given more than once")


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"type": "WeatherObserved", "options": "sysAttrs,bogus"}, "options"),
        ({"type": "WeatherObserved", "format": "compact"}, "format"),
        ({"type": "WeatherObserved", "format": "keyValues", "options": "bogus"}, "options"),
    ],
)
async def test_unknown_options_and_formats_are_invalid_requests(
    ngsi: Ngsi, params: dict[str, str], parameter: str
) -> None:
    """GS CIM 009 v1.8.1: a value outside what options/format define is InvalidRequest."""
    answer = await ngsi.get(params=params, headers=link())
    assert answer.status == 400
    assert answer.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/InvalidRequest"
    assert answer.json()["detail"].startswith(f"{parameter}: ")


async def test_unsupported_parameters_list_the_supported_ones(ngsi: Ngsi) -> None:
    answer = await ngsi.get(params={"type": "Beach", "sortBy": "name"}, headers=link())
    assert "supported: attrs, collect, containedBy, coordinates, count" in answer.json()["detail"]


async def test_a_bad_entity_id_is_a_bad_request(ngsi: Ngsi) -> None:
    answer = await ngsi.get(path="/ngsi-ld/v1/entities/not-a-uri", headers=link())
    assert answer.status == 400
    assert answer.json()["detail"].startswith("entityId: ")
