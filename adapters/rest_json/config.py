"""The ``adapter`` section of a rest-json city, validated into a typed ``RestJsonConfig``.

::

    adapter:
      kind: rest-json
      url: https://data.example.se            # paths are joined to it
      headers: {X-Trace: demo}                # extra headers; values never echoed
      credentials:                            # optional: see adapters.credentials
        api_key: {header: X-API-Key, value: "${EXAMPLE_KEY}"}
      page_size: 100                          # 1..1000
      accept: application/json                # or application/geo+json (items are Features)
      paging: {style: offset, limit: limit, offset: offset}
      #       {style: page, page: page, size: pageSize, first: 1}
      #       {style: link, size: limit}            RFC 8288 Link rel="next"
      #       {style: next, next: links.next, size: limit}   next URL in the body
      #       {style: none}
      types:
        WeatherObserved:
          path: /api/weather                  # a template: {type} and {vars.*}
          items: data                         # where the array is ($: the body)
          total: meta.total                   # optional
          query: {observed_after: from, observed_before: to, bbox: bbox}
          params: {lang: sv}                  # sent with every request
          where_params:                       # optional: conditions the API can filter on
            temperature: {gt: temp_gt, lte: temp_lte, in: temp_in}   # op -> parameter
          id: "urn:ngsi-ld:WeatherObserved:{id}"
          location: location                  # GeoJSON; or {lat: <expr>, lon: <expr>}
          observed_at: dateObserved
          attributes:
            temperature: temperature
            relativeHumidity: humidity | scale(0.01)
      vars: {city: malmo}

Every expression is compiled here (see ``expressions.py``); every problem is a
``ConfigError`` naming the key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Literal

from yarl import URL

from adapters.contract import Comparison
from adapters.credentials import CredentialsConfig, parse_credentials
from adapters.errors import ConfigError
from adapters.rest_json.expressions import (
    Expression,
    ExpressionError,
    Field,
    compile_expression,
    compile_field,
)

PagingStyle = Literal["offset", "page", "link", "next", "none"]
STYLES: tuple[PagingStyle, ...] = ("offset", "page", "link", "next", "none")
ACCEPTS = ("application/json", "application/geo+json")
QUERY_KEYS = ("observed_after", "observed_before", "bbox")
_TOP = ("url", "headers", "page_size", "accept", "paging", "types", "vars", "credentials")
_TYPE = (
    "path",
    "items",
    "total",
    "query",
    "params",
    "where_params",
    "id",
    "location",
    "observed_at",
    "attributes",
)
WHERE_OPS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "contains")
"""Comparisons ``where_params`` may map (``Comparison`` values); ``in`` is sent comma-joined."""
_PAGING: Mapping[str, Mapping[str, str | int]] = {
    "offset": {"limit": "limit", "offset": "offset"},
    "page": {"page": "page", "size": "pageSize", "first": 1},
    "link": {"size": "limit"},
    "next": {"size": "limit", "next": "links.next"},
    "none": {},
}
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_RESERVED = frozenset({"accept", "user-agent", "host", "content-length", "content-type"})
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class Paging:
    """How the API pages; ``params`` are the parameter names (and ``first`` page number)."""

    style: PagingStyle
    params: Mapping[str, str | int]
    next: Expression | None = None
    """``next`` style: where the next URL is in the body."""


@dataclass(frozen=True, slots=True)
class Location:
    """A GeoJSON geometry expression, or latitude and longitude expressions."""

    geometry: Field | None = None
    lat: Field | None = None
    lon: Field | None = None


@dataclass(frozen=True, slots=True)
class TypeMapping:
    """How one entity type is asked for and read."""

    path: str
    items: Expression
    id: Field
    attributes: Mapping[str, Field]
    total: Expression | None = None
    query: Mapping[str, str] = field(default_factory=dict)
    """SourceQuery member (observed_after, observed_before, bbox) -> parameter name."""
    params: Mapping[str, str] = field(default_factory=dict)
    where_params: Mapping[str, Mapping[Comparison, str]] = field(default_factory=dict)
    """Attribute -> comparison -> the parameter by which the API keeps (at least) the
    items whose field compares so (ADR 0018)."""
    location: Location | None = None
    observed_at: Field | None = None


@dataclass(frozen=True, slots=True)
class RestJsonConfig:
    """One city's bespoke JSON API and how to read it."""

    url: URL
    types: Mapping[str, TypeMapping]
    paging: Paging
    page_size: int = 100
    accept: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    vars: Mapping[str, str] = field(default_factory=dict)
    credentials: CredentialsConfig | None = None
    """OAuth 2.0 client credentials or an API key; secrets show as ``***`` in ``repr``."""

    @property
    def parameters(self) -> frozenset[str]:
        """Every query parameter the adapter itself sends."""
        names = {str(v) for k, v in self.paging.params.items() if k != "first"}
        for mapping in self.types.values():
            names.update(mapping.params, mapping.query.values())
            names.update(p for ops in mapping.where_params.values() for p in ops.values())
        return frozenset(names)


def validate_config(config: Mapping[str, Any]) -> RestJsonConfig:
    """Check the adapter section (without ``kind``) and return it typed."""
    if not isinstance(config, Mapping):
        raise ConfigError("", "the adapter section must be a mapping")
    _keys("", config, (*_TOP, "kind"), _TOP)
    if config.get("kind", "rest-json") != "rest-json":
        raise ConfigError("kind", "must be 'rest-json' for this adapter")
    for required in ("url", "types"):
        if required not in config:
            raise ConfigError(required, "is required")
    variables = _strings("vars", config.get("vars", {}))
    page_size = config.get("page_size", 100)
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= 1000:
        raise ConfigError("page_size", "must be an integer from 1 to 1000")
    accept = config.get("accept", ACCEPTS[0])
    if accept not in ACCEPTS:
        raise ConfigError("accept", f"must be one of: {', '.join(ACCEPTS)}")
    parsed = RestJsonConfig(
        url=_url(config["url"]),
        types=_types(config["types"], variables),
        paging=_paging(config.get("paging", {"style": "none"})),
        page_size=page_size,
        accept=accept,
        headers=_headers(config.get("headers", {})),
        vars=variables,
    )
    if config.get("credentials") is None:
        return parsed
    return replace(parsed, credentials=_credentials(config["credentials"], parsed))


def _credentials(value: object, parsed: RestJsonConfig) -> CredentialsConfig:
    credentials = parse_credentials(
        value, origins=(parsed.url,), headers=(*parsed.headers, *_RESERVED)
    )
    key = credentials.api_key
    if key is not None and key.query is not None and key.query in parsed.parameters:
        raise ConfigError(
            "credentials.api_key.query", f"{key.query!r} is a parameter the adapter sends already"
        )
    return credentials


def _keys(
    prefix: str, section: Mapping[Any, Any], accepted: tuple[str, ...], listed: tuple[str, ...]
) -> None:
    unknown = sorted(str(k) for k in section if k not in accepted)
    if unknown:
        raise ConfigError(
            prefix + unknown[0], f"unknown key; allowed keys are: {', '.join(listed)}"
        )


def _url(value: object) -> URL:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError("url", "must be an http(s) URL string")
    try:
        url = URL(value.strip())
    except ValueError:
        raise ConfigError("url", "is not a valid URL") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigError("url", "must be an absolute http:// or https:// URL with a host")
    if url.user is not None or url.password is not None:
        raise ConfigError("url", "must not contain credentials; put them in 'headers'")
    if url.query_string or url.fragment:
        raise ConfigError("url", "must not have a query or fragment; use 'params'")
    return url


def _paging(value: object) -> Paging:
    if not isinstance(value, Mapping):
        raise ConfigError("paging", "must be a mapping such as {style: offset}")
    style = value.get("style")
    if style not in STYLES:
        raise ConfigError("paging.style", f"must be one of: {', '.join(STYLES)}")
    defaults = _PAGING[style]
    _keys("paging.", value, ("style", *defaults), ("style", *defaults))
    params: dict[str, str | int] = dict(defaults)
    for name, default in defaults.items():
        given = value.get(name, default)
        if name == "first":
            if isinstance(given, bool) or not isinstance(given, int) or given < 0:
                raise ConfigError("paging.first", "must be the number of the first page (0 or 1)")
        elif not isinstance(given, str) or not given:
            raise ConfigError(f"paging.{name}", "must be a parameter name (a non-empty string)")
        params[name] = given
    next_expr = None
    if style == "next":
        next_expr = _expression("paging.next", str(params.pop("next")))
    return Paging(style, MappingProxyType(params), next_expr)


def _types(value: object, variables: Mapping[str, str]) -> Mapping[str, TypeMapping]:
    if not isinstance(value, Mapping) or not value:
        raise ConfigError("types", "must map at least one entity type to its mapping")
    types: dict[str, TypeMapping] = {}
    for name, section in value.items():
        if not isinstance(name, str) or not _NAME.match(name):
            raise ConfigError("types", f"{name!r} is not an entity type name")
        types[name] = _type(f"types.{name}.", name, section, variables)
    return MappingProxyType(types)


def _type(prefix: str, name: str, section: object, variables: Mapping[str, str]) -> TypeMapping:
    if not isinstance(section, Mapping):
        raise ConfigError(
            prefix.rstrip("."), "must be a mapping of path, items, id, attributes, ..."
        )
    _keys(prefix, section, _TYPE, _TYPE)
    for required in ("path", "id", "attributes"):
        if required not in section:
            raise ConfigError(prefix + required, "is required")
    query = _strings(prefix + "query", section.get("query", {}))
    for key in query:
        if key not in QUERY_KEYS:
            raise ConfigError(f"{prefix}query.{key}", f"unknown; allowed: {', '.join(QUERY_KEYS)}")
    attributes = section["attributes"]
    if not isinstance(attributes, Mapping) or not attributes:
        raise ConfigError(prefix + "attributes", "must map attribute names to expressions")
    fields = MappingProxyType(
        {str(k): _field(f"{prefix}attributes.{k}", v) for k, v in attributes.items()}
    )
    return TypeMapping(
        path=_path(prefix + "path", section["path"], name, variables),
        items=_expression(prefix + "items", section.get("items", "$")),
        id=_field(prefix + "id", section["id"]),
        attributes=fields,
        where_params=_where_params(
            prefix + "where_params", section.get("where_params", {}), fields
        ),
        total=_expression(prefix + "total", section["total"]) if "total" in section else None,
        query=query,
        params=_strings(prefix + "params", section.get("params", {})),
        location=_location(prefix + "location", section.get("location")),
        observed_at=_field(prefix + "observed_at", section["observed_at"])
        if "observed_at" in section
        else None,
    )


def _where_params(
    key: str, value: object, fields: Mapping[str, Field]
) -> Mapping[str, Mapping[Comparison, str]]:
    """``where_params``: only on attributes read as they are (a value in the model's units
    and names is what the parameter gets; a computed one would need converting back)."""
    if not isinstance(value, Mapping):
        raise ConfigError(key, "must map attribute names to {comparison: parameter}")
    checked: dict[str, Mapping[Comparison, str]] = {}
    for attribute, ops in value.items():
        here = f"{key}.{attribute}"
        expression = fields.get(str(attribute))
        if expression is None:
            raise ConfigError(here, "is not one of the type's attributes")
        if not isinstance(expression, Expression) or "|" in expression.source:
            raise ConfigError(
                here,
                f"the attribute is computed ({expression.source!r}); a parameter would get "
                "the value in the model's units, not the API's",
            )
        names = _strings(here, ops)
        for op in names:
            if op not in WHERE_OPS:
                raise ConfigError(f"{here}.{op}", f"unknown; allowed: {', '.join(WHERE_OPS)}")
        checked[str(attribute)] = MappingProxyType(
            {Comparison(op): param for op, param in names.items()}
        )
    return MappingProxyType(checked)


def _path(key: str, value: object, type_name: str, variables: Mapping[str, str]) -> str:
    if not isinstance(value, str) or not value.startswith("/"):
        raise ConfigError(key, "must be a path starting with '/'")
    values = {"type": type_name, **{f"vars.{k}": v for k, v in variables.items()}}

    def fill(match: re.Match[str]) -> str:
        name = match[1].strip()
        if name not in values:
            raise ConfigError(key, f"unknown placeholder {{{name}}} (known: {', '.join(values)})")
        return values[name]

    path = re.sub(r"\{([^{}]*)\}", fill, value)
    if "{" in path or "}" in path or "?" in path or "#" in path:
        raise ConfigError(key, "must be a path without query, fragment or stray braces")
    return path


def _location(key: str, value: object) -> Location | None:
    if value is None:
        return None
    if isinstance(value, str):
        return Location(geometry=_field(key, value))
    if isinstance(value, Mapping) and set(value) == {"lat", "lon"}:
        return Location(
            lat=_field(f"{key}.lat", value["lat"]), lon=_field(f"{key}.lon", value["lon"])
        )
    raise ConfigError(key, "must be an expression of a GeoJSON geometry, or {lat: ..., lon: ...}")


def _expression(key: str, value: object) -> Expression:
    if not isinstance(value, str):
        raise ConfigError(key, "must be an expression (a string)")
    try:
        return compile_expression(value)
    except ExpressionError as exc:
        raise ConfigError(key, str(exc)) from None


def _field(key: str, value: object) -> Field:
    if not isinstance(value, str):
        raise ConfigError(key, "must be an expression or template (a string)")
    try:
        return compile_field(value)
    except ExpressionError as exc:
        raise ConfigError(key, str(exc)) from None


def _strings(key: str, value: object) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise ConfigError(key, "must be a mapping of names to strings")
    for name, text in value.items():
        if not isinstance(name, str) or not isinstance(text, str):
            raise ConfigError(f"{key}.{name}", "must be a string")
    return MappingProxyType(dict(value))


def _headers(value: object) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise ConfigError("headers", "must be a mapping of header names to string values")
    checked: dict[str, str] = {}
    for name, val in value.items():
        if not isinstance(name, str) or not _TOKEN.match(name):
            raise ConfigError("headers", f"{name!r} is not a valid header name")
        if name.lower() in _RESERVED:
            raise ConfigError(f"headers.{name}", "is set by the adapter itself")
        if not isinstance(val, str) or any(c in val for c in "\r\n\0"):
            raise ConfigError(f"headers.{name}", "must be a string without line breaks")
        checked[name] = val
    return MappingProxyType(checked)
