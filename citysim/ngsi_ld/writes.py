"""The write operations of the entity API (GS CIM 009 clauses 6.4-6.8, 6.14-6.17, 6.31).

Create, replace, merge and delete an entity; append, update, partial-update and
delete attributes; batch create, upsert, update, merge and delete. Entities are kept
in the broker's ``EntityStore`` (memory, per broker); every write also records the
new attribute instances in the broker's temporal history, as a broker with a
temporal store does. ``options=noOverwrite`` keeps existing attributes on append.
"""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from citysim.jsonld import TermContext
from citysim.ngsi_ld.ld_history import History
from citysim.ngsi_ld.ld_store import (
    EntityStore,
    StoredEntity,
    bad_data,
    expand_attribute,
    expand_entity,
    expand_name,
    is_uri,
    now_iso,
)
from citysim.ngsi_ld.payload import LD_JSON, entity_context, read_payload
from citysim.ngsi_ld.problems import Problem, bad_request, ngsi_problem, not_found

ENTITIES = "/ngsi-ld/v1/entities"
MAX_BATCH = 1000


def add_routes(app: web.Application, store_of: Any) -> None:
    """Register the write routes; ``store_of(request)`` gives (EntityStore, History)."""
    w = _Writes(store_of)
    for path in (ENTITIES, ENTITIES + "/"):
        app.router.add_post(path, w.create)
    one = ENTITIES + "/{entityId}"
    app.router.add_delete(one, w.delete)
    app.router.add_put(one, w.replace)
    app.router.add_patch(one, w.merge)
    app.router.add_post(one + "/attrs", w.append)
    app.router.add_post(one + "/attrs/", w.append)
    app.router.add_patch(one + "/attrs", w.update)
    app.router.add_patch(one + "/attrs/", w.update)
    app.router.add_patch(one + "/attrs/{attrId}", w.partial_update)
    app.router.add_put(one + "/attrs/{attrId}", w.replace_attribute)
    app.router.add_delete(one + "/attrs/{attrId}", w.delete_attribute)
    for operation in ("create", "upsert", "update", "delete", "merge"):
        app.router.add_post(f"/ngsi-ld/v1/entityOperations/{operation}", w.batch(operation))


class _Writes:
    def __init__(self, store_of: Any) -> None:
        self.store_of = store_of

    def _stores(self, request: web.Request) -> tuple[EntityStore, History]:
        stores: tuple[EntityStore, History] = self.store_of(request)
        return stores

    async def _write_to(
        self, request: web.Request
    ) -> tuple[StoredEntity, History, Any, TermContext]:
        """The entity a write names (404 when it does not exist), its history, and the body
        with its context (400 when it does not read)."""
        store, history = self._stores(request)
        entity = _existing(store, request)
        body, ctx = await read_payload(request)
        return entity, history, body, ctx

    async def create(self, request: web.Request) -> web.Response:
        store, history = self._stores(request)
        body, ctx = await read_payload(request)
        entity = expand_entity(body, ctx)
        if store.get(entity.id) is not None:
            raise ngsi_problem(409, "AlreadyExists", f"entity {entity.id!r} already exists")
        store.add(entity)
        history.record(entity)
        return web.Response(status=201, headers={"Location": f"{ENTITIES}/{entity.id}"})

    async def delete(self, request: web.Request) -> web.Response:
        """Delete Entity; its temporal representation goes with it (it was made by writes)."""
        store, history = self._stores(request)
        entity_id = _entity_id(request)
        if not store.remove(entity_id):
            raise not_found(f"entity {entity_id!r} does not exist")
        history.remove(entity_id)
        return web.Response(status=204)

    async def replace(self, request: web.Request) -> web.Response:
        store, history = self._stores(request)
        old = _existing(store, request)
        body, ctx = await read_payload(request)
        if isinstance(body, dict) and body.get("id", old.id) != old.id:
            raise bad_data("id: differs from the entity id in the path")
        new = expand_entity({**body, "id": old.id}, ctx) if isinstance(body, dict) else None
        if new is None:
            raise bad_data("the payload must be a JSON object (an entity)")
        new.created_at = old.created_at
        store.add(new)
        history.record(new)
        return web.Response(status=204)

    async def merge(self, request: web.Request) -> web.Response:
        entity, history, body, ctx = await self._write_to(request)
        _merge_into(entity, body, ctx)
        history.record(entity)
        return web.Response(status=204)

    async def append(self, request: web.Request) -> web.Response:
        entity, history, body, ctx = await self._write_to(request)
        keep = "noOverwrite" in request.rel_url.query.get("options", "").split(",")
        changes = _attributes_of(body, ctx)
        not_updated = []
        at = now_iso()
        for name, iri, items in changes:
            for item in items:
                if keep and entity.instance(iri, item.get("datasetId")) is not None:
                    not_updated.append(name)
                    continue
                entity.put(iri, item, at)
        _touch(entity, body, ctx, at)
        history.record(entity)
        if not_updated:
            return _partial([n for n, _, _ in changes if n not in not_updated], not_updated)
        return web.Response(status=204)

    async def update(self, request: web.Request) -> web.Response:
        entity, history, body, ctx = await self._write_to(request)
        at = now_iso()
        updated, missing = [], []
        for name, iri, items in _attributes_of(body, ctx):
            if iri not in entity.attrs:
                missing.append(name)
                continue
            for item in items:
                entity.put(iri, item, at)
            updated.append(name)
        entity.modified_at = at
        history.record(entity)
        if missing:
            return _partial(updated, missing)
        return web.Response(status=204)

    async def partial_update(self, request: web.Request) -> web.Response:
        entity, history, body, ctx = await self._write_to(request)
        name = request.match_info["attrId"]
        iri = expand_name(name, ctx)
        if not isinstance(body, dict):
            raise bad_data("the payload must be a JSON object (an attribute fragment)")
        dataset = body.get("datasetId")
        current = entity.instance(iri, dataset)
        if current is None:
            raise not_found(f"attribute {name!r} does not exist in entity {entity.id!r}")
        fragment = {k: v for k, v in body.items() if k != "@context"}
        merged = expand_attribute(name, {**current, **fragment}, ctx)[0]
        at = now_iso()
        entity.put(iri, merged, at)
        entity.modified_at = at
        history.record(entity)
        return web.Response(status=204)

    async def replace_attribute(self, request: web.Request) -> web.Response:
        entity, history, body, ctx = await self._write_to(request)
        name = request.match_info["attrId"]
        iri = expand_name(name, ctx)
        if iri not in entity.attrs:
            raise not_found(f"attribute {name!r} does not exist in entity {entity.id!r}")
        fragment = (
            {k: v for k, v in body.items() if k != "@context"} if isinstance(body, dict) else body
        )
        at = now_iso()
        for item in expand_attribute(name, fragment, ctx):
            entity.put(iri, item, at)
        history.record(entity)
        return web.Response(status=204)

    async def delete_attribute(self, request: web.Request) -> web.Response:
        store, _ = self._stores(request)
        entity = _existing(store, request)
        ctx = _link_context(request)
        name = request.match_info["attrId"]
        iri = expand_name(name, ctx)
        query = request.rel_url.query
        instances = entity.attrs.get(iri)
        if not instances:
            raise not_found(f"attribute {name!r} does not exist in entity {entity.id!r}")
        if query.get("deleteAll") == "true":
            del entity.attrs[iri]
        else:
            dataset = query.get("datasetId")
            kept = [i for i in instances if i.get("datasetId") != dataset]
            if len(kept) == len(instances):
                raise not_found(f"attribute {name!r} has no instance with datasetId {dataset!r}")
            if kept:
                entity.attrs[iri] = kept
            else:
                del entity.attrs[iri]
        entity.modified_at = now_iso()
        return web.Response(status=204)

    def batch(self, operation: str) -> Any:
        async def handler(request: web.Request) -> web.Response:
            store, history = self._stores(request)
            body, ctx = await read_payload(request, batch=True)
            if not isinstance(body, list):
                raise bad_data("the payload of a batch operation must be a JSON array")
            if len(body) > MAX_BATCH:
                raise bad_data(f"a batch holds at most {MAX_BATCH} entries")
            ld = request.content_type == LD_JSON
            keep = "noOverwrite" in request.rel_url.query.get("options", "").split(",")
            replace = request.rel_url.query.get("options") == "replace"
            success: list[str] = []
            errors: list[dict[str, Any]] = []
            created = 0
            for item in body:
                try:
                    if operation == "delete":
                        if not is_uri(item):
                            raise bad_data(f"{item!r} is not an entity id")
                        if not store.remove(item):
                            raise not_found(f"entity {item!r} does not exist")
                        history.remove(item)
                        success.append(item)
                        continue
                    own = entity_context(item, ctx, ld)
                    new = expand_entity(item, own)
                    old = store.get(new.id)
                    if operation == "create":
                        if old is not None:
                            raise ngsi_problem(409, "AlreadyExists", f"entity {new.id!r} exists")
                        store.add(new)
                        created += 1
                        target = new
                    elif old is None:
                        if operation != "upsert":
                            raise not_found(f"entity {new.id!r} does not exist")
                        store.add(new)
                        created += 1
                        target = new
                    elif operation == "upsert" and replace:
                        new.created_at = old.created_at
                        store.add(new)
                        target = new
                    else:
                        _merge_entities(old, new, keep=keep)
                        target = old
                    history.record(target)
                    success.append(target.id)
                except Problem as problem:
                    errors.append(_batch_error(item, problem))
            if errors:
                body_out: Any = {"success": success, "errors": errors}
                return web.json_response(body_out, status=207, dumps=_dumps)
            if operation == "create" or (operation == "upsert" and created):
                return web.json_response(success, status=201, dumps=_dumps)
            return web.Response(status=204)

        return handler


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def _batch_error(item: Any, problem: Problem) -> dict[str, Any]:
    entity_id = item.get("id") if isinstance(item, dict) else item
    return {
        "entityId": entity_id if isinstance(entity_id, str) else "",
        "error": {
            "type": problem.error_type,
            "title": problem.title,
            "status": problem.status,
            "detail": problem.detail,
        },
    }


def _entity_id(request: web.Request) -> str:
    entity_id = request.match_info["entityId"]
    if not is_uri(entity_id):
        raise bad_request("entityId", f"{entity_id!r} is not a URI")
    return entity_id


def _existing(store: EntityStore, request: web.Request) -> StoredEntity:
    entity_id = _entity_id(request)
    entity = store.get(entity_id)
    if entity is None:
        raise not_found(f"entity {entity_id!r} does not exist")
    return entity


def _link_context(request: web.Request) -> TermContext:
    from citysim.ngsi_ld.app import negotiate_context

    return negotiate_context(request)


def _attributes_of(body: Any, ctx: TermContext) -> list[tuple[str, str, list[dict[str, Any]]]]:
    if not isinstance(body, dict):
        raise bad_data("the payload must be a JSON object of attributes")
    if body.get("id") is not None and not is_uri(body["id"]):
        raise bad_data(f"id: {body['id']!r} is not a URI")
    return [
        (name, expand_name(name, ctx), expand_attribute(name, raw, ctx))
        for name, raw in body.items()
        if name not in ("id", "type", "@context", "scope")
    ]


def _touch(entity: StoredEntity, body: Any, ctx: TermContext, at: str) -> None:
    if isinstance(body, dict) and "type" in body:
        from citysim.ngsi_ld.ld_store import expand_types

        for iri in expand_types(body["type"], ctx):
            if iri not in entity.types:
                entity.types.append(iri)
    entity.modified_at = at


def _merge_into(entity: StoredEntity, body: Any, ctx: TermContext) -> None:
    if not isinstance(body, dict):
        raise bad_data("the payload must be a JSON object (an entity fragment)")
    if body.get("id", entity.id) != entity.id:
        raise bad_data("id: differs from the entity id in the path")
    patch = expand_entity({**body, "id": entity.id}, ctx, partial=True)
    _merge_entities(entity, patch, keep=False)


def _merge_entities(old: StoredEntity, new: StoredEntity, *, keep: bool) -> None:
    at = now_iso()
    for iri in new.types:
        if iri not in old.types:
            old.types.append(iri)
    for iri, items in new.attrs.items():
        for item in items:
            if keep and old.instance(iri, item.get("datasetId")) is not None:
                continue
            item.pop("createdAt", None)
            old.put(iri, item, at)
    if new.scope is not None:
        old.scope = new.scope
    old.modified_at = at


def _partial(updated: list[str], not_updated: list[str]) -> web.Response:
    body = {
        "updated": updated,
        "notUpdated": [
            {"attributeName": n, "reason": "attribute does not exist or is not to be overwritten"}
            for n in not_updated
        ],
    }
    return web.json_response(body, status=207, dumps=_dumps)
