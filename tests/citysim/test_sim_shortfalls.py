"""citysim's shortfalls: checked settings, and what a city that has them answers."""

from __future__ import annotations

import time

import httpx
import pytest

from citysim.cluster import SimSettings, SimThread
from citysim.shortfalls import DEMO, ShortfallError, parse_shortfalls

LINK = '<https://smartdatamodels.org/context.jsonld>; rel="http://www.w3.org/ns/json-ld#context"'


def test_the_demo_spread_parses() -> None:
    for spec in DEMO.values():
        assert parse_shortfalls(spec).any()


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"no_pushing": True}, "unknown shortfall 'no_pushing'"),
        ({"no_push": "yes"}, "no_push must be true or false"),
        ({"catalogue_missing": "Beach"}, "catalogue_missing must be a list"),
    ],
)
def test_a_wrong_shortfall_is_named(spec: dict[str, object], message: str) -> None:
    with pytest.raises(ShortfallError, match=message):
        parse_shortfalls(spec)
    with pytest.raises(ValueError, match="shortfalls of malmo"):
        SimSettings(shortfalls={"malmo": spec})


def test_a_city_falls_short_as_told_and_another_does_not() -> None:
    frozen = time.time()
    settings = SimSettings(
        cities=("malmo", "lund"),
        clock=lambda: frozen,
        shortfalls={"malmo": {"plain_errors": True, "no_push": True, "volatile_ids": True}},
    )
    with SimThread(settings) as sim:
        short, full = sim.urls["malmo"], sim.urls["lund"]
        bad = "/ngsi-ld/v1/entities?type=WeatherObserved&limit=-1"
        assert (
            httpx.get(short + bad, headers={"Link": LINK})
            .headers["content-type"]
            .startswith("text/plain")
        )
        assert httpx.get(full + bad, headers={"Link": LINK}).json()["type"]
        assert httpx.get(short + "/ngsi-ld/v1/subscriptions").status_code == 404
        assert httpx.get(full + "/ngsi-ld/v1/subscriptions").json() == []
        page = "/ngsi-ld/v1/entities?type=WeatherObserved&limit=2"
        first = [e["id"] for e in httpx.get(short + page, headers={"Link": LINK}).json()]
        again = [e["id"] for e in httpx.get(short + page, headers={"Link": LINK}).json()]
        assert first != again
