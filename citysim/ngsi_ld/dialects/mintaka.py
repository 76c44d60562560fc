"""Mintaka (FIWARE/mintaka), the temporal API beside Orion-LD: its own paging.

Source: Mintaka's README, "API-Remarks / Pagination":
- entities of a temporal query are paged with ``pageSize`` (default 100) and
  ``pageAnchor``; the anchor of the next page comes in the ``Next-Page`` header (absent
  on the last page), of the previous one in ``Previous-Page``, the size in
  ``Page-Size``; ``offset`` and ``count=true`` are not read (no ``Link`` paging);
- the number of matches is given only for ``options=count`` (``NGSILD-Results-Count``);
- instances are capped per answer: 206 Partial Content with ``Content-Range``
  (citysim: ``Broker.temporal_limit``).
citysim's anchors are opaque tokens for a position (Mintaka's are entity ids): clients
pass them back unchanged either way. The entity API of a Mintaka city is Orion-LD's.
"""

from __future__ import annotations

from aiohttp import web
from multidict import CIMultiDict

from citysim.ngsi_ld.dialects import Rules, is_query, with_query
from citysim.ngsi_ld.problems import bad_request

DEFAULT_PAGE_SIZE = 100
ANCHOR_PREFIX = "citysim-page-"
COUNT = "NGSILD-Results-Count"
ASKED = web.RequestKey("citysim.mintaka-page", tuple[int, int, bool])
"""The page a Mintaka-style query asked for: (offset, page size, counted)."""


def _before(request: web.Request) -> web.Request:
    if not is_query(request, temporal=True):
        return request
    query = dict(request.rel_url.query)
    for ignored in ("offset", "count", "limit"):
        query.pop(ignored, None)
    size = query.pop("pageSize", str(DEFAULT_PAGE_SIZE))
    if not size.isdigit() or int(size) < 1:
        raise bad_request("pageSize", f"{size!r} is not a positive integer")
    query["limit"] = size
    anchor = query.pop("pageAnchor", None)
    if anchor is not None:
        position = anchor.removeprefix(ANCHOR_PREFIX)
        if not anchor.startswith(ANCHOR_PREFIX) or not position.isdigit():
            raise bad_request("pageAnchor", f"{anchor!r} is not an anchor this broker gave")
        query["offset"] = position
    options = [o for o in query.pop("options", "").split(",") if o]
    if "count" in options:
        query["count"] = "true"
        options.remove("count")
    if options:
        query["options"] = ",".join(options)
    changed = with_query(request, query)
    changed[ASKED] = (int(query.get("offset", "0")), int(size), "count" in query)
    return changed


def _after(request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
    asked = request.get(ASKED)
    if asked is None or response.status >= 400:
        return response
    offset, size, counted = asked
    headers: CIMultiDict[str] = CIMultiDict()
    for value in response.headers.getall("Link", []):
        if 'rel="next"' in value:
            headers["Next-Page"] = f"{ANCHOR_PREFIX}{offset + size}"
        elif 'rel="prev"' in value:
            headers["Previous-Page"] = f"{ANCHOR_PREFIX}{max(0, offset - size)}"
        else:
            headers.add("Link", value)
    if offset > 0 and "Previous-Page" not in headers:
        headers["Previous-Page"] = f"{ANCHOR_PREFIX}{max(0, offset - size)}"
    response.headers.popall("Link", None)
    for name, value in headers.items():
        response.headers.add(name, value)
    response.headers["Page-Size"] = str(size)
    if not counted:
        response.headers.pop(COUNT, None)
    return response


RULES = Rules(before=_before, after=_after)
