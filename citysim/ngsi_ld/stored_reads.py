"""Reading the stored entities: one page of a query, one entity, joins (clause 4.5.23).

``join=flat`` adds the entities that Relationships point to (up to ``joinLevel``
hops) to the answer; ``join=inline`` puts each such entity in the Relationship as
its ``entity`` member. ``pick`` keeps only the members named, ``omit`` drops them.
"""

from __future__ import annotations

from typing import Any

from citysim.jsonld import TermContext
from citysim.ngsi_ld.ld_query import matching
from citysim.ngsi_ld.ld_render import View, names_of, render_entity
from citysim.ngsi_ld.ld_store import EntityStore, StoredEntity
from citysim.ngsi_ld.params import EntityQuery, ReadOptions
from citysim.ngsi_ld.render import Form

MAX_JOINED = 1000
"""Entities a join adds to one answer at most."""


def view_of(read: ReadOptions, form: Form, attrs: tuple[str, ...] | None, ctx: TermContext) -> View:
    """The rendering a request asks for."""
    omit = set(names_of(read.omit, ctx) or ())
    kept = names_of(attrs, ctx)
    if read.pick is not None:
        picked = names_of(read.pick, ctx) or frozenset()
        omit |= {m for m in ("id", "type") if m not in picked}
        kept = frozenset(picked - {"id", "type"})
    return View(
        form=form,
        sys_attrs=read.sys_attrs,
        lang=read.lang,
        datasets=read.datasets,
        attrs=kept,
        omit=frozenset(omit),
    )


def query_page(
    store: EntityStore, query: EntityQuery, ctx: TermContext, skip: int, room: int
) -> tuple[list[dict[str, Any]], int]:
    """The rendered entities of one page of ``query`` over ``store``, and how many match."""
    found = matching(store, query, ctx)
    view = view_of(query.read, query.form, query.attrs, ctx)
    page = found[skip : skip + room]
    body = [render_entity(e, ctx, view) for e in page]
    if query.read.join in ("flat", "inline"):
        body = join(store, page, body, query.read, ctx, view)
    return body, len(found)


def render_one(
    store: EntityStore,
    entity: StoredEntity,
    read: ReadOptions,
    form: Form,
    attrs: tuple[str, ...] | None,
    ctx: TermContext,
) -> dict[str, Any]:
    """One stored entity as Retrieve Entity answers it (joins applied)."""
    view = view_of(read, form, attrs, ctx)
    body = render_entity(entity, ctx, view)
    if read.join in ("flat", "inline"):
        joined = join(store, [entity], [body], read, ctx, view)
        return joined[0]
    return body


def join(
    store: EntityStore,
    entities: list[StoredEntity],
    body: list[dict[str, Any]],
    read: ReadOptions,
    ctx: TermContext,
    view: View,
) -> list[dict[str, Any]]:
    """``body`` with the entities its Relationships point to, flat or inline."""
    whole = View(form=view.form, sys_attrs=view.sys_attrs, lang=view.lang)
    if read.join == "flat":
        seen = {e.id for e in entities}
        frontier = list(entities)
        extra: list[dict[str, Any]] = []
        for _ in range(read.join_level):
            following = []
            for entity in frontier:
                for target_id in _objects(entity):
                    target = store.get(target_id)
                    if target is None or target_id in seen or len(seen) >= MAX_JOINED:
                        continue
                    seen.add(target_id)
                    following.append(target)
                    extra.append(render_entity(target, ctx, whole))
            frontier = following
        return body + extra
    return [
        _inline(store, e, b, read.join_level, ctx, whole)
        for e, b in zip(entities, body, strict=True)
    ]


def _objects(entity: StoredEntity) -> list[str]:
    found: list[str] = []
    for instances in entity.attrs.values():
        for item in instances:
            if item.get("type") in ("Relationship", "ListRelationship"):
                value = item.get("object", item.get("objectList"))
                found.extend(
                    v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)
                )
    return found


def _inline(
    store: EntityStore,
    entity: StoredEntity,
    body: dict[str, Any],
    level: int,
    ctx: TermContext,
    view: View,
) -> dict[str, Any]:
    if level <= 0:
        return body
    for iri, instances in entity.attrs.items():
        name = ctx.compact(iri)
        if name not in body:
            continue
        rendered = body[name] if isinstance(body[name], list) else [body[name]]
        for item, out in zip(instances, rendered, strict=False):
            if item.get("type") != "Relationship" or not isinstance(out, dict):
                continue
            target = store.get(item["object"]) if isinstance(item["object"], str) else None
            if target is not None:
                nested = render_entity(target, ctx, view)
                out["entity"] = _inline(store, target, nested, level - 1, ctx, view)
    return body
