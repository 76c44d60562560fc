"""An attribute's plain value as a typed field's value: None when absent or of another type."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

E = TypeVar("E", bound=enum.Enum)


def number(attributes: Mapping[str, Any], name: str) -> float | None:
    """The attribute as a float, or None when absent or not a number."""
    value = attributes.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def integer(attributes: Mapping[str, Any], name: str) -> int | None:
    """The attribute as an int (a float only when whole), or None."""
    value = attributes.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value)


def text(attributes: Mapping[str, Any], name: str) -> str | None:
    """The attribute as a string, or None when absent or not a string."""
    value = attributes.get(name)
    return value if isinstance(value, str) else None


def boolean(attributes: Mapping[str, Any], name: str) -> bool | None:
    """The attribute as a bool, or None when absent or not a bool."""
    value = attributes.get(name)
    return value if isinstance(value, bool) else None


def date_time(attributes: Mapping[str, Any], name: str) -> datetime | None:
    """An ISO 8601 date-time with a zone (plain, or NGSI-LD ``{"@value": ...}``), or None."""
    value = attributes.get(name)
    if isinstance(value, Mapping):
        value = value.get("@value")
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.utcoffset() is not None else None


def texts(attributes: Mapping[str, Any], name: str) -> list[str] | None:
    """A list of strings (a single string becomes a list of one), or None."""
    value = attributes.get(name)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def member(kind: type[E], attributes: Mapping[str, Any], name: str) -> E | None:
    """The enum member whose value the attribute is, or None (absent or not one of them)."""
    value = attributes.get(name)
    try:
        return kind(value) if isinstance(value, str) else None
    except ValueError:
        return None


def anything(attributes: Mapping[str, Any], name: str) -> Any:
    """The attribute's plain value as it is (JSON fields), or None."""
    return attributes.get(name)
