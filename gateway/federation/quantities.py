"""Checks of the numbers the cache and resilience sections take (zero allowed, ratios, sizes).

Same contract as ``fields``: report what is wrong at ``key`` and return None.
"""

from __future__ import annotations

import re

from gateway.federation.interpolate import UNRESOLVED
from gateway.federation.report import Report

_UNITS = {
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
}
_SIZE = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]+)\s*")


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def seconds_or_zero(report: Report, value: object, key: str) -> float | None:
    """A duration that may be 0 (off): a number, not negative."""
    if value is UNRESOLVED:
        return None
    number = _number(value)
    if number is None or number < 0 or number != number:
        report.add(key, "must be a number of seconds, 0 or more, such as 30")
        return None
    return number


def ratio(report: Report, value: object, key: str, *, zero: bool) -> float | None:
    """A share between 0 (excluded unless ``zero``) and 1."""
    if value is UNRESOLVED:
        return None
    number = _number(value)
    low_ok = number is not None and (number >= 0 if zero else number > 0)
    if number is None or not low_ok or number > 1:
        low = "0" if zero else "above 0"
        report.add(key, f"must be a share from {low} to 1, such as 0.5")
        return None
    return number


def count(report: Report, value: object, key: str, *, minimum: int) -> int | None:
    """A whole number of at least ``minimum``."""
    if value is UNRESOLVED:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        report.add(key, f"must be a whole number, {minimum} or more")
        return None
    return value


def size(report: Report, value: object, key: str) -> int | None:
    """A size in bytes: a whole number, or a string such as ``"256 MiB"`` (B, kB, MB, GB,
    KiB, MiB, GiB); at least 1 KiB."""
    if value is UNRESOLVED:
        return None
    found: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        found = value
    elif isinstance(value, str):
        match = _SIZE.fullmatch(value)
        unit = _UNITS.get(match.group(2).lower()) if match else None
        if match is not None and unit is not None:
            found = int(float(match.group(1)) * unit)
    if found is None or found < 1024:
        report.add(key, 'must be a size of at least 1 KiB: bytes, or such as "256 MiB"')
        return None
    return found
