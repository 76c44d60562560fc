"""Device (dataModel.Device): the sensor box behind each weather station."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from citysim.world.model import AttrSpec, EntityModel, Sensor
from citysim.world.models.common import date_time, r1, r2, source

_OPERATORS = ("01", "02", "03", "05", "07", "08")
"""Swedish mobile network codes (MCC 240)."""


def generate(s: Sensor) -> dict[str, Any]:
    """Battery level 0..1 that drains and is replaced, signal strength 0..1."""
    fixed, now = s.fixed, s.now
    days = s.observed.timestamp() / 86400.0
    battery = r2(1.0 - (days / fixed.uniform(60, 240) + fixed.random()) % 1.0)
    temperature = r1(s.weather.temperature + fixed.normal(0, 0.7))
    return {
        "batteryLevel": battery,
        "controlledAsset": [f"urn:ngsi-ld:WeatherObserved:{s.key}"],
        "controlledProperty": ["temperature", "relativeHumidity", "atmosphericPressure"],
        "dateFirstUsed": date_time(
            datetime(2019, 1, 1, tzinfo=UTC) + timedelta(days=fixed.integer(0, 1800))
        ),
        "deviceState": "ok" if battery >= 0.1 else "lowBattery",
        "ipAddress": [
            f"10.{fixed.integer(0, 255)}.{fixed.integer(0, 255)}.{fixed.integer(1, 254)}"
        ],
        "mnc": fixed.choice(_OPERATORS),
        "mcc": "240",
        "owner": [source(s.city)],
        "refDeviceModel": "urn:ngsi-ld:DeviceModel:caap-weather-station",
        "rssi": r2(min(1.0, max(0.0, fixed.uniform(0.4, 0.95) + now.normal(0, 0.03)))),
        "serialNumber": f"{fixed.integer(0, 0xFFFFF):05X}",
        "value": f"l%3D{battery}%3Bt%3D{temperature}",
    }


MODEL = EntityModel(
    type_name="Device",
    domain="Device",
    generate=generate,
    measured=frozenset({"batteryLevel", "deviceState", "rssi", "value"}),
    extra=(AttrSpec("location", "GeoProperty", None),),
    observed=False,
)
"""The example has no ``location``; the box stands where its station does, on every platform."""
