"""``SensorThingsAdapter``: a city's OGC SensorThings API 1.1 server behind the adapter contract."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, ClassVar

from yarl import URL

from adapters.contract import (
    AdapterContext,
    BBox,
    Capabilities,
    HistoryQuery,
    HistoryResult,
    SourceEntity,
    SourceQuery,
    SourceResult,
)
from adapters.credentials import credentials_for
from adapters.discovery import DiscoveryQuery, DiscoveryResult
from adapters.errors import UnsupportedQuery, UpstreamError
from adapters.lookup import LookupQuery
from adapters.sdk.client import PlatformClient
from adapters.sdk.collect import Collector
from adapters.sdk.fetch import JsonAnswer
from adapters.sdk.local import project
from adapters.sdk.times import Precision
from adapters.sensorthings.area import things_in_area
from adapters.sensorthings.config import SensorThingsConfig, TypeMapping, validate_config
from adapters.sensorthings.discovery import discover as discover_types
from adapters.sensorthings.history import read_history
from adapters.sensorthings.lookup import fetch_entity as fetch_one
from adapters.sensorthings.mapping import Mapper
from adapters.sensorthings.pages import expanded, page_of
from adapters.sensorthings.pushdown import PushDowns, rejected_by_server
from adapters.sensorthings.query import (
    ORDER,
    area,
    empty_area,
    instant,
    locations_params,
    observed,
    thing_params,
)
from adapters.sensorthings.streaming import stream_entities
from adapters.sensorthings.where import RESULT, where_clauses
from adapters.streaming import CallbackHost, StreamQuery

PEER = "the SensorThings server"
PROBE_BOX = BBox(min_lat=0.0, min_lon=0.0, max_lat=0.001, max_lon=0.001)
"""A small box in the sea off Africa: the geo probe asks only whether the form is taken."""


class SensorThingsAdapter:
    """Reads Things with their latest Observations and maps them by the configured properties.

    Follows ``@iot.nextLink`` (and ``Datastreams@iot.nextLink``) only to the
    configured server; the session is created on the first query.
    """

    kind: ClassVar[str] = "sensorthings"

    def __init__(self, config: Mapping[str, Any], context: AdapterContext) -> None:
        self.config: SensorThingsConfig = validate_config(config)
        self._log = context.logger
        self._client = PlatformClient(
            context,
            self.config.url,
            headers={"Accept": "application/json", **self.config.headers},
            secrets=self.config.headers.values(),
            peer=PEER,
            credentials=credentials_for(self.config.credentials, context, (self.config.url,)),
        )
        self._warned: set[str] = set()
        self.push_downs = PushDowns(context.city_id, context.logger, context.extra)
        """Which optional push-downs this city's server accepts (``pushdown.py``)."""
        self.precision = Precision()
        """How finely the server reports times; pushed-down bounds are widened by it."""
        self._capabilities = Capabilities(
            filters=frozenset({"attrs", "near", "within", "time", "where"}),
            paging=True,
            entity_types=frozenset(self.config.types),
        )

    @classmethod
    def validate_config(cls, config: Mapping[str, Any]) -> SensorThingsConfig:
        """Check an adapter section; raise ``ConfigError`` naming the key."""
        return validate_config(config)

    @property
    def capabilities(self) -> Capabilities:
        """Every filter is pushed down (and finished here); paging by ``@iot.nextLink``."""
        return self._capabilities

    async def fetch_entities(self, query: SourceQuery) -> SourceResult:
        """The Things of ``query.entity_type`` as entities, following next links to the limit."""
        mapping = self._mapping(query.entity_type)
        if query.limit < 0 or query.offset < 0:
            raise UnsupportedQuery("limit and offset must not be negative")
        if empty_area(query):
            return SourceResult([], total_count=0)
        refine = bool(query.where) or any(
            f is not None
            for f in (query.near, query.within, query.observed_after, query.observed_before)
        )
        thing_ids = await self._things_in_area(query)
        if thing_ids is not None and not thing_ids:
            return SourceResult([], total_count=0)
        top = self.config.page_size if refine else min(self.config.page_size, max(1, query.limit))
        names = observed(mapping, query.attrs)
        skip = 0 if refine else query.offset

        where = where_clauses(query.where, query.entity_type, mapping)

        def first_page(pushed: frozenset[str]) -> URL:
            after = None
            if "time" in pushed and query.observed_after is not None:
                after = query.observed_after - self.precision.value
            params = thing_params(
                self.config, mapping, query, names, top, skip, thing_ids=thing_ids, after=after,
                where=where if "where" in pushed else (),
            )  # fmt: skip
            return (self.config.url / "Things").with_query(params)

        wanted = {"time": query.observed_after is not None, "where": bool(where)}
        url, answer = await self._first(
            first_page,
            frozenset(n for n, on in wanted.items() if on and self.push_downs.allowed(n)),
        )
        mapper = Mapper(query.entity_type, mapping, self.config.match, self.precision)
        collector = Collector(query, refine=refine)
        count: int | None = None
        cache_control: str | None = None
        while True:
            things, count_here, next_link = page_of(answer.data)
            count = count if count is not None else count_here
            cache_control = cache_control or answer.cache_control
            for thing in things:
                datastreams = await expanded(self._client, thing, "Datastreams", url)
                entity = mapper.entity(thing, datastreams)
                collector.extend([_projected(entity, query.attrs)])
            if collector.full or next_link is None:
                break
            url = self._client.follow(next_link, url)
            answer = await self._client.get_json(url)
        self._warn(mapper)
        return collector.result(
            exhausted=next_link is None, platform_total=count, cache_control=cache_control
        )

    def stream_entities(
        self, query: StreamQuery, callbacks: CallbackHost
    ) -> AsyncIterator[SourceEntity]:
        """New Observations over the MQTT extension, as entities (``streaming.py``)."""
        mapping = self._mapping(query.entity_type)
        mapper = Mapper(query.entity_type, mapping, self.config.match, self.precision)
        return stream_entities(
            self._client, self.config, mapper, query, lambda e: _projected(e, query.attrs)
        )

    async def _first(
        self, page: Callable[[frozenset[str]], URL], pushed: frozenset[str]
    ) -> tuple[URL, JsonAnswer]:
        """The first page; if the server rejects it, asked again without the newest
        push-down (``where``, then ``time``), each one it rejects dropped for this city."""
        while True:
            url = page(pushed)
            try:
                return url, await self._client.get_json(url)
            except UpstreamError as exc:
                if not (pushed and rejected_by_server(exc)):
                    raise
                name = "where" if "where" in pushed else "time"
                self.push_downs.reject(name, exc)
                pushed = pushed - {name}

    async def _things_in_area(self, query: SourceQuery) -> set[int] | None:
        """Ids of the Things located in the query's area (None: no area, or filter locally)."""
        box = area(query)
        if box is None or not self.push_downs.allowed("geo"):
            return None
        try:
            return await things_in_area(self._client, self.config.url, box)
        except UpstreamError as exc:
            if not rejected_by_server(exc):
                raise
            self.push_downs.reject("geo", exc)
            return None

    async def probe_push_downs(self) -> dict[str, bool]:
        """Ask the server once with each optional push-down: name -> accepted.

        For ``caap check``; a rejected push-down is also dropped for later queries.
        """
        now = datetime.now(UTC)
        probes: dict[str, URL] = {
            "time": (self.config.url / "Things").with_query(
                {
                    "$filter": f"Datastreams/Observations/phenomenonTime ge {instant(now)}",
                    "$select": "id",
                    "$orderby": ORDER,
                    "$top": "1",
                }
            ),
            "geo": (self.config.url / "Locations").with_query(
                {**locations_params(PROBE_BOX), "$top": "1"}
            ),
            "where": (self.config.url / "Things").with_query(
                {"$filter": f"{RESULT} gt 0", "$select": "id", "$orderby": ORDER, "$top": "1"}
            ),
        }
        accepted: dict[str, bool] = {}
        for name, url in probes.items():
            try:
                await self._client.get_json(url)
            except UpstreamError as exc:
                if not rejected_by_server(exc):
                    raise
                self.push_downs.reject(name, exc)
            accepted[name] = self.push_downs.allowed(name)
        return accepted

    async def fetch_history(self, query: HistoryQuery) -> HistoryResult:
        """Observations between ``query.after`` and ``query.before`` (see ``history.py``)."""
        mapping = self._mapping(query.entity_type)
        return await read_history(self._client, self.config, mapping, query, self.precision)

    async def discover(self, query: DiscoveryQuery) -> DiscoveryResult:
        """The mapped types with what the server has of them (see ``discovery.py``)."""
        return await discover_types(self._client, self.config, query)

    async def fetch_entity(self, query: LookupQuery) -> SourceEntity | None:
        """One Thing by id, expanded as for a query (see ``lookup.py``)."""
        return await fetch_one(self._client, self.config, self.precision, query)

    async def aclose(self) -> None:
        """Close the HTTP session (and the credentials'); later calls do nothing."""
        await self._client.aclose()

    def _mapping(self, entity_type: str) -> TypeMapping:
        mapping = self.config.types.get(entity_type)
        if mapping is None:
            known = ", ".join(sorted(self.config.types))
            raise UnsupportedQuery(
                f"{entity_type} is not mapped for this SensorThings server (mapped: {known})"
            )
        return mapping

    def _warn(self, mapper: Mapper) -> None:
        for reason in sorted(mapper.skipped - self._warned):
            self._log.warning("SensorThings results left out: %s", reason)
        self._warned |= mapper.skipped


def _projected(entity: SourceEntity, attrs: tuple[str, ...] | None) -> SourceEntity:
    if attrs is None:
        return entity
    return replace(entity, attributes=project(entity.attributes, attrs))
