"""``RestJsonAdapter``: a city's bespoke JSON API, read through a declarative mapping."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from adapters.contract import (
    AdapterContext,
    BBox,
    Capabilities,
    SourceEntity,
    SourceQuery,
    SourceResult,
)
from adapters.credentials import credentials_for
from adapters.discovery import DiscoveryQuery, DiscoveryResult
from adapters.errors import UnsupportedQuery, UpstreamProtocolError
from adapters.rest_json.config import RestJsonConfig, TypeMapping, validate_config
from adapters.rest_json.discovery import discover as discover_types
from adapters.rest_json.mapping import to_source_entity
from adapters.rest_json.paging import first_params, next_url
from adapters.sdk.client import PlatformClient
from adapters.sdk.conditions import all_hold, kind_of, plain_number
from adapters.sdk.fetch import JsonAnswer
from adapters.sdk.local import project

PEER = "the API"

MAX_PAGES = 10_000
"""A guard against an API whose next links never end."""


class RestJsonAdapter:
    """Pages through one resource per entity type and maps each item (``kind: rest-json``)."""

    kind: ClassVar[str] = "rest-json"

    def __init__(self, config: Mapping[str, Any], context: AdapterContext) -> None:
        self.config: RestJsonConfig = validate_config(config)
        self._client = PlatformClient(
            context,
            self.config.url,
            headers={"Accept": self.config.accept, **self.config.headers},
            secrets=self.config.headers.values(),
            peer=PEER,
            credentials=credentials_for(self.config.credentials, context, (self.config.url,)),
        )
        filters = {"attrs"}
        for mapping in self.config.types.values():
            if {"observed_after", "observed_before"} & set(mapping.query):
                filters.add("time")
            if "bbox" in mapping.query:
                filters.add("within")
            if mapping.where_params:
                filters.add("where")
        self._capabilities = Capabilities(
            filters=frozenset(filters),
            paging=self.config.paging.style != "none",
            entity_types=frozenset(self.config.types),
        )

    @classmethod
    def validate_config(cls, config: Mapping[str, Any]) -> RestJsonConfig:
        """Check an adapter section; raise ``ConfigError`` naming the key."""
        return validate_config(config)

    @property
    def capabilities(self) -> Capabilities:
        """attrs, and time/within/where where a type maps them to parameters; paging unless
        none. ``where`` conditions without a parameter are applied here."""
        return self._capabilities

    async def fetch_entities(self, query: SourceQuery) -> SourceResult:
        """Follow the API's paging until ``query.limit`` entities or the end."""
        if query.limit < 0 or query.offset < 0:
            raise UnsupportedQuery("limit and offset must not be negative")
        mapping = self.config.types.get(query.entity_type)
        if mapping is None:
            known = ", ".join(sorted(self.config.types))
            raise UnsupportedQuery(f"no mapping for type {query.entity_type!r} (mapped: {known})")
        size = self.config.page_size
        local = bool(query.where)  # counted here: the API may filter on some conditions only
        api_offset = 0 if local else query.offset
        skip = query.offset if self.config.paging.style != "offset" or local else 0
        url = self.config.url.with_path(self.config.url.path.rstrip("/") + mapping.path)
        url = url.with_query(
            {
                **mapping.params,
                **_pushed(query, mapping),
                **first_params(self.config.paging, size, api_offset),
            }
        )
        wanted = frozenset(query.attrs) if query.attrs is not None else None
        tested = frozenset(c.attribute for c in query.where)
        entities: list[SourceEntity] = []
        seen = api_offset if self.config.paging.style == "offset" else 0
        total: int | None = None
        for _ in range(MAX_PAGES):
            page = await self._client.get_json(url)
            items = _items(page, mapping)
            total = _total(page, mapping) if mapping.total is not None and not local else total
            seen += len(items)
            for index, item in enumerate(items):
                if local:
                    entity = to_source_entity(
                        item, query.entity_type, mapping, index=index,
                        wanted=wanted | tested if wanted is not None else None,
                    )  # fmt: skip
                    if not all_hold(query.where, entity.attributes):
                        continue
                    if wanted is not None:
                        entity = replace(entity, attributes=project(entity.attributes, query.attrs))
                if skip > 0:
                    skip -= 1
                    continue
                if len(entities) >= query.limit:
                    return SourceResult(entities, total_count=total, truncated=True)
                if not local:
                    entity = to_source_entity(
                        item, query.entity_type, mapping, index=index, wanted=wanted
                    )
                entities.append(entity)
            following = next_url(
                self.config.paging,
                url,
                page,
                count=len(items),
                size=size,
                seen=seen,
                total=total,
                origin=self.config.url,
            )
            if following is None:
                return SourceResult(entities, total_count=total, truncated=False)
            if len(entities) >= query.limit:
                return SourceResult(entities, total_count=total, truncated=True)
            url = following
        raise UpstreamProtocolError(f"the API's paging did not end within {MAX_PAGES} pages")

    async def discover(self, query: DiscoveryQuery) -> DiscoveryResult:
        """The mapped types and attributes, counted by the API (see ``discovery.py``)."""
        return await discover_types(self.config, self.fetch_entities, query)

    async def aclose(self) -> None:
        """Close the HTTP session (and the credentials'); later calls do nothing."""
        await self._client.aclose()


def _items(page: JsonAnswer, mapping: TypeMapping) -> list[Any]:
    """The items of a page: a FeatureCollection's features, else what ``items`` points at."""
    body = page.data
    if isinstance(body, dict) and body.get("type") == "FeatureCollection":
        body = body.get("features")
    else:
        body = mapping.items.evaluate(body)
    if not isinstance(body, list):
        raise UpstreamProtocolError(
            f"expected an array of items at {mapping.items.source!r}, got {_kind(body)}"
        )
    return body


def _total(page: JsonAnswer, mapping: TypeMapping) -> int | None:
    assert mapping.total is not None
    value = mapping.total.evaluate(page.data)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def _pushed(query: SourceQuery, mapping: TypeMapping) -> dict[str, str]:
    params: dict[str, str] = {}
    names = mapping.query
    if query.observed_after is not None and "observed_after" in names:
        params[names["observed_after"]] = _iso(query.observed_after, ceil=False)
    if query.observed_before is not None and "observed_before" in names:
        params[names["observed_before"]] = _iso(query.observed_before, ceil=True)
    if query.within is not None and "bbox" in names:
        params[names["bbox"]] = _bbox(query.within)
    for condition in query.where:
        name = mapping.where_params.get(condition.attribute, {}).get(condition.op)
        text = where_text(condition.value)
        if name is not None and text is not None and name not in params:
            params[name] = text
    return params


def where_text(value: object) -> str | None:
    """A condition's value as a parameter: a plain number, ``true``/``false``, the text, or
    (``IN``) those comma-joined; None when it cannot be said so (a comma in a member)."""
    if isinstance(value, list):
        members = [where_text(v) for v in value]
        if any(m is None or "," in m for m in members):
            return None
        return ",".join(m for m in members if m is not None)
    kind = kind_of(value)
    if kind == "bool":
        return "true" if value else "false"
    if kind == "number" and isinstance(value, int | float):
        return plain_number(value)
    if kind == "string" and isinstance(value, str):
        return value
    return None


def _iso(moment: datetime, *, ceil: bool) -> str:
    """UTC whole seconds, rounded outwards so the pushed window never narrows."""
    moment = moment.astimezone(UTC)
    whole = moment.replace(microsecond=0)
    if ceil and whole != moment:
        whole += timedelta(seconds=1)
    return whole.strftime("%Y-%m-%dT%H:%M:%SZ")


def _bbox(box: BBox) -> str:
    slack = 1e-6
    parts = (box.min_lon - slack, box.min_lat - slack, box.max_lon + slack, box.max_lat + slack)
    return ",".join(f"{p:.7f}" for p in parts if math.isfinite(p))


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if value is None:
        return "nothing"
    return f"a JSON {type(value).__name__}"
