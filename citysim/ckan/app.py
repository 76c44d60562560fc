"""CKAN action API routes (``/api/3/action/...``) over the city's catalogue records.

``package_search`` (``q``, ``rows`` 0..1000 default 10, ``start``, ``sort`` of
``title_string asc|desc`` or ``metadata_modified asc|desc``), ``package_show``
(``id``: id or name) and ``package_list``. Answers are CKAN's envelope
``{"help", "success", "result"}``; errors ``{"success": false, "error":
{"__type", "message"}}`` with 404 (Not Found Error) or 409 (Validation Error).
``q`` is ``*:*`` or words that must all occur in title, notes or tags.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from aiohttp import web

from citysim.dcat.records import Record, matches, records
from citysim.municipalities import Municipality

CITY = web.AppKey("ckan_city", Municipality)
SEED = web.AppKey("ckan_seed", int)
MAX_ROWS = 1000
_SORTS = {
    "title_string asc": (lambda r: r.title.casefold(), False),
    "title_string desc": (lambda r: r.title.casefold(), True),
    "metadata_modified asc": (lambda r: (r.modified, r.slug), False),
    "metadata_modified desc": (lambda r: (r.modified, r.slug), True),
}
_FORMATS = {
    "application/json": "JSON",
    "application/ld+json": "JSON-LD",
    "application/geo+json": "GeoJSON",
    "text/csv": "CSV",
}
_PARAMS = {
    "package_search": frozenset({"q", "rows", "start", "sort"}),
    "package_show": frozenset({"id"}),
    "package_list": frozenset({"limit", "offset"}),
}


def mount(app: web.Application, city: Municipality, seed: int = 0) -> None:
    """Add ``/api/3/action/{action}`` to ``app``."""
    app[CITY] = city
    app[SEED] = seed
    app.router.add_get("/api/3/action/{action}", action)


async def action(request: web.Request) -> web.Response:
    """Dispatch one action."""
    name = request.match_info["action"]
    allowed = _PARAMS.get(name)
    if allowed is None:
        return _error(request, 400, "Bad request", f"Action name not known: {name}")
    params = request.rel_url.query
    unknown = sorted(set(params) - allowed)
    if unknown:
        return _error(
            request, 409, "Validation Error", {unknown[0]: ["The input field is not allowed"]}
        )
    city, seed = request.app[CITY], request.app[SEED]
    base = f"{request.url.scheme}://{request.url.host}:{request.url.port}"
    found = records(city, seed)
    try:
        if name == "package_show":
            return _show(request, params, found, city, base)
        if name == "package_list":
            start = _integer(params, "offset", 0, 0, 10**7)
            size = _integer(params, "limit", len(found), 0, 10**7)
            return _ok(request, [_name(city, r) for r in found][start : start + size])
        return _search(request, params, found, city, base)
    except _Invalid as exc:
        return _error(request, 409, "Validation Error", {exc.field: [exc.message]})


def _search(
    request: web.Request,
    params: Mapping[str, str],
    found: tuple[Record, ...],
    city: Municipality,
    base: str,
) -> web.Response:
    rows = _integer(params, "rows", 10, 0, MAX_ROWS)
    start = _integer(params, "start", 0, 0, 10**7)
    q = params.get("q", "").strip()
    search = None if q in ("", "*:*") else q
    hits = [r for r in found if matches(r, search)]
    sort = params.get("sort", "title_string asc")
    if sort not in _SORTS:
        raise _Invalid("sort", f"unsupported sort (supported: {', '.join(_SORTS)})")
    key, reverse = _SORTS[sort]
    hits.sort(key=key, reverse=reverse)
    result = {
        "count": len(hits),
        "sort": sort,
        "facets": {},
        "search_facets": {},
        "results": [package(city, r, base) for r in hits[start : start + rows]],
    }
    return _ok(request, result)


def _show(
    request: web.Request,
    params: Mapping[str, str],
    found: tuple[Record, ...],
    city: Municipality,
    base: str,
) -> web.Response:
    wanted = params.get("id")
    if not wanted:
        raise _Invalid("id", "Missing value")
    for record in found:
        if wanted in (record.uuid(city), _name(city, record)):
            return _ok(request, package(city, record, base))
    return _error(request, 404, "Not Found Error", "Not found")


def package(city: Municipality, record: Record, base: str) -> dict[str, Any]:
    """One record as a CKAN package dict."""
    org = f"{city.id}-kommun"
    resources = [
        {
            "id": f"{record.uuid(city)}-{n}",
            "package_id": record.uuid(city),
            "name": dist.title,
            "url": dist.path if "://" in dist.path else base + dist.path,
            "format": _FORMATS.get(dist.media_type, dist.media_type),
            "mimetype": dist.media_type,
            "position": n,
        }
        for n, dist in enumerate(record.distributions)
    ]
    return {
        "id": record.uuid(city),
        "name": _name(city, record),
        "title": record.title,
        "notes": record.description,
        "type": "dataset",
        "state": "active",
        "private": False,
        "license_id": "cc-zero" if "zero" in record.license else "cc-by",
        "license_url": record.license,
        "metadata_created": f"{record.modified}T08:00:00.000000",
        "metadata_modified": f"{record.modified}T08:00:00.000000",
        "organization": {"name": org, "title": f"{city.name} kommun", "type": "organization"},
        "owner_org": org,
        "tags": [{"name": word, "display_name": word} for word in record.keywords],
        "num_tags": len(record.keywords),
        "resources": resources,
        "num_resources": len(resources),
        "groups": [{"name": record.theme.rsplit("/", 1)[-1].lower()}],
    }


def _name(city: Municipality, record: Record) -> str:
    return f"{city.id}-{record.slug}"


class _Invalid(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _integer(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    text = params.get(name)
    if text is None:
        return default
    if not text.isdigit() or not text.isascii():
        raise _Invalid(name, "Invalid integer")
    value = int(text)
    if not low <= value <= high:
        raise _Invalid(name, f"Must be between {low} and {high}")
    return value


def _help(request: web.Request) -> str:
    name = request.match_info["action"]
    return str(request.url.with_path("/api/3/action/help_show").with_query(name=name))


def _ok(request: web.Request, result: Any) -> web.Response:
    body = {"help": _help(request), "success": True, "result": result}
    return web.Response(body=orjson.dumps(body), content_type="application/json")


def _error(request: web.Request, status: int, kind: str, message: Any) -> web.Response:
    error = (
        {"__type": kind, "message": message}
        if isinstance(message, str)
        else {
            "__type": kind,
            **message,
        }
    )
    body = {"help": _help(request), "success": False, "error": error}
    return web.Response(status=status, body=orjson.dumps(body), content_type="application/json")
