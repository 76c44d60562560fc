"""Writes of the temporal API (GS CIM 009 clauses 6.18.3.1, 6.19.3.2, 6.20, 6.21).

``POST /temporal/entities`` creates a temporal entity (201) or adds instances to an
existing one (204); ``DELETE /temporal/entities/{id}`` removes it;
``POST /temporal/entities/{id}/attrs`` adds instances; ``DELETE
/temporal/entities/{id}/attrs/{attrId}`` removes an attribute's instances.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from citysim.ngsi_ld.ld_history import History
from citysim.ngsi_ld.ld_store import EntityStore, expand_entity, expand_name, is_uri
from citysim.ngsi_ld.payload import read_payload
from citysim.ngsi_ld.problems import bad_request, not_found

TEMPORAL = "/ngsi-ld/v1/temporal/entities"


def add_routes(app: web.Application, store_of: Any) -> None:
    """Register the temporal write routes; ``store_of(request)`` gives (store, history)."""

    def history(request: web.Request) -> History:
        stores: tuple[EntityStore, History] = store_of(request)
        return stores[1]

    async def create(request: web.Request) -> web.Response:
        body, ctx = await read_payload(request)
        entity = expand_entity(body, ctx, temporal=True)
        if history(request).add_temporal(entity):
            return web.Response(status=201, headers={"Location": f"{TEMPORAL}/{entity.id}"})
        return web.Response(status=204)

    async def delete(request: web.Request) -> web.Response:
        entity_id = _entity_id(request)
        if not history(request).remove(entity_id):
            raise not_found(f"temporal entity {entity_id!r} does not exist")
        return web.Response(status=204)

    async def append(request: web.Request) -> web.Response:
        entity_id = _entity_id(request)
        known = history(request).get(entity_id)
        if known is None:
            raise not_found(f"temporal entity {entity_id!r} does not exist")
        body, ctx = await read_payload(request)
        if not isinstance(body, dict):
            raise bad_request("body", "must be a JSON object of attributes")
        entity = expand_entity({**body, "id": entity_id}, ctx, partial=True, temporal=True)
        history(request).add_temporal(entity)
        return web.Response(status=204)

    async def delete_attribute(request: web.Request) -> web.Response:
        from citysim.ngsi_ld.app import negotiate_context

        entity_id = _entity_id(request)
        known = history(request).get(entity_id)
        if known is None:
            raise not_found(f"temporal entity {entity_id!r} does not exist")
        name = request.match_info["attrId"]
        iri = expand_name(name, negotiate_context(request))
        if iri not in known.attrs:
            raise not_found(f"attribute {name!r} has no history in {entity_id!r}")
        query = request.rel_url.query
        if query.get("deleteAll") == "true" or "datasetId" not in query:
            kept = (
                [i for i in known.attrs[iri] if "datasetId" in i]
                if query.get("deleteAll") != "true"
                else []
            )
        else:
            kept = [i for i in known.attrs[iri] if i.get("datasetId") != query["datasetId"]]
        if kept:
            known.attrs[iri] = kept
        else:
            del known.attrs[iri]
        return web.Response(status=204)

    for root in (TEMPORAL, TEMPORAL + "/"):
        app.router.add_post(root, create)
    app.router.add_delete(TEMPORAL + "/{entityId}", delete)
    app.router.add_post(TEMPORAL + "/{entityId}/attrs", append)
    app.router.add_delete(TEMPORAL + "/{entityId}/attrs/{attrId}", delete_attribute)


def _entity_id(request: web.Request) -> str:
    entity_id = request.match_info["entityId"]
    if not is_uri(entity_id):
        raise bad_request("entityId", f"{entity_id!r} is not a URI")
    return entity_id
