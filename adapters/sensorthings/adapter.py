"""``SensorThingsAdapter``: a city's OGC SensorThings API 1.1 server behind the adapter contract."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, ClassVar

from adapters.contract import (
    AdapterContext,
    Capabilities,
    HistoryQuery,
    HistoryResult,
    SourceEntity,
    SourceQuery,
    SourceResult,
)
from adapters.credentials import credentials_for
from adapters.errors import UnsupportedQuery
from adapters.sdk.client import PlatformClient
from adapters.sdk.collect import Collector
from adapters.sdk.local import project
from adapters.sensorthings.config import SensorThingsConfig, TypeMapping, validate_config
from adapters.sensorthings.history import read_history
from adapters.sensorthings.mapping import Mapper
from adapters.sensorthings.pages import expanded, page_of
from adapters.sensorthings.query import empty_area, observed, thing_params

PEER = "the SensorThings server"


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
        self._capabilities = Capabilities(
            filters=frozenset({"attrs", "near", "within", "time"}),
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
        refine = any(
            f is not None
            for f in (query.near, query.within, query.observed_after, query.observed_before)
        )
        top = self.config.page_size if refine else min(self.config.page_size, max(1, query.limit))
        names = observed(mapping, query.attrs)
        params = thing_params(
            self.config, mapping, query, names, top, 0 if refine else query.offset
        )
        url = (self.config.url / "Things").with_query(params)
        mapper = Mapper(query.entity_type, mapping, self.config.match)
        collector = Collector(query, refine=refine)
        count: int | None = None
        cache_control: str | None = None
        while True:
            answer = await self._client.get_json(url)
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
        self._warn(mapper)
        return collector.result(
            exhausted=next_link is None, platform_total=count, cache_control=cache_control
        )

    async def fetch_history(self, query: HistoryQuery) -> HistoryResult:
        """Observations between ``query.after`` and ``query.before`` (see ``history.py``)."""
        mapping = self._mapping(query.entity_type)
        return await read_history(self._client, self.config, mapping, query)

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
