"""diwise's context broker (diwise/context-broker), as it answers queries.

Source: ``internal/pkg/presentation/api/ngsi-ld/entities.go`` (NewQueryEntitiesHandler)
and ``temporal.go``:
- a query needs one of ``type``, ``attrs``, ``q`` or ``georel``; ``id`` alone is
  refused with 400 BadRequestData ("at least one among type, attrs, q, or georel must be
  present in a request for entities");
- ``options`` counts only when it holds ``keyValues``: ``keyValues`` alone selects the
  simplified form, ``keyValues`` with anything else is refused ("no options besides
  keyValues are supported"), any other value is ignored; ``format`` is never read;
- no ``Link`` paging header is written (a TODO in the handler); the temporal handler
  reads ``attributes`` (not ``attrs``) and sends neither ``NGSILD-Results-Count`` nor
  ``Link`` paging;
- a query its authorisation refuses is answered 404 (``protected`` types without an
  ``Authorization`` header), like a missing resource.
"""

from __future__ import annotations

from aiohttp import web

from citysim.ngsi_ld.dialects import Rules, is_query, is_temporal, with_query
from citysim.ngsi_ld.problems import bad_request, ngsi_problem

SELECTORS = ("type", "attrs", "q", "georel")


def _before(request: web.Request) -> web.Request:
    if request.method != "GET" or not request.path.startswith("/ngsi-ld/"):
        return request
    query = dict(request.rel_url.query)
    query.pop("format", None)
    if is_query(request, temporal=True):
        query.pop("attrs", None)
        if "attributes" in query:
            query["attrs"] = query.pop("attributes")
    if is_query(request, temporal=False) and not any(query.get(s) for s in SELECTORS):
        raise ngsi_problem(
            400,
            "BadRequestData",
            "at least one among type, attrs, q, or georel must be present in a request for "
            "entities",
        )
    options = query.pop("options", None)
    if options is not None and "keyValues" in options:
        if options != "keyValues":
            raise bad_request("options", "no options besides keyValues are supported")
        query["options"] = "keyValues"
    return with_query(request, query)


def _after(request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
    if response.status >= 400 or not request.path.startswith("/ngsi-ld/"):
        return response
    links = [v for v in response.headers.getall("Link", []) if 'rel="next"' not in v]
    links = [v for v in links if 'rel="prev"' not in v]
    response.headers.popall("Link", None)
    for value in links:
        response.headers.add("Link", value)
    if is_temporal(request):
        response.headers.pop("NGSILD-Results-Count", None)
    return response


RULES = Rules(before=_before, after=_after)
