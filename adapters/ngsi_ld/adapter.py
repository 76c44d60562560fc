"""``NgsiLdAdapter``: one city's NGSI-LD context broker behind the adapter contract."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Mapping
from typing import Any, ClassVar

import orjson
from yarl import URL

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
from adapters.discovery import DiscoveryQuery, DiscoveryResult
from adapters.errors import UnsupportedQuery, UpstreamError, UpstreamProtocolError
from adapters.lookup import LookupQuery
from adapters.ngsi_ld.config import NgsiLdConfig, validate_config
from adapters.ngsi_ld.contexts import TermMap, term_map
from adapters.ngsi_ld.dialect import dialect_error
from adapters.ngsi_ld.discovery import discover as discover_types
from adapters.ngsi_ld.lookup import fetch_entity as fetch_one
from adapters.ngsi_ld.mapping import to_source_entity
from adapters.ngsi_ld.page_memo import shared as page_memo
from adapters.ngsi_ld.query import entity_params
from adapters.ngsi_ld.streaming import stream_entities
from adapters.ngsi_ld.temporal import fetch_history
from adapters.ngsi_ld.transport import Page, context_link, entity_list, get_page
from adapters.sdk.client import PlatformClient
from adapters.sdk.collect import Collector
from adapters.streaming import CallbackHost, StreamQuery


class NgsiLdAdapter:
    """Queries ``/ngsi-ld/v1/entities`` of one broker and maps the answer.

    HTTP goes through one ``PlatformClient`` (``adapters.sdk``): its session, bounded by
    ``context.max_connections``, is created on the first query inside the running loop;
    requests reach the broker and its temporal service only. When every page of an
    answer carried an ETag, ``revalidate`` asks again with ``If-None-Match``.
    """

    kind: ClassVar[str] = "ngsi-ld"

    def __init__(self, config: Mapping[str, Any], context: AdapterContext) -> None:
        self.config: NgsiLdConfig = validate_config(config)
        self._log = context.logger
        self._client = PlatformClient(
            context,
            self.config.url,
            headers={
                "Accept": self.config.accept,
                **({"NGSILD-Tenant": self.config.tenant} if self.config.tenant else {}),
                **self.config.headers,
            },
            secrets=self.config.headers.values(),
            peer="the broker",
            credentials=credentials_for(self.config.credentials, context, self.config.origins),
            also=self.config.origins,
        )
        settings = [self.config.defaults, *self.config.types.values()]
        timed = any(s.time_property for s in settings)
        filters = {"attrs", "near", "within", "where"} | ({"time"} if timed else set())
        self._capabilities = Capabilities(filters=frozenset(filters), paging=True)
        self._entities_url = self.config.entities_url  # built once, not per query
        for url in sorted(self.config.contexts):
            if not term_map(url).shipped:
                self._log.info(
                    "NGSI-LD context %s is not shipped; names are compacted with the "
                    "core and Smart Data Models contexts only",
                    url,
                )

    @classmethod
    def validate_config(cls, config: Mapping[str, Any]) -> NgsiLdConfig:
        """Check an adapter section; raise ``ConfigError`` naming the key."""
        return validate_config(config)

    @property
    def capabilities(self) -> Capabilities:
        """attrs, near, within, where (``where.py``: what ``q`` can say), and time unless no
        type has a ``time_property``; paging."""
        return self._capabilities

    async def fetch_entities(self, query: SourceQuery) -> SourceResult:
        """Query the broker, following ``rel="next"`` links until ``query.limit`` entities.

        Where the dialect cannot filter by time (``orion-ld``), or a ``where`` is given,
        the filters are (also) applied here and ``offset`` counted over what matches.
        """
        if query.limit < 0 or query.offset < 0:
            raise UnsupportedQuery("limit and offset must not be negative")
        settings = self.config.for_type(query.entity_type)
        terms = term_map(settings.context)
        headers = context_link(settings.context)
        timed = query.observed_after is not None or query.observed_before is not None
        time_here = (
            timed and settings.time_property is not None and not self.config.rules.time_push_down
        )
        refine = time_here or bool(query.where)
        collector = Collector(query, refine=refine)
        size = (
            self.config.entity_page_size
            if refine
            else min(self.config.entity_page_size, query.limit)
        )
        params = entity_params(
            query, settings, size, push_time=not time_here, push_offset=not refine, terms=terms
        )
        url = self._entities_url.with_query(params)
        wanted = self._wanted(query, terms)
        etags: list[tuple[str, str]] | None = []
        cache_control: str | None = None
        total: int | None = None
        seen = 0 if refine else query.offset
        mapped = 0
        asked: set[URL] = set()
        while True:
            page = await self._get(url, headers, decode=False)
            if etags is not None and page.etag is not None:
                etags.append((str(url), page.etag))
            else:
                etags = None
            cache_control = page.cache_control if cache_control is None else cache_control
            total = page.total_count if page.total_count is not None else total
            room = None if refine else query.limit - len(collector.entities) + 1
            mapping = (terms.context_url, wanted, settings.time_property, query.entity_type, room)
            map_page = functools.partial(
                _map_page, page.body, room, terms, mapped, wanted,
                settings.time_property, query.entity_type,
            )  # fmt: skip
            entities, held = page_memo.mapped(page.body, mapping, map_page)
            collector.extend(entities)
            mapped += held
            seen += held
            more = page.next_url is not None or (total is not None and seen < total)
            if collector.full or not held or not more:
                result = collector.result(
                    exhausted=not more, platform_total=total, cache_control=cache_control
                )
                return SourceResult(
                    result.entities,
                    total_count=result.total_count if total is not None or refine else None,
                    truncated=result.truncated,
                    cache_control=cache_control,
                    validator=orjson.dumps(etags).decode() if etags else None,
                )
            remaining = size if refine else query.limit - len(collector.entities)
            asked.add(url)
            url = self._next_url(page, url, seen, remaining)
            if url in asked:
                raise UpstreamProtocolError("the broker's next page is one already read (a loop)")

    async def revalidate(self, query: SourceQuery, validator: str) -> SourceResult | None:
        """Ask for each page again with ``If-None-Match``: None when every page is unchanged,
        else a full fresh answer (pages may have shifted)."""
        try:
            pages = [(URL(u), etag) for u, etag in orjson.loads(validator)]
        except (orjson.JSONDecodeError, TypeError, ValueError):
            return await self.fetch_entities(query)
        headers = context_link(self.config.for_type(query.entity_type).context)
        for url, etag in pages:
            page = await self._get(url, headers, if_none_match=etag)
            if not page.not_modified:
                return await self.fetch_entities(query)
        return None

    async def fetch_history(self, query: HistoryQuery) -> HistoryResult:
        """Past values from the broker's temporal API (see ``temporal.py``)."""
        return await fetch_history(self._client, self.config, query)

    async def discover(self, query: DiscoveryQuery) -> DiscoveryResult:
        """The broker's own description of its types (see ``discovery.py``)."""
        return await discover_types(self._client, self.config, query)

    async def fetch_entity(self, query: LookupQuery) -> SourceEntity | None:
        """One entity by id, ``GET /entities/{id}`` (see ``lookup.py``)."""
        return await fetch_one(self._client, self.config, query)

    def stream_entities(
        self, query: StreamQuery, callbacks: CallbackHost
    ) -> AsyncIterator[SourceEntity]:
        """Changes pushed by the broker through a subscription (see ``streaming.py``)."""
        return stream_entities(self._client, self.config, query, callbacks, self._log)

    async def aclose(self) -> None:
        """Close the HTTP session; later calls do nothing."""
        await self._client.aclose()

    async def _get(
        self,
        url: URL,
        headers: Mapping[str, str],
        if_none_match: str | None = None,
        *,
        decode: bool = True,
    ) -> Page:
        try:
            return await get_page(
                self._client, url, headers, if_none_match=if_none_match, decode=decode
            )
        except UpstreamError as exc:
            raise dialect_error(exc, self.config.rules) from None

    def _next_url(self, page: Page, current: URL, seen: int, remaining: int) -> URL:
        """The next page: the broker's link (same origin only), else ``offset`` arithmetic."""
        page_size = max(1, min(self.config.entity_page_size, remaining))
        if page.next_url is None:
            return current.update_query(offset=str(seen), limit=str(page_size))
        self._client.check_origin(page.next_url, what="the next-page link")
        if "limit" in page.next_url.query:
            return page.next_url.update_query(limit=str(page_size))
        return page.next_url

    @staticmethod
    def _wanted(query: SourceQuery, terms: TermMap) -> frozenset[str] | None:
        if query.attrs is None:
            return None
        return frozenset(query.attrs) | {terms.compact(a) for a in query.attrs}


def _map_page(
    body: bytes,
    room: int | None,
    terms: TermMap,
    first: int,
    wanted: frozenset[str] | None,
    time_property: str | None,
    entity_type: str,
) -> tuple[list[SourceEntity], int]:
    """The first ``room`` (None: all) entities of one page's ``body``, and how many it
    holds (``first``: the index of its first entity, for error messages)."""
    raws = entity_list(body)
    return [
        to_source_entity(raw, terms, index=first + i, wanted=wanted,
                         time_property=time_property, expected_type=entity_type)
        for i, raw in enumerate(raws[:room])
    ], len(raws)  # fmt: skip
