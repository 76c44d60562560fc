"""The UN/CEFACT code (Recommendation 20, as NGSI-LD ``unitCode``) of each unit of
``adapters.sdk.units``, and the attributes of a type described with them for discovery."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from adapters.discovery import AttributeInfo
from adapters.sdk.models import model_unit
from adapters.sdk.units import unit

UN_CEFACT: Mapping[str, str] = {
    "°C": "CEL",
    "K": "KEL",
    "°F": "FAH",
    "Pa": "PAL",
    "hPa": "A97",
    "kPa": "KPA",
    "bar": "BAR",
    "m/s": "MTS",
    "km/h": "KMH",
    "mph": "HM",
    "kn": "KNT",
    "1": "C62",
    "%": "P1",
    "mm": "MMT",
    "cm": "CMT",
    "m": "MTR",
    "km": "KMT",
    "in": "INH",
    "µg/m³": "GQ",
    "mg/m³": "GP",
    "g/m³": "M1",
    "L": "LTR",
    "m³": "MTQ",
    "l/h": "E32",
    "l/min": "L2",
    "l/s": "G51",
    "m³/h": "MQH",
    "m³/s": "MQS",
    "°": "DD",
    "rad": "C81",
    "lx": "LUX",
    "S/m": "D10",
    "mS/cm": "H61",
    "µS/cm": "G42",
    "s": "SEC",
    "min": "MIN",
    "h": "HUR",
}
"""Unit symbol (``Unit.symbol``) -> UN/CEFACT common code."""


def unit_code(entity_type: str, attribute: str) -> str | None:
    """The UN/CEFACT code of ``attribute``'s unit in ``entity_type``'s data model, or None."""
    found = model_unit(entity_type, attribute)
    return UN_CEFACT.get(found.symbol) if found is not None else None


def attribute_info(entity_type: str, name: str) -> AttributeInfo:
    """``name`` of ``entity_type`` with the unit the adapters deliver it in (the model's)."""
    found = model_unit(entity_type, name)
    if found is None:
        return AttributeInfo(name)
    return AttributeInfo(name, UN_CEFACT.get(found.symbol), found.symbol)


def described(entity_type: str, names: Iterable[str]) -> tuple[AttributeInfo, ...]:
    """``names`` (once each, sorted) with the units the adapters deliver them in."""
    return tuple(attribute_info(entity_type, n) for n in sorted(set(names)))


def deliverable(entity_type: str, attribute: str, stated: str | None) -> bool:
    """False when values stated in ``stated`` cannot be converted into the data model's unit
    of ``attribute`` (``to_model_unit`` would refuse them: the adapter leaves them out)."""
    target = model_unit(entity_type, attribute)
    if target is None or stated is None or not stated.strip():
        return True
    source = unit(stated)
    return source is not None and source.dimension == target.dimension
