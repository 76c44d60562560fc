"""URL parameters of Query Temporal Evolution of Entities (GS CIM 009 clause 6.18.3.2).

``timerel`` (``before``, ``after``, ``between``) with ``timeAt`` and, for ``between``,
``endTimeAt`` (DateTimes with a zone); ``timeproperty`` (``observedAt``, ``createdAt``,
``modifiedAt``, ``deletedAt``);
``lastN``; ``options``/``format`` ``temporalValues`` (simplified temporal
representation) or ``aggregatedValues`` with ``aggrMethods`` and
``aggrPeriodDuration`` (ISO 8601 duration, ``P0D``: the whole window); plus
``type``, ``id``, ``idPattern``, ``attrs``, ``georel``..., ``limit``, ``offset``,
``count``. ``timerel`` may be left out only together with ``lastN`` (then
``before`` now). Every problem is a 400 BadRequestData naming the parameter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from multidict import MultiMapping

from citysim.jsonld import TermContext
from citysim.ngsi_ld import geo, q
from citysim.ngsi_ld.params import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    ReadOptions,
    _boolean,
    _geoquery,
    _ids,
    _integer,
    _names,
    _pattern,
    _q,
    _single,
    _types,
    parse_read,
)
from citysim.ngsi_ld.problems import bad_request, invalid_request
from citysim.ngsi_ld.selection import TypeSelection

TemporalForm = Literal["normalized", "temporalValues", "aggregatedValues"]
AGGREGATES = ("totalCount", "distinctCount", "sum", "avg", "min", "max", "stddev", "sumsq")
TEMPORAL_PARAMETERS = frozenset(
    {
        "type", "id", "idPattern", "attrs", "georel", "geometry", "coordinates", "geoproperty",
        "timerel", "timeAt", "endTimeAt", "timeproperty", "lastN", "limit", "offset", "count",
        "options", "format", "aggrMethods", "aggrPeriodDuration", "local",
        "q", "pick", "omit", "lang", "datasetId", "scopeQ", "orderBy", "join", "joinLevel",
        "expandValues", "entityMap", "containedBy", "csf",
    }
)  # fmt: skip
TIME_PROPERTIES = ("observedAt", "createdAt", "modifiedAt", "deletedAt")
_DURATION = re.compile(
    r"^P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


@dataclass(frozen=True, slots=True)
class TemporalQuery:
    """What a temporal query asks; the window is ``[start, end)`` (None: unbounded)."""

    types: TypeSelection | None
    ids: frozenset[str] | None
    id_pattern: re.Pattern[str] | None
    attrs: tuple[str, ...] | None
    geo: geo.GeoQuery | None
    start: datetime | None
    end: datetime | None
    last_n: int | None
    form: TemporalForm
    methods: tuple[str, ...]
    period: timedelta | None
    """None: one period over the whole window."""
    limit: int
    offset: int
    count: bool
    q: q.Node | None = None
    read: ReadOptions = field(default_factory=lambda: ReadOptions())
    timeproperty: str = "observedAt"


def parse_temporal(
    params: MultiMapping[str],
    ctx: TermContext,
    now: datetime,
    *,
    selecting: bool = False,
    window_required: bool = True,
) -> TemporalQuery:
    """Temporal query parameters; raises a Problem (400) naming the first bad one.

    ``selecting`` (Query, not Retrieve): one of type, attrs, q, a geoquery, id or
    idPattern is needed unless ``local=true`` (GS CIM 009 clause 5.7.4.4).
    ``window_required``: without ``timerel`` or ``lastN`` the request is refused (the
    generated history is unbounded); otherwise it means the whole history.
    """
    one = _single(params, TEMPORAL_PARAMETERS)
    local = _boolean("local", one.get("local"))
    selectors = ("type", "attrs", "q", "georel")
    if selecting and not local and not any(name in one for name in selectors):
        raise bad_request(
            "type",
            "at least one of type, attrs, q or georel (or local=true) is needed; "
            "id and idPattern only narrow such a query (GS CIM 009 clause 5.7.4.4)",
        )
    order = one.get("orderBy")
    if order is not None and order not in ("id", "id;asc", "id;desc"):
        raise bad_request(
            "orderBy", "temporal entities are ordered by id only (id, id;asc, id;desc)"
        )
    timeproperty = one.get("timeproperty", "observedAt")
    if timeproperty not in TIME_PROPERTIES:
        raise bad_request(
            "timeproperty", f"{timeproperty!r} is not one of {', '.join(TIME_PROPERTIES)}"
        )
    last_n = _integer("lastN", one.get("lastN"), 0, 1, 10_000) if "lastN" in one else None
    start, end = _window(one, now, last_n, window_required)
    form = _form(one)
    methods = _methods(one.get("aggrMethods")) if form == "aggregatedValues" else ()
    return TemporalQuery(
        types=_types(one, ctx),
        ids=_ids(one.get("id")),
        id_pattern=_pattern(one.get("idPattern")),
        attrs=_names("attrs", one.get("attrs")),
        geo=_geoquery(one),
        start=start,
        end=end,
        last_n=last_n,
        form=form,
        methods=methods,
        period=_duration(one.get("aggrPeriodDuration", "P0D")),
        limit=_integer("limit", one.get("limit"), DEFAULT_LIMIT, 1, MAX_LIMIT),
        offset=_integer("offset", one.get("offset"), 0, 0, None),
        count=_boolean("count", one.get("count")),
        q=_q(one.get("q")),
        read=parse_read(one),
        timeproperty=timeproperty,
    )


def _window(
    one: Mapping[str, str], now: datetime, last_n: int | None, required: bool
) -> tuple[datetime | None, datetime | None]:
    timerel = one.get("timerel")
    if timerel is None:
        if not required:
            for name in ("timeAt", "endTimeAt"):
                if name in one:
                    raise bad_request(name, "needs timerel")
            return None, None
        if last_n is None:
            raise bad_request("timerel", "needed (before, after or between), unless lastN is given")
        for name in ("timeAt", "endTimeAt"):
            if name in one:
                raise bad_request(name, "needs timerel")
        return None, now
    if timerel not in ("before", "after", "between"):
        raise bad_request("timerel", f"{timerel!r} is not before, after or between")
    if "timeAt" not in one:
        raise bad_request("timeAt", f"needed with timerel={timerel}")
    at = _datetime("timeAt", one["timeAt"])
    if timerel == "between":
        if "endTimeAt" not in one:
            raise bad_request("endTimeAt", "needed with timerel=between")
        end = _datetime("endTimeAt", one["endTimeAt"])
        if end <= at:
            raise bad_request("endTimeAt", "must be later than timeAt")
        return at, end
    if "endTimeAt" in one:
        raise bad_request("endTimeAt", "only used with timerel=between")
    return (None, at) if timerel == "before" else (at, None)


def _datetime(name: str, text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise bad_request(name, f"{text!r} is not an ISO 8601 DateTime") from None
    if moment.tzinfo is None:
        raise bad_request(name, f"{text!r} has no time zone")
    return moment


def _form(one: Mapping[str, str]) -> TemporalForm:
    chosen: set[str] = set()
    for given in filter(None, one.get("options", "").split(",")):
        if given == "sysAttrs":
            continue
        option = "temporalValues" if given == "simplified" else given
        if option not in ("temporalValues", "aggregatedValues", "normalized"):
            raise invalid_request(
                "options",
                f"unknown or unsupported option {option!r} "
                "(supported: normalized, temporalValues, aggregatedValues)",
            )
        chosen.add(option)
    if "format" in one:
        chosen = {"temporalValues" if one["format"] == "simplified" else one["format"]}
        if chosen - {"temporalValues", "aggregatedValues", "normalized"}:
            raise invalid_request("format", f"unknown format {one['format']!r}")
    if len(chosen) > 1:
        raise bad_request("options", "asks for more than one representation")
    form = chosen.pop() if chosen else "normalized"
    return (
        "temporalValues"
        if form == "temporalValues"
        else ("aggregatedValues" if form == "aggregatedValues" else "normalized")
    )


def _methods(text: str | None) -> tuple[str, ...]:
    if not text:
        raise bad_request("aggrMethods", "needed with options=aggregatedValues")
    methods = tuple(text.split(","))
    for method in methods:
        if method not in AGGREGATES:
            raise bad_request(
                "aggrMethods", f"unknown method {method!r} (known: {', '.join(AGGREGATES)})"
            )
    return methods


def _duration(text: str) -> timedelta | None:
    match = _DURATION.match(text)
    if match is None or text in ("P", "PT"):
        raise bad_request("aggrPeriodDuration", f"{text!r} is not an ISO 8601 duration like PT1H")
    parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    span = timedelta(days=parts["d"], hours=parts["h"], minutes=parts["m"], seconds=parts["s"])
    return span if span > timedelta(0) else None
