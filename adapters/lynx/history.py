"""History from a Lynx installation's log (``/api/v3beta/log``): paged by offset, oldest first.

``from``/``to`` are Unix seconds (inclusive on the server; the window's end is
exclusive here), ``topics`` the wanted functions, comma-separated. Pages of
``PAGE`` entries are read until ``total`` is reached. Values are converted into
the data model's units; ``last_n`` and aggregation are applied here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from adapters.contract import EntityHistory, HistoryPoint, HistoryQuery, HistoryResult
from adapters.errors import UpstreamProtocolError
from adapters.lynx.config import LynxConfig
from adapters.lynx.installation import Reading, Station
from adapters.sdk.aggregate import aggregate
from adapters.sdk.client import PlatformClient
from adapters.sdk.models import to_model_unit
from adapters.sdk.times import from_epoch
from adapters.sdk.units import UnitError

PAGE = 1000
MAX_ENTRIES = 200_000


async def read_log(
    client: PlatformClient, config: LynxConfig, query: HistoryQuery, found: Sequence[Station]
) -> HistoryResult:
    """Each station's series in the window, for the first ``query.limit`` stations."""
    chosen = list(found[: query.limit])
    by_topic: dict[str, tuple[Station, Reading]] = {}
    for station in chosen:
        for reading in station.readings:
            if query.attrs is None or reading.attribute in query.attrs:
                by_topic[reading.topic] = (station, reading)
    series: dict[str, dict[str, list[HistoryPoint]]] = {s.entity_id: {} for s in chosen}
    for entry in await _entries(client, config, query, sorted(by_topic)):
        owner = by_topic.get(entry.get("topic", ""))
        if owner is None:
            continue
        station, reading = owner
        at = from_epoch(entry.get("timestamp"), what="a log timestamp")
        if not query.after <= at < query.before:
            continue
        value = _value(query.entity_type, reading, entry)
        if value is not None:
            series[station.entity_id].setdefault(reading.attribute, []).append(
                HistoryPoint(at, value)
            )
    entities = []
    for station in chosen:
        attributes = series[station.entity_id]
        for attribute, points in attributes.items():
            points.sort(key=lambda p: p.at)
            if query.last_n:
                points[:] = points[-query.last_n :]
            if query.aggregation is not None:
                attributes[attribute] = aggregate(
                    points, query.aggregation, query.after, query.before
                )
        entities.append(EntityHistory(station.entity_id, query.entity_type, attributes))
    return HistoryResult(entities, truncated=len(found) > len(chosen))


async def _entries(
    client: PlatformClient, config: LynxConfig, query: HistoryQuery, topics: list[str]
) -> list[Mapping[str, Any]]:
    if not topics:
        return []
    url = config.api("v3beta", "log", str(config.installation_id))
    params = {
        "from": str(math.floor(query.after.timestamp())),
        "to": str(math.ceil(query.before.timestamp())),
        "limit": str(PAGE),
        "order": "asc",
        "topics": ",".join(topics),
    }
    entries: list[Mapping[str, Any]] = []
    while len(entries) < MAX_ENTRIES:
        answer = await client.get_json(url.with_query({**params, "offset": str(len(entries))}))
        data = answer.data
        if not isinstance(data, Mapping) or not isinstance(data.get("data"), list):
            raise UpstreamProtocolError("expected a log page: an object with 'data'")
        page = [e for e in data["data"] if isinstance(e, Mapping)]
        entries.extend(page)
        total = data.get("total")
        if not page or not isinstance(total, int) or len(entries) >= total:
            return entries
    return entries


def _value(entity_type: str, reading: Reading, entry: Mapping[str, Any]) -> Any:
    if reading.message:
        msg = entry.get("msg")
        return msg if isinstance(msg, str) and msg else None
    number = entry.get("value")
    if isinstance(number, bool) or not isinstance(number, int | float):
        return None
    try:
        return to_model_unit(entity_type, reading.attribute, number, reading.unit)
    except UnitError:
        return None
