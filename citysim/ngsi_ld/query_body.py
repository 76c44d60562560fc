"""Query Entities and Query Temporal Evolution by POST (GS CIM 009 clauses 6.23, 6.24).

The body is a ``Query`` (clause 5.2.23): ``entities`` (EntitySelectors), ``attrs``,
``q``, ``geoQ``, ``temporalQ`` (clause 5.2.21), ``aggrParams`` (5.2.44), ``scopeQ``,
``lang``, ``csf``, ``pick``/``omit``. It is turned into the URL parameters of the
matching GET request (URL parameters such as ``limit`` or ``options`` stay), so both
ways are checked and answered the same. ``aggrMethods`` alone asks for the aggregated
representation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from multidict import MultiDict, MultiMapping

from citysim.ngsi_ld.ld_store import bad_data

_TEXT = ("q", "scopeQ", "lang", "csf", "join", "orderBy", "local", "datasetId")
_LISTS = ("attrs", "pick", "omit", "datasetId", "orderBy")
_TEMPORAL = ("timerel", "timeAt", "endTimeAt", "timeproperty", "aggrPeriodDuration")


def parameters(body: Any, url: MultiMapping[str], *, temporal: bool) -> MultiDict[str]:
    """The GET parameters a POSTed ``Query`` stands for, added to those of the URL.

    ``temporalQ`` and ``aggrParams`` belong to the temporal operation only.
    """
    if not isinstance(body, dict) or body.get("type") != "Query":
        raise bad_data('the body must be a Query object ("type": "Query")')
    if not temporal:
        for name in ("temporalQ", "aggrParams"):
            if name in body:
                raise bad_data(f"{name}: only for Query Temporal Evolution of Entities")
    for name in ("entities", "attrs"):
        if name in body and (not isinstance(body[name], list) or not body[name]):
            raise bad_data(f"{name}: must be a non-empty list")
    out: MultiDict[str] = MultiDict(url)
    if "joinLevel" in body:
        level = body["joinLevel"]
        if isinstance(level, bool) or not isinstance(level, int) or level < 1:
            raise bad_data(f"joinLevel: {level!r} is not a positive integer")
        out["joinLevel"] = str(level)
    _entities(body.get("entities"), out)
    for name in _LISTS:
        if isinstance(body.get(name), list):
            out[name] = ",".join(_strings(name, body[name]))
    for name in _TEXT:
        if name in body and name not in out:
            out[name] = _text(name, body[name])
    if "geoQ" in body:
        _geo(body["geoQ"], out)
    if body.get("temporalQ") is not None:
        _temporal("temporalQ", body["temporalQ"], out)
    if body.get("aggrParams") is not None:
        _temporal("aggrParams", body["aggrParams"], out)
    if "aggrMethods" in out and "options" not in out and "format" not in out:
        out["options"] = "aggregatedValues"
    return out


def _entities(selectors: Any, out: MultiDict[str]) -> None:
    if selectors is None:
        return
    if not isinstance(selectors, list) or not all(isinstance(s, dict) for s in selectors):
        raise bad_data("entities: must be a list of EntitySelector objects")
    types = [_text("entities.type", s["type"]) for s in selectors if "type" in s]
    ids = [_text("entities.id", s["id"]) for s in selectors if "id" in s]
    patterns = [_text("entities.idPattern", s["idPattern"]) for s in selectors if "idPattern" in s]
    if types:
        out["type"] = ",".join(types)
    if ids:
        out["id"] = ",".join(ids)
    if patterns:
        out["idPattern"] = "|".join(patterns)


def _geo(geo: Any, out: MultiDict[str]) -> None:
    if not isinstance(geo, dict):
        raise bad_data("geoQ: must be an object")
    for name in ("georel", "geometry", "geoproperty"):
        if name in geo:
            out[name] = _text(f"geoQ.{name}", geo[name])
    if "coordinates" in geo:
        coordinates = geo["coordinates"]
        out["coordinates"] = (
            coordinates if isinstance(coordinates, str) else orjson.dumps(coordinates).decode()
        )


def _temporal(where: str, temporal: Any, out: MultiDict[str]) -> None:
    if not isinstance(temporal, Mapping):
        raise bad_data(f"{where}: must be an object")
    for name in _TEMPORAL:
        if name in temporal:
            out[name] = _text(f"{where}.{name}", temporal[name])
    if "lastN" in temporal:
        last_n = temporal["lastN"]
        if isinstance(last_n, bool) or not isinstance(last_n, int) or last_n < 1:
            raise bad_data(f"{where}.lastN: {last_n!r} is not a positive integer")
        out["lastN"] = str(last_n)
    if "aggrMethods" in temporal:
        methods = temporal["aggrMethods"]
        if isinstance(methods, list):
            out["aggrMethods"] = ",".join(_strings(f"{where}.aggrMethods", methods))
        else:
            out["aggrMethods"] = _text(f"{where}.aggrMethods", methods)


def _text(where: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, str | int | float):
        raise bad_data(f"{where}: {value!r} is not a string")
    return str(value)


def _strings(where: str, values: list[Any]) -> list[str]:
    if not all(isinstance(v, str) for v in values):
        raise bad_data(f"{where}: every member must be a string")
    return [str(v) for v in values]
