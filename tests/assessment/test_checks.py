"""Every check of the profile passes on one simulated city and fails on another, and the
report carries the evidence of both (the request made, what came back, what was expected)."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.assessment.checks import CHECKS
from gateway.assessment.profile import load_profile
from tests.assessment.conftest import DOWN_CITY, OPEN_CITY, SLOW_CITY

# check id -> (a city that passes, a city that fails, what the failing evidence shows)
CASES: dict[str, tuple[str, str, str]] = {
    "api.standard": ("stockholm", "helsingborg", "rest-json"),
    "api.read-parameters": ("uppsala", "skelleftea", "offset"),
    "api.history": ("stockholm", "umea", "404"),
    "api.push": ("stockholm", "umea", "/ngsi-ld/v1/subscriptions"),
    "models.types": ("stockholm", "skelleftea", "LegacySensorReading"),
    "models.valid": ("stockholm", "malmo", "relativeHumidity"),
    "places.geojson": ("stockholm", "lund", "not WGS84"),
    "places.inside": ("stockholm", "lund", "no usable place"),
    "ids.persistent": ("stockholm", "skelleftea", "second:"),
    "errors.problem-json": ("stockholm", "malmo", "text/plain"),
    "catalogue.dcat": ("stockholm", "lund", "ckan"),
    "catalogue.shacl": ("stockholm", "karlskrona", "Violation"),
    "catalogue.properties": ("stockholm", "karlskrona", "dct:license"),
    "catalogue.complete": ("stockholm", "karlskrona", "TrafficFlowObserved"),
    "policy.personal-not-public": ("stockholm", OPEN_CITY, "WaterConsumptionObserved: public"),
    "ops.availability": ("stockholm", DOWN_CITY, "0 of"),
    "ops.latency": ("stockholm", SLOW_CITY, "p95"),
    "ops.freshness": ("stockholm", "katrineholm", "s old"),
}


def test_every_check_of_the_profile_has_a_case_and_a_measure() -> None:
    ids = {c.id for c in load_profile().checks}
    assert ids == set(CASES)
    assert ids == set(CHECKS)


def _result(report: dict[str, Any], city_id: str, check_id: str) -> dict[str, Any]:
    city = next(c for c in report["cities"] if c["id"] == city_id)
    result: dict[str, Any] = city["results"][check_id]
    return result


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_the_check_passes_on_one_city_and_fails_on_another_with_evidence(
    assessed: tuple[int, dict[str, Any]], check_id: str
) -> None:
    _, report = assessed
    good, bad, shown = CASES[check_id]
    passing = _result(report, good, check_id)
    failing = _result(report, bad, check_id)
    assert passing["status"] == "pass", passing
    assert failing["status"] == "fail", failing
    for result in (passing, failing):
        assert result["evidence"], "every outcome carries its evidence"
        for evidence in result["evidence"]:
            assert evidence["request"]
            assert evidence["expected"]
    text = failing["summary"] + "\n".join(
        e["request"] + "\n" + e["response"] for e in failing["evidence"]
    )
    assert shown in text, text
