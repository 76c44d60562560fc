"""WaterConsumptionObserved (dataModel.WaterConsumption): a household water meter."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from citysim.world.model import EntityModel, Sensor

_SINCE = datetime(2020, 1, 1, tzinfo=UTC)
"""When the meters were installed (reading 0 plus an initial offset)."""
_DURATIONS = ("15m < 60m", "60m < 3h", "3h < 6h", "6h < 12h")
"""Values of the model's persistenceFlowDuration enumeration."""


def generate(s: Sensor) -> dict[str, Any]:
    """Cumulative litres (monotonic in time), flows in l/h, alarm flags 0/1."""
    fixed, now = s.fixed, s.now
    hours = (s.observed - _SINCE).total_seconds() / 3600.0
    leak, tamper = now.chance(0.02), now.chance(0.01)
    return {
        "acquisitionStageFailure": 0,
        "alarmFlowPersistence": "In progress persistence" if leak else "Nothing to report",
        "alarmInProgress": int(leak or tamper),
        "alarmStopsLeaks": 0,
        "alarmTamper": int(tamper),
        "alarmWaterQuality": 0,
        "maxFlow": round(fixed.uniform(300, 900) + now.normal(0, 20)),
        "minFlow": round(fixed.uniform(0, 3)),
        "moduleTampered": int(tamper),
        "persistenceFlowDuration": now.choice(_DURATIONS) if leak else _DURATIONS[0],
        "waterConsumption": fixed.integer(20_000, 900_000) + int(fixed.uniform(8, 40) * hours),
    }


MODEL = EntityModel(
    type_name="WaterConsumptionObserved",
    domain="WaterConsumption",
    generate=generate,
    measured=frozenset(
        {
            "acquisitionStageFailure",
            "alarmFlowPersistence",
            "alarmInProgress",
            "alarmStopsLeaks",
            "alarmTamper",
            "alarmWaterQuality",
            "maxFlow",
            "minFlow",
            "moduleTampered",
            "persistenceFlowDuration",
            "waterConsumption",
        }
    ),
    observed=False,
    sub_objects={"observedBy": "urn:ngsi-ld:Device:{key}"},
)
