"""Known stations for tests: as CitySense serves them, and as the common model has them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from adapters import GeoPoint, SourceEntity

TOKEN = "citysense-test-token"  # noqa: S105 - a test value, not a secret

STATIONS: list[dict[str, Any]] = [
    {
        "code": f"CS-{n:03d}",
        "lat": 65.58 + n * 0.004,
        "lng": 22.15 - n * 0.006,
        "measured": f"2026-11-18T12:{n * 4:02d}:00+01:00",
        "readings": {"temp_f": 23.0 + 9 * n, "rh_pct": 50 + 5 * n, "wind_kmh": 3.6 * n},
    }
    for n in range(1, 9)
]
"""Eight stations near Luleå, in CitySense's units and local time (CET)."""

EXPECTED: list[SourceEntity] = [
    SourceEntity(
        id=f"urn:ngsi-ld:WeatherObserved:citysense-CS-{n:03d}",
        type="WeatherObserved",
        location=GeoPoint(lat=65.58 + n * 0.004, lon=22.15 - n * 0.006),
        observed_at=datetime(2026, 11, 18, 11, n * 4, tzinfo=UTC),
        attributes={
            "temperature": -5.0 + 5 * n,
            "relativeHumidity": 0.5 + 0.05 * n,
            "windSpeed": float(n),
        },
    )
    for n in range(1, 9)
]
"""The same stations in the common model: °C, humidity 0..1, m/s, UTC."""
