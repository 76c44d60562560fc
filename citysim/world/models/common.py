"""Helpers the entity models share: Swedish addresses, DateTime values, rounding."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from citysim.municipalities import Municipality
from citysim.world.dice import Dice

STREETS = (
    "Storgatan",
    "Drottninggatan",
    "Kungsgatan",
    "Järnvägsgatan",
    "Skolgatan",
    "Kyrkogatan",
    "Hamngatan",
    "Parkvägen",
    "Industrivägen",
    "Strandvägen",
    "Ringvägen",
    "Nygatan",
)
DISTRICTS = ("Centrum", "Norr", "Söder", "Öster", "Väster", "Hamnen", "Stationsområdet")


def iso(moment: datetime) -> str:
    """``2026-11-25T10:00:00.000Z``: UTC, milliseconds, as NGSI-LD brokers write it."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def date_time(moment: datetime) -> dict[str, str]:
    """A typed NGSI-LD DateTime value, as the Smart Data Models examples write one."""
    return {"@type": "DateTime", "@value": iso(moment)}


def address(city: Municipality, fixed: Dice, *, street: bool = True) -> dict[str, Any]:
    """A postal address in ``city``."""
    value: dict[str, Any] = {"addressCountry": "SE", "addressLocality": city.name}
    if street:
        value["streetAddress"] = f"{fixed.choice(STREETS)} {fixed.integer(1, 60)}"
    return value


def source(city: Municipality) -> str:
    """The city's web site, as the data source."""
    return f"https://www.{city.id}.se"


def r1(value: float) -> float:
    """Rounded to one decimal, always a float."""
    return float(round(value, 1))


def r2(value: float) -> float:
    """Rounded to two decimals, always a float."""
    return float(round(value, 2))


def clamp(value: float, low: float, high: float) -> float:
    """``value`` limited to [low, high]."""
    return min(high, max(low, value))
