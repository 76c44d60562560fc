"""Reading the stored entities: one page of a query, one entity, joins (clause 4.5.23).

``join=flat`` adds the entities that Relationships point to (up to ``joinLevel``
hops, or as deep as a nested projection reaches) to the answer; ``join=inline`` puts
each such entity in the Relationship as its ``entity`` member. ``pick`` keeps only the
members named, ``omit`` drops them; ``rel{...}`` projects the entity ``rel`` links to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from citysim.jsonld import TermContext
from citysim.ngsi_ld.ld_query import matching
from citysim.ngsi_ld.ld_render import View, names_of, render_entity
from citysim.ngsi_ld.ld_store import EntityStore, StoredEntity
from citysim.ngsi_ld.params import EntityQuery, ReadOptions
from citysim.ngsi_ld.projection import Tree, leaves
from citysim.ngsi_ld.render import Form

MAX_JOINED = 1000
"""Entities a join adds to one answer at most."""


@dataclass(frozen=True, slots=True)
class Projection:
    """What to keep of one entity: ``pick`` and ``omit`` trees at its level."""

    pick: Tree | None = None
    omit: Tree | None = None

    def linked(self, name: str) -> Projection:
        """The projection of the entity the Relationship ``name`` links to."""
        pick = self.pick.get(name) if self.pick is not None else None
        omit = self.omit.get(name) if self.omit is not None else None
        return Projection(pick, omit)


def view_of(
    form: Form,
    read: ReadOptions,
    attrs: tuple[str, ...] | None,
    ctx: TermContext,
    projection: Projection,
) -> View:
    """The rendering a request asks for, for an entity under ``projection``."""
    omit = set(names_of(leaves(projection.omit), ctx) or ()) if projection.omit else set()
    kept = names_of(attrs, ctx)
    if projection.pick is not None:
        picked = names_of(projection.pick.keys(), ctx) or frozenset()
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
    if query.read.pick is not None:
        picked = names_of(query.read.pick.keys(), ctx) or frozenset()
        found = [e for e in found if picked & {"id", "type", *e.attrs}]
    page = found[skip : skip + room]
    return render_all(store, page, query.read, query.form, query.attrs, ctx), len(found)


def render_all(
    store: EntityStore,
    entities: list[StoredEntity],
    read: ReadOptions,
    form: Form,
    attrs: tuple[str, ...] | None,
    ctx: TermContext,
) -> list[dict[str, Any]]:
    """``entities`` rendered, with the entities they link to when a join is asked for."""
    top = Projection(read.pick, read.omit)
    view = view_of(form, read, attrs, ctx, top)
    body = [render_entity(e, ctx, view) for e in entities]
    if read.join not in ("flat", "inline"):
        return body
    levels = read.join_level
    joiner = _Joiner(store, read, form, ctx)
    if read.join == "inline":
        for entity, out in zip(entities, body, strict=True):
            joiner.inline(entity, out, top, levels)
        return body
    return body + joiner.flat(list(zip(entities, body, strict=True)), top, levels)


class _Joiner:
    def __init__(self, store: EntityStore, read: ReadOptions, form: Form, ctx: TermContext):
        self.store, self.read, self.form, self.ctx = store, read, form, ctx

    def _links(self, entity: StoredEntity) -> list[tuple[str, dict[str, Any], StoredEntity]]:
        found = []
        for iri, instances in entity.attrs.items():
            for item in instances:
                objects = item.get("object", item.get("objectList"))
                if item.get("type") not in ("Relationship", "ListRelationship"):
                    continue
                for target_id in objects if isinstance(objects, list) else [objects]:
                    target = self.store.get(target_id) if isinstance(target_id, str) else None
                    if target is not None:
                        found.append((iri, item, target))
        return found

    def _render(self, entity: StoredEntity, projection: Projection) -> dict[str, Any]:
        view = view_of(self.form, self.read, None, self.ctx, projection)
        return render_entity(entity, self.ctx, view)

    def inline(
        self, entity: StoredEntity, out: dict[str, Any], projection: Projection, levels: int
    ) -> None:
        if levels <= 0:
            return
        for iri, _, target in self._links(entity):
            name = self.ctx.compact(iri)
            member = out.get(name)
            if member is None:
                continue
            linked = projection.linked(name)
            nested = self._render(target, linked)
            self.inline(target, nested, linked, levels - 1)
            if isinstance(member, dict):
                member["entity"] = nested
            elif self.form == "simplified":
                out[name] = nested

    def flat(
        self,
        entities: list[tuple[StoredEntity, dict[str, Any]]],
        projection: Projection,
        levels: int,
    ) -> list[dict[str, Any]]:
        """The linked entities, each once; only Relationships kept in the output are followed."""
        seen = {e.id for e, _ in entities}
        frontier = [(e, out, projection) for e, out in entities]
        extra: list[dict[str, Any]] = []
        for _ in range(levels):
            following = []
            for entity, out, current in frontier:
                for iri, _, target in self._links(entity):
                    name = self.ctx.compact(iri)
                    if name not in out or target.id in seen or len(seen) >= MAX_JOINED:
                        continue
                    seen.add(target.id)
                    linked = current.linked(name)
                    rendered = self._render(target, linked)
                    following.append((target, rendered, linked))
                    extra.append(rendered)
            frontier = following
        return extra
