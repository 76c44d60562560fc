"""The temporal history of stored entities: instances kept in memory, queried and rendered.

Filled by the temporal API (``POST /temporal/entities``, its attrs, GS CIM 009
clauses 6.18-6.21) and by every write of the entity API. Each instance keeps its
``instanceId``, ``createdAt`` and ``modifiedAt``; the time property of a query
(``timeproperty``, default ``observedAt``) picks which one windows it. Instances
come oldest first; ``lastN`` keeps the newest N of each attribute. Representations:
normalized, temporalValues (simplified, clause 4.5.9) and aggregatedValues.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from citysim.jsonld import TermContext
from citysim.ngsi_ld.ld_query import matching
from citysim.ngsi_ld.ld_render import View, render_instance
from citysim.ngsi_ld.ld_store import VALUE_MEMBER, StoredEntity, now_iso
from citysim.ngsi_ld.params import EntityQuery
from citysim.ngsi_ld.projection import leaves
from citysim.ngsi_ld.temporal import Instance, _aggregate
from citysim.ngsi_ld.temporal_params import TemporalQuery
from citysim.ngsi_ld.temporal_range import Cut, cut_of, iso_z

MAX_INSTANCES = 1_000_000
"""Instances one broker keeps across all entities (memory stays bounded; oldest dropped)."""


@dataclass(slots=True)
class _Recorded:
    entity: StoredEntity
    last: dict[tuple[str, str | None], int] = field(default_factory=dict)
    """(attribute, datasetId) -> id() of the live instance last recorded."""


class History:
    """The temporal representation of every stored entity of one broker."""

    def __init__(self) -> None:
        self._entities: dict[str, _Recorded] = {}
        self._count = 0

    def __iter__(self) -> Iterator[StoredEntity]:
        return iter([r.entity for r in self._entities.values()])

    def get(self, entity_id: str) -> StoredEntity | None:
        """The temporal entity with ``entity_id``, if any."""
        found = self._entities.get(entity_id)
        return found.entity if found is not None else None

    def remove(self, entity_id: str) -> bool:
        """Forget ``entity_id``; False when it had no history."""
        found = self._entities.pop(entity_id, None)
        if found is not None:
            self._count -= sum(len(v) for v in found.entity.attrs.values())
        return found is not None

    def record(self, entity: StoredEntity) -> None:
        """Record the instances of ``entity`` that changed since the last call."""
        recorded = self._ensure(entity)
        for iri, instances in entity.attrs.items():
            for live in instances:
                key = (iri, live.get("datasetId"))
                if recorded.last.get(key) == id(live):
                    continue
                recorded.last[key] = id(live)
                self.add(entity.id, iri, copy.deepcopy(live))

    def add_temporal(self, entity: StoredEntity) -> bool:
        """Add the instances of a temporal payload; True when the entity is new."""
        new = entity.id not in self._entities
        target = self._ensure(entity).entity
        for iri in entity.types:
            if iri not in target.types:
                target.types.append(iri)
        if entity.scope is not None:
            target.scope = entity.scope
        for iri, instances in entity.attrs.items():
            for item in instances:
                self.add(entity.id, iri, item)
        return new

    def add(self, entity_id: str, iri: str, item: dict[str, Any]) -> None:
        """Append one instance to an attribute's history."""
        at = now_iso()
        item.setdefault("createdAt", at)
        item.setdefault("modifiedAt", at)
        item["instanceId"] = f"urn:ngsi-ld:Instance:{uuid.uuid4()}"
        self._entities[entity_id].entity.attrs.setdefault(iri, []).append(item)
        self._count += 1
        if self._count > MAX_INSTANCES:
            self._drop_oldest()

    def _ensure(self, entity: StoredEntity) -> _Recorded:
        found = self._entities.get(entity.id)
        if found is None:
            at = now_iso()
            shell = StoredEntity(
                id=entity.id,
                types=list(entity.types),
                scope=entity.scope,
                created_at=at,
                modified_at=at,
            )
            found = self._entities[entity.id] = _Recorded(shell)
        return found

    def _drop_oldest(self) -> None:
        for recorded in self._entities.values():
            for instances in recorded.entity.attrs.values():
                if instances:
                    instances.pop(0)
                    self._count -= 1
                    return


def select(history: History, query: TemporalQuery, ctx: TermContext) -> list[StoredEntity]:
    """The temporal entities a Query Temporal Evolution selects (before paging)."""
    entity_query = EntityQuery(
        types=query.types,
        ids=query.ids,
        id_pattern=query.id_pattern,
        attrs=query.attrs,
        geo=query.geo,
        q=query.q,
        read=query.read,
    )
    return matching(_latest_views(history), entity_query, ctx)


def _latest_views(history: History) -> Iterator[StoredEntity]:
    """Each temporal entity with, per attribute and dataset, its newest instance (for q/geo)."""
    for entity in history:
        latest: dict[str, list[dict[str, Any]]] = {}
        for iri, instances in entity.attrs.items():
            by_dataset: dict[str | None, dict[str, Any]] = {}
            for item in sorted(instances, key=_time_of("observedAt")):
                by_dataset[item.get("datasetId")] = item
            latest[iri] = list(by_dataset.values())
        view = StoredEntity(entity.id, entity.types, latest, entity.scope)
        view.created_at, view.modified_at = entity.created_at, entity.modified_at
        yield _Backed(view, entity)


class _Backed(StoredEntity):
    """A latest-values view that remembers the full temporal entity behind it."""

    __slots__ = ("full",)

    def __init__(self, view: StoredEntity, full: StoredEntity) -> None:
        super().__init__(
            view.id, view.types, view.attrs, view.scope, view.created_at, view.modified_at
        )
        self.full = full


def full_entity(entity: StoredEntity) -> StoredEntity:
    """The whole temporal entity behind a view returned by ``select``."""
    return entity.full if isinstance(entity, _Backed) else entity


def _time_of(prop: str) -> Any:
    def key(item: dict[str, Any]) -> str:
        value = item.get(prop) or item.get("modifiedAt") or ""
        return str(value)

    return key


Series = dict[tuple[str, str], list[dict[str, Any]]]
"""(entity id, attribute IRI) -> the instances to render, oldest first."""


def windowed(entities: list[StoredEntity], query: TemporalQuery) -> Series:
    """The instances of every attribute of ``entities`` inside the query's window (and lastN)."""
    series: Series = {}
    for entity in entities:
        for iri, instances in entity.attrs.items():
            found = _window(instances, query)
            if found:
                series[entity.id, iri] = found
    return series


def has_instances(entity: StoredEntity, query: TemporalQuery, ctx: TermContext) -> bool:
    """True when an instance of ``entity`` is in the window, the attrs and the datasets asked."""
    wanted = None if query.attrs is None else {ctx.expand(a) for a in query.attrs}
    datasets = query.read.datasets
    for (_, iri), items in windowed([entity], query).items():
        if wanted is not None and iri not in wanted:
            continue
        if datasets is None or any(i.get("datasetId", "@none") in datasets for i in items):
            return True
    return False


def cap(series: Series, query: TemporalQuery, limit: int) -> tuple[Series, Cut | None]:
    """At most ``limit`` instances per attribute; each entity's attributes cut at one moment.

    Oldest first without ``lastN``: an entity with a longer series is cut at the earliest
    last-kept instance of its truncated attributes, so no attribute misses data before
    the cut (one may come out empty). With ``lastN`` the same from the newest end. The
    range runs from ``timeAt`` (``endTimeAt`` / ``timeAt`` with lastN) or the first
    instance returned to the last one; nothing cut: ``None``.
    """
    prop = query.timeproperty
    newest_first = query.last_n is not None
    kept: Series = dict(series)
    was_cut = False
    for entity_id in {k[0] for k in series}:
        mine = {k: v for k, v in series.items() if k[0] == entity_id}
        truncated = [v for v in mine.values() if len(v) > limit]
        if not truncated:
            continue
        was_cut = True
        if newest_first:
            edge = max(_stamp(v[-limit], prop) for v in truncated)
            kept.update({k: [i for i in v if _stamp(i, prop) >= edge] for k, v in mine.items()})
        else:
            edge = min(_stamp(v[limit - 1], prop) for v in truncated)
            kept.update({k: [i for i in v if _stamp(i, prop) <= edge] for k, v in mine.items()})
    if not was_cut:
        return series, None
    return kept, cut_of([_stamp(i, prop) for v in kept.values() for i in v], query)


def _stamp(item: dict[str, Any], prop: str) -> datetime:
    return _moment(str(item.get(prop) or item.get("modifiedAt")))


def render_temporal(
    entity: StoredEntity, query: TemporalQuery, ctx: TermContext, series: Series | None = None
) -> dict[str, Any]:
    """One temporal entity in the representation the query asks for (window, lastN applied)."""
    read = query.read
    view = View(form="normalized", sys_attrs=read.sys_attrs, lang=read.lang, datasets=read.datasets)
    out: dict[str, Any] = {}
    omit = set(leaves(read.omit)) if read.omit is not None else set()
    pick = set(read.pick) if read.pick is not None else None
    if "id" not in omit and (pick is None or "id" in pick):
        out["id"] = entity.id
    if "type" not in omit and (pick is None or "type" in pick):
        types = [ctx.compact(t) for t in entity.types]
        out["type"] = types[0] if len(types) == 1 else types
    if entity.scope is not None:
        out["scope"] = entity.scope[0] if len(entity.scope) == 1 else entity.scope
    if read.sys_attrs:
        out["createdAt"], out["modifiedAt"] = entity.created_at, entity.modified_at
    wanted = None if query.attrs is None else {ctx.expand(a) for a in query.attrs}
    if pick is not None:
        wanted = {ctx.expand(n) for n in pick if n not in ("id", "type")}
    dropped = {ctx.expand(n) for n in omit if n not in ("id", "type")}
    for iri, instances in entity.attrs.items():
        if (wanted is not None and iri not in wanted) or iri in dropped:
            continue
        if series is None:
            found = _window(instances, query)
        elif (entity.id, iri) in series:
            found = series[entity.id, iri]
            if not found:
                out[ctx.compact(iri)] = []
                continue
        else:
            continue
        if not found:
            continue
        if view.datasets is not None:
            found = [i for i in found if i.get("datasetId", "@none") in view.datasets]
        if not found:
            continue
        out[ctx.compact(iri)] = _series(found, query, ctx, view)
    return out


def _window(instances: list[dict[str, Any]], query: TemporalQuery) -> list[dict[str, Any]]:
    prop = query.timeproperty
    kept = []
    for item in instances:
        stamp = item.get(prop)
        if stamp is None:
            if query.start is None and query.end is None:
                kept.append(item)
            continue
        at = _moment(stamp)
        if query.start is not None and at < query.start:
            continue
        if query.end is not None and at >= query.end:
            continue
        kept.append(item)
    kept.sort(key=_time_of(prop))
    if query.last_n is not None:
        groups: dict[str | None, list[dict[str, Any]]] = {}
        for item in kept:
            groups.setdefault(item.get("datasetId"), []).append(item)
        kept = [i for g in groups.values() for i in g[-query.last_n :]]
    return kept


def _series(
    series: list[dict[str, Any]], query: TemporalQuery, ctx: TermContext, view: View
) -> Any:
    """One attribute's instances; simplified and aggregated forms get one object per dataset."""
    if query.form == "normalized":
        return [render_instance(i, ctx, view) for i in series]
    datasets: dict[str | None, list[dict[str, Any]]] = {}
    for item in series:
        datasets.setdefault(item.get("datasetId"), []).append(item)
    rendered = [_folded(items, dataset, query) for dataset, items in datasets.items()]
    return rendered[0] if len(rendered) == 1 else rendered


def _folded(items: list[dict[str, Any]], dataset: str | None, query: TemporalQuery) -> Any:
    kind = items[0]["type"]
    member = VALUE_MEMBER[kind]
    prop = query.timeproperty
    out: dict[str, Any] = {"type": kind}
    if dataset is not None:
        out["datasetId"] = dataset
    if query.form == "temporalValues":
        plural = {"value": "values", "object": "objects", "languageMap": "languageMaps"}.get(
            member, member + "s"
        )
        wrapped = kind in ("LanguageProperty", "JsonProperty", "VocabProperty")
        out[plural] = [[{member: i[member]} if wrapped else i[member], i.get(prop)] for i in items]
        return out
    points = [Instance(i[member], _moment(i[prop])) for i in items if prop in i]
    if points:
        out.update(_aggregate(points, query, iso_z))
    return out


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
