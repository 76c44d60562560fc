"""URL parameters of Query Entities and Retrieve Entity, checked into typed requests.

Every problem is a 400 BadRequestData whose detail starts with the parameter's
name. Parameters this simulator does not implement are refused by name rather
than silently ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import orjson
from multidict import MultiMapping

from citysim.jsonld import TermContext
from citysim.ngsi_ld import geo, q
from citysim.ngsi_ld.problems import bad_request, invalid_request
from citysim.ngsi_ld.projection import Tree, parse_projection, projection_depth
from citysim.ngsi_ld.render import Form
from citysim.ngsi_ld.selection import TypeSelection, parse_types

DEFAULT_LIMIT = 20
MAX_LIMIT = 1000

QUERY_PARAMETERS = frozenset(
    {
        "type", "id", "idPattern", "q", "attrs", "georel", "geometry", "coordinates",
        "geoproperty", "limit", "offset", "count", "options", "format", "local",
        "pick", "omit", "lang", "datasetId", "join", "joinLevel", "scopeQ", "orderBy",
        "geometryProperty", "csf", "containedBy", "entityMap", "expandValues", "collect",
    }
)  # fmt: skip
RETRIEVE_PARAMETERS = frozenset(
    {
        "type", "attrs", "options", "format", "local", "pick", "omit", "lang", "datasetId",
        "join", "joinLevel", "geometryProperty", "containedBy", "entityMap", "expandValues",
    }
)  # fmt: skip
JOINS = ("flat", "inline", "@none")
OrderBy = tuple[tuple[tuple[str, ...], bool], ...]
"""``orderBy``: (attribute path, descending) per key, the first key first."""
_PATH_PART = re.compile(r"[A-Za-z_@][\w:#/@-]*")

_FORMATS: Mapping[str, Form] = {
    "normalized": "normalized",
    "concise": "concise",
    "simplified": "simplified",
    "keyValues": "simplified",
}
_OPTIONS: Mapping[str, Form] = {
    "normalized": "normalized",
    "concise": "concise",
    "keyValues": "simplified",
    "simplified": "simplified",
}
FLAG_OPTIONS = frozenset({"sysAttrs"})
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


@dataclass(frozen=True, slots=True)
class EntityQuery:
    """What Query Entities asks; attribute names and ``q`` paths are still terms."""

    types: TypeSelection | None = None
    ids: frozenset[str] | None = None
    id_pattern: re.Pattern[str] | None = None
    attrs: tuple[str, ...] | None = None
    q: q.Node | None = None
    geo: geo.GeoQuery | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    count: bool = False
    form: Form = "normalized"
    read: ReadOptions = field(default_factory=lambda: ReadOptions())


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """The v1.8 read parameters shared by Query and Retrieve Entity (terms not yet expanded)."""

    sys_attrs: bool = False
    pick: Tree | None = None
    omit: Tree | None = None
    lang: str | None = None
    datasets: frozenset[str] | None = None
    join: str | None = None
    join_level: int = 1
    scope_q: str | None = None
    order_by: OrderBy | None = None
    geometry_property: str | None = None


@dataclass(frozen=True, slots=True)
class RetrieveQuery:
    """What Retrieve Entity asks."""

    types: TypeSelection | None = None
    attrs: tuple[str, ...] | None = None
    form: Form = "normalized"
    read: ReadOptions = field(default_factory=lambda: ReadOptions())


def parse_query(params: MultiMapping[str], ctx: TermContext) -> EntityQuery:
    """Query Entities parameters; raises a Problem (400) naming the first bad one."""
    one = _single(params, QUERY_PARAMETERS)
    query = EntityQuery(
        types=_types(one, ctx),
        ids=_ids(one.get("id")),
        id_pattern=_pattern(one.get("idPattern")),
        attrs=_names("attrs", one.get("attrs")),
        q=_q(one.get("q")),
        geo=_geoquery(one),
        limit=_integer("limit", one.get("limit"), DEFAULT_LIMIT, 0, MAX_LIMIT),
        offset=_integer("offset", one.get("offset"), 0, 0, None),
        count=_boolean("count", one.get("count")),
        form=_form(one),
        read=parse_read(one),
    )
    local = _boolean("local", one.get("local"))
    selectors = (query.types, query.attrs, query.q, query.geo)
    if not local and all(s is None for s in selectors):
        raise bad_request(
            "type",
            "at least one of type, attrs, q or georel (or local=true) is needed; "
            "id and idPattern only narrow such a query (GS CIM 009 clause 5.7.2.4)",
        )
    if query.types is not None and query.types.every and one.get("local") == "false":
        raise bad_request(
            "type", "* (every type) asks for local entities; local=false contradicts it"
        )
    for name in query.attrs or ():
        if name in ("id", "type", "@id", "@type"):
            raise bad_request("attrs", f"{name!r} is an entity member, not an attribute")
    if query.limit == 0 and not query.count:
        raise bad_request("limit", "0 is only allowed together with count=true")
    return query


def parse_retrieve(params: MultiMapping[str], ctx: TermContext) -> RetrieveQuery:
    """Retrieve Entity parameters; raises a Problem (400) naming the first bad one."""
    one = _single(params, RETRIEVE_PARAMETERS)
    _boolean("local", one.get("local"))
    return RetrieveQuery(
        _types(one, ctx), _names("attrs", one.get("attrs")), _form(one), parse_read(one)
    )


def parse_read(one: Mapping[str, str]) -> ReadOptions:
    """The v1.8 read parameters (pick/omit, lang, datasetId, join, scopeQ, ...) checked."""
    pick, omit = _projection("pick", one.get("pick")), _projection("omit", one.get("omit"))
    if pick is not None and omit is not None and set(pick) & set(omit):
        raise bad_request("pick", f"names {sorted(set(pick) & set(omit))[0]!r} in omit as well")
    for name, given in (("pick", pick), ("omit", omit)):
        if given is not None and "attrs" in one:
            raise bad_request(name, "cannot be used together with attrs")
    join = one.get("join")
    if join is not None and join not in JOINS:
        raise bad_request("join", f"{join!r} is not one of {', '.join(JOINS)}")
    join_level = _integer("joinLevel", one.get("joinLevel"), 1, 1, 100)
    for name, tree in (("pick", pick), ("omit", omit)):
        depth = projection_depth(tree)
        if depth and join in (None, "@none"):
            raise bad_request(name, "projects linked entities, which needs join=flat or inline")
        if depth > join_level:
            raise bad_request(name, f"reaches {depth} links deep, beyond joinLevel={join_level}")
    datasets = _names("datasetId", one.get("datasetId"))
    for dataset in datasets or ():
        if dataset != "@none" and not _URI.match(dataset):
            raise bad_request("datasetId", f"{dataset!r} is not a URI")
    scope_q = one.get("scopeQ")
    if scope_q is not None and not re.fullmatch(r"[/\w#+;|,()-]+", scope_q):
        raise bad_request("scopeQ", f"{scope_q!r} is not a scope query")
    return ReadOptions(
        sys_attrs="sysAttrs" in one.get("options", "").split(","),
        pick=pick,
        omit=omit,
        lang=one.get("lang"),
        datasets=frozenset(datasets) if datasets is not None else None,
        join=join,
        join_level=join_level,
        scope_q=scope_q,
        order_by=_order_by(one.get("orderBy")),
        geometry_property=one.get("geometryProperty"),
    )


def _single(params: MultiMapping[str], allowed: frozenset[str]) -> dict[str, str]:
    one: dict[str, str] = {}
    for name, value in params.items():
        if name not in allowed:
            raise bad_request(
                name, f"unknown or unsupported parameter (supported: {', '.join(sorted(allowed))})"
            )
        if name in one:
            raise bad_request(name, "given more than once")
        one[name] = value
    return one


def _types(one: Mapping[str, str], ctx: TermContext) -> TypeSelection | None:
    text = one.get("type")
    if text is None:
        return None
    try:
        return parse_types(text, ctx.expand)
    except ValueError as exc:
        raise bad_request("type", str(exc)) from None


def _ids(text: str | None) -> frozenset[str] | None:
    if text is None:
        return None
    ids = text.split(",")
    for entity_id in ids:
        if not _URI.match(entity_id):
            raise bad_request("id", f"{entity_id!r} is not a URI")
    return frozenset(ids)


def _pattern(text: str | None) -> re.Pattern[str] | None:
    if text is None:
        return None
    try:
        return re.compile(text)
    except re.error as exc:
        raise bad_request("idPattern", f"invalid regular expression ({exc})") from None


def _names(parameter: str, text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    names = tuple(text.split(","))
    if not all(names):
        raise bad_request(parameter, f"empty name in {text!r}")
    return names


def _order_by(text: str | None) -> OrderBy | None:
    if text is None:
        return None
    keys = []
    for item in text.split(","):
        name, _, direction = item.partition(";")
        if not name or not all(_PATH_PART.fullmatch(p) for p in name.split(".")):
            raise bad_request("orderBy", f"{item!r} is not an attribute path")
        if direction not in ("", "asc", "desc"):
            raise bad_request("orderBy", f"{direction!r} is neither asc nor desc")
        keys.append((tuple(name.split(".")), direction == "desc"))
    return tuple(keys)


def _projection(parameter: str, text: str | None) -> Tree | None:
    if text is None:
        return None
    try:
        return parse_projection(text)
    except ValueError as exc:
        raise bad_request(parameter, str(exc)) from None


def _q(text: str | None) -> q.Node | None:
    if text is None:
        return None
    try:
        return q.parse(text)
    except q.QSyntaxError as exc:
        raise bad_request("q", str(exc)) from None


def _geoquery(one: Mapping[str, str]) -> geo.GeoQuery | None:
    present = [name for name in ("georel", "geometry", "coordinates") if name in one]
    if not present:
        return None
    for name in ("georel", "geometry", "coordinates"):
        if name not in one:
            raise bad_request(name, f"needed together with {' and '.join(present)}")
    try:
        relation, max_distance, min_distance = geo.parse_georel(one["georel"])
    except ValueError as exc:
        raise bad_request("georel", str(exc)) from None
    try:
        coordinates = orjson.loads(one["coordinates"])
    except orjson.JSONDecodeError:
        raise bad_request("coordinates", f"{one['coordinates']!r} is not a JSON array") from None
    if one["geometry"] not in geo.GEOMETRIES:
        known = ", ".join(geo.GEOMETRIES)
        raise bad_request("geometry", f"unknown geometry {one['geometry']!r} (known: {known})")
    try:
        reference = geo.parse_shape(one["geometry"], coordinates)
    except ValueError as exc:
        raise bad_request("coordinates", str(exc)) from None
    geoproperty = one.get("geoproperty", "location")
    return geo.GeoQuery(relation, reference, max_distance, min_distance, geoproperty)


def _integer(parameter: str, text: str | None, default: int, low: int, high: int | None) -> int:
    if text is None:
        return default
    if not text.isdigit() or not text.isascii():
        raise bad_request(parameter, f"{text!r} is not a non-negative integer")
    value = int(text)
    if value < low or (high is not None and value > high):
        bound = f"{low}..{high}" if high is not None else f">= {low}"
        raise bad_request(parameter, f"{value} is outside {bound}")
    return value


def _boolean(parameter: str, text: str | None) -> bool:
    if text is None or text == "false":
        return False
    if text == "true":
        return True
    raise bad_request(parameter, f"{text!r} is neither true nor false")


def _form(one: Mapping[str, str]) -> Form:
    options = one.get("options")
    chosen: set[Form] = set()
    if options is not None:
        for option in options.split(","):
            if option in FLAG_OPTIONS:
                continue
            if option not in _OPTIONS:
                known = ", ".join(_OPTIONS)
                raise invalid_request(
                    "options", f"unknown or unsupported option {option!r} (supported: {known})"
                )
            chosen.add(_OPTIONS[option])
        if len(chosen) > 1:
            raise bad_request("options", f"{options!r} asks for more than one representation")
    text = one.get("format")
    if text is not None:
        if text not in _FORMATS:
            known = ", ".join(_FORMATS)
            raise invalid_request("format", f"unknown format {text!r} (known: {known})")
        return _FORMATS[text]
    return chosen.pop() if chosen else "normalized"
