"""Units of measurement: recognise what a platform says, convert to another unit.

``unit("°F")``, ``unit("FAH")`` (UN/CEFACT), ``unit("[degF]")`` (UCUM) and
``unit("http://qudt.org/vocab/unit/DEG_F")`` (QUDT) are the same ``Unit``.
``convert(68, unit("°F"), unit("°C"))`` is ``20.0``. Results are rounded to 12
significant digits, so a value that went to another unit and back is the value
it was (``3.2`` °C, not ``3.2000000000000055``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


class UnitError(ValueError):
    """A unit that is unknown, or that cannot be converted to the one wanted."""


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit of one dimension: ``base = value * scale + offset``."""

    symbol: str
    dimension: str
    scale: float
    offset: float = 0.0


_TABLE: tuple[tuple[Unit, tuple[str, ...]], ...] = (
    # temperature, base kelvin
    (
        Unit("°C", "temperature", 1.0, 273.15),
        ("℃", "degC", "deg C", "Cel", "CEL", "C", "celsius", "Celsius", "degree Celsius", "DEG_C"),
    ),
    (Unit("K", "temperature", 1.0), ("KEL", "kelvin", "Kelvin")),
    (
        Unit("°F", "temperature", 5 / 9, 459.67 * 5 / 9),
        (
            "℉",
            "degF",
            "[degF]",
            "FAH",
            "F",
            "fahrenheit",
            "Fahrenheit",
            "degree Fahrenheit",
            "DEG_F",
        ),
    ),
    # pressure, base pascal
    (Unit("Pa", "pressure", 1.0), ("PAL", "PA", "pascal")),
    (
        Unit("hPa", "pressure", 100.0),
        ("HPA", "A97", "HectoPA", "hectopascal", "mbar", "mb", "MBR", "millibar"),
    ),
    (Unit("kPa", "pressure", 1000.0), ("KPA", "KiloPA", "kilopascal")),
    (Unit("bar", "pressure", 100_000.0), ("BAR",)),
    # speed, base metre per second
    (Unit("m/s", "speed", 1.0), ("m s-1", "m.s-1", "m/sec", "mps", "MTS", "M-PER-SEC")),
    (Unit("km/h", "speed", 1 / 3.6), ("km h-1", "km.h-1", "kmh", "kph", "KMH", "KiloM-PER-HR")),
    (Unit("mph", "speed", 0.44704), ("[mi_i]/h", "HM", "MI-PER-HR")),
    (Unit("kn", "speed", 1852 / 3600), ("kt", "knot", "knots", "[kn_i]", "KNT", "KN")),
    # ratios, base one
    (Unit("1", "ratio", 1.0), ("C62", "fraction", "UNITLESS", "NUM", "one")),
    (Unit("%", "ratio", 0.01), ("P1", "percent", "PERCENT", "pct", "%RH")),
    # length, base metre (precipitation: 1 l/m² is 1 mm of water)
    (
        Unit("mm", "length", 0.001),
        ("MMT", "MilliM", "l/m²", "l/m2", "L/m2", "L/m²", "kg/m2", "kg/m²"),
    ),
    (Unit("cm", "length", 0.01), ("CMT", "CentiM")),
    (Unit("m", "length", 1.0), ("MTR", "M", "metre", "meter")),
    (Unit("km", "length", 1000.0), ("KMT", "KiloM")),
    (Unit("in", "length", 0.0254), ("[in_i]", "INH", "IN", "inch")),
    # mass concentration, base kilogram per cubic metre
    (
        Unit("µg/m³", "concentration", 1e-9),
        ("μg/m³", "µg/m3", "μg/m3", "ug/m3", "ug/m³", "GQ", "MicroGM-PER-M3"),
    ),
    (Unit("mg/m³", "concentration", 1e-6), ("mg/m3", "GP", "MilliGM-PER-M3")),
    (
        Unit("g/m³", "concentration", 1e-3),
        ("g/m3", "GM-PER-M3", "mg/L", "mg/l", "M1", "MilliGM-PER-L"),
    ),
    # volume, base cubic metre
    (Unit("L", "volume", 1e-3), ("l", "LTR", "litre", "liter", "L-US")),
    (Unit("m³", "volume", 1.0), ("m3", "MTQ", "M3")),
    # volume flow, base cubic metre per second
    (Unit("l/h", "flow", 1e-3 / 3600), ("L/h", "E32", "L.h-1", "l h-1")),
    (Unit("l/min", "flow", 1e-3 / 60), ("L/min", "L2")),
    (Unit("l/s", "flow", 1e-3), ("L/s", "G51")),
    (Unit("m³/h", "flow", 1 / 3600), ("m3/h", "MQH")),
    (Unit("m³/s", "flow", 1.0), ("m3/s", "MQS")),
    # angle, base degree
    (Unit("°", "angle", 1.0), ("deg", "DD", "DEG", "degree", "degrees", "[deg]")),
    (Unit("rad", "angle", 180 / math.pi), ("C81", "RAD")),
    # others
    (Unit("lx", "illuminance", 1.0), ("lux", "Lux", "LUX", "LX")),
    (Unit("S/m", "conductivity", 1.0), ("D10", "S-PER-M")),
    (Unit("mS/cm", "conductivity", 0.1), ("MilliS-PER-CentiM",)),
    (Unit("µS/cm", "conductivity", 1e-4), ("μS/cm", "uS/cm", "MicroS-PER-CentiM")),
    (Unit("s", "time", 1.0), ("SEC", "sec", "second", "seconds")),
    (Unit("min", "time", 60.0), ("MIN", "minute", "minutes")),
    (Unit("h", "time", 3600.0), ("HUR", "hour", "hours")),
)

_BY_NAME: dict[str, Unit] = {}
for _unit, _aliases in _TABLE:
    for _name in (_unit.symbol, *_aliases):
        _BY_NAME[_name] = _unit


def unit(text: str | None) -> Unit | None:
    """The unit a symbol, code or URI names, or None when it is not known."""
    if text is None:
        return None
    name = text.strip()
    found = _BY_NAME.get(name)
    if found is None and ("/" in name or "#" in name) and name.startswith(("http:", "https:")):
        found = _BY_NAME.get(name.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1])
    return found


def require(text: str) -> Unit:
    """The unit ``text`` names; ``UnitError`` when unknown."""
    found = unit(text)
    if found is None:
        raise UnitError(f"unknown unit {text!r}")
    return found


def convert(value: float, source: Unit, target: Unit) -> float:
    """``value`` in ``source`` expressed in ``target``, to 12 significant digits."""
    if source.dimension != target.dimension:
        raise UnitError(
            f"cannot convert {source.symbol} ({source.dimension}) "
            f"to {target.symbol} ({target.dimension})"
        )
    if source == target:
        return float(value)
    base = value * source.scale + source.offset
    return significant((base - target.offset) / target.scale)


def significant(value: float, digits: int = 12) -> float:
    """``value`` rounded to ``digits`` significant digits (floating-point noise dropped)."""
    if value == 0 or not math.isfinite(value):
        return float(value)
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))
