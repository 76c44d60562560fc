"""The temporal API of a simulated broker: the past values of measured attributes.

History is exact, not stored: an entity's values in a time bucket are a pure
function of the bucket, so the instance of bucket ``b`` is what the entity
showed then, observed at its own moment during the bucket before. The broker
keeps ``RETENTION_BUCKETS`` buckets back from now. Only measured attributes
(those with ``observedAt``) have a history. Instances are oldest first; with
``lastN``, the newest N of each attribute, still oldest first.

``GET /ngsi-ld/v1/temporal/entities`` (paged like Query Entities: ``limit``,
``offset``, ``count``, ``Link: rel="next"``) and
``GET /ngsi-ld/v1/temporal/entities/{entityId}``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from citysim.jsonld import TermContext
from citysim.ngsi_ld.params import EntityQuery
from citysim.ngsi_ld.problems import bad_request, not_found
from citysim.ngsi_ld.search import _fixed_filter, value_filter
from citysim.ngsi_ld.temporal_params import TemporalQuery, parse_temporal
from citysim.ngsi_ld.temporal_range import Cut, cut_of
from citysim.ngsi_ld.vocabulary import output_names, stored
from citysim.settings import ContextStyle
from citysim.world.catalog import MODELS
from citysim.world.city import CityWorld, Entity
from citysim.world.model import EntityModel

RETENTION_BUCKETS = 720
"""History kept: 12 hours at the default 60-second bucket."""


@dataclass(frozen=True, slots=True)
class Instance:
    """One value of one attribute at one moment."""

    value: Any
    at: datetime


def history_page(
    world: CityWorld, style: ContextStyle, query: TemporalQuery, ctx: TermContext
) -> tuple[list[tuple[EntityModel, int, frozenset[str]]], int]:
    """(model, index, attributes with a history) of one page, and how many entities match.

    ``q`` selects entities by their current values (the latest instance of each attribute).
    """
    selector = EntityQuery(ids=query.ids, id_pattern=query.id_pattern, geo=query.geo)
    matched: list[tuple[EntityModel, int, frozenset[str]]] = []
    for model in MODELS:
        names = stored(model.type_name, style)
        if query.types is not None and not query.types.matches(names.type_iri):
            continue
        attrs = model.measured
        if query.attrs is not None:
            attrs = attrs & names.select(query.attrs, ctx)
            if not attrs:
                continue
        indexes = _fixed_filter(world, model, names, selector, ctx)
        if query.q is not None:
            current = value_filter(world, model, indexes, world.bucket(), query.q, names, ctx, True)
            indexes = [found[1] for e in current if (found := world.locate(e.id)) is not None]
        matched.extend((model, index, attrs) for index in indexes)
    return matched[query.offset : query.offset + query.limit], len(matched)


def instances(
    world: CityWorld, model: EntityModel, index: int, query: TemporalQuery
) -> Iterator[Entity]:
    """The entity as observed in each bucket whose observation lies in the window, oldest first."""
    newest = world.bucket()
    oldest = newest - RETENTION_BUCKETS + 1
    if query.start is not None:
        oldest = max(oldest, math.floor(query.start.timestamp() / world.bucket_s))
    if query.end is not None:
        newest = min(newest, math.ceil(query.end.timestamp() / world.bucket_s) + 1)
    found: list[Entity] = []
    for bucket in range(newest, oldest - 1, -1):
        entity = world.entity(model, index, bucket)
        at = _parse(entity.observed_at)
        if query.start is not None and at < query.start:
            continue
        if query.end is not None and at >= query.end:
            continue
        found.append(entity)
        if query.last_n is not None and len(found) >= query.last_n:
            break
    return reversed(found)


def render(
    model: EntityModel,
    entity_id: str,
    snapshots: Sequence[Entity],
    attrs: frozenset[str],
    query: TemporalQuery,
    style: ContextStyle,
    context_url: str,
) -> dict[str, Any]:
    """One entity in the temporal representation the query asks for."""
    type_term, names = output_names(model.type_name, style, context_url)
    out: dict[str, Any] = {"id": entity_id, "type": type_term}
    for spec in model.attributes:
        if spec.name not in attrs:
            continue
        series = [Instance(s.values[spec.name], _parse(s.observed_at)) for s in snapshots]
        if not series:
            continue
        member = names[spec.name]
        if query.form == "temporalValues":
            out[member] = {"type": spec.kind, "values": [[i.value, _iso(i.at)] for i in series]}
        elif query.form == "aggregatedValues":
            out[member] = {"type": spec.kind, **_aggregate(series, query)}
        else:
            unit = {"unitCode": spec.unit_code} if spec.unit_code else {}
            out[member] = [
                {"type": spec.kind, "value": i.value, "observedAt": _iso(i.at), **unit}
                for i in series
            ]
    return out


def _aggregate(
    series: list[Instance], query: TemporalQuery, iso: Callable[[datetime], str] | None = None
) -> dict[str, list[list[Any]]]:
    """Aggregates per period; ``iso`` writes the period bounds (default: milliseconds, Z)."""
    write = iso or _iso
    start = query.start or series[0].at
    end = query.end or series[-1].at
    periods: dict[int, list[Instance]] = {}
    for instance in series:
        key = 0 if query.period is None else int((instance.at - start) / query.period)
        periods.setdefault(key, []).append(instance)
    result: dict[str, list[list[Any]]] = {m: [] for m in query.methods}
    for key, members in sorted(periods.items()):
        if query.period is None:
            begin, finish = start, end
        else:
            begin = start + key * query.period
            finish = begin + query.period
        values = [m.value for m in members]
        for method in query.methods:
            result[method].append([_apply(method, values), write(begin), write(finish)])
    return result


def _apply(method: str, values: list[Any]) -> Any:
    if method == "totalCount":
        return len(values)
    if method == "distinctCount":
        return len({orjson.dumps(v) for v in values})
    numbers = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if not numbers:
        return None
    if method == "sum":
        return round(math.fsum(numbers), 6)
    if method == "avg":
        return round(math.fsum(numbers) / len(numbers), 6)
    if method == "min":
        return min(numbers)
    if method == "max":
        return max(numbers)
    if method == "sumsq":
        return round(math.fsum(n * n for n in numbers), 6)
    return round(statistics.pstdev(numbers), 6)  # stddev


def now_of(world: CityWorld) -> datetime:
    """The broker's clock as an aware datetime."""
    return datetime.fromtimestamp(world.clock(), UTC)


@dataclass(frozen=True, slots=True)
class History:
    """A rendered temporal answer: entities, matches, the query, and the cut if capped."""

    body: list[dict[str, Any]]
    total: int
    query: TemporalQuery
    cut: Cut | None = None


def query_history(
    world: CityWorld, style: ContextStyle, params: Any, ctx: TermContext, limit: int
) -> History:
    """The rendered page of a temporal query; at most ``limit`` instances per attribute."""
    query = parse_temporal(params, ctx, now_of(world), selecting=True, window_required=False)
    _observed_only(query)
    page, total = history_page(world, style, query, ctx)
    layout_ids = {m.type_name: world.layout(m).ids for m, _, _ in page}
    body, moments, clipped = [], [], False
    for model, index, attrs in page:
        snapshots, cut_here = _capped(list(instances(world, model, index, query)), query, limit)
        clipped |= cut_here
        moments += [_parse(s.observed_at) for s in snapshots]
        entity_id = layout_ids[model.type_name][index]
        body.append(render(model, entity_id, snapshots, attrs, query, style, ctx.url))
    return History(body, total, query, cut_of(moments, query) if clipped else None)


def _capped(snapshots: list[Entity], query: TemporalQuery, limit: int) -> tuple[list[Entity], bool]:
    """At most ``limit`` snapshots: the oldest, or with lastN the newest (oldest first)."""
    if len(snapshots) <= limit:
        return snapshots, False
    return (snapshots[-limit:] if query.last_n is not None else snapshots[:limit]), True


def retrieve_history(
    world: CityWorld,
    style: ContextStyle,
    entity_id: str,
    params: Any,
    ctx: TermContext,
    limit: int,
) -> History:
    """The temporal representation of one entity (404 when there is none), capped."""
    located = world.locate(entity_id)
    if located is None:
        raise not_found(f"entity {entity_id!r} does not exist")
    query = parse_temporal(params, ctx, now_of(world), window_required=False)
    _observed_only(query)
    model, index = located
    names = stored(model.type_name, style)
    if query.types is not None and not query.types.matches(names.type_iri):
        raise not_found(f"entity {entity_id!r} is not of the type asked for")
    attrs = (
        model.measured if query.attrs is None else model.measured & names.select(query.attrs, ctx)
    )
    snapshots, clipped = _capped(list(instances(world, model, index, query)), query, limit)
    body = render(model, entity_id, snapshots, attrs, query, style, ctx.url)
    moments = [_parse(s.observed_at) for s in snapshots]
    return History([body], 1, query, cut_of(moments, query) if clipped else None)


def _observed_only(query: TemporalQuery) -> None:
    if query.timeproperty != "observedAt":
        raise bad_request("timeproperty", "only observedAt is kept in this broker's history")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _iso(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
