"""``NgsiLdAdapter``: one city's NGSI-LD context broker behind the adapter contract."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, ClassVar

import aiohttp
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
from adapters.errors import (
    UnsupportedQuery,
    UpstreamError,
    UpstreamProtocolError,
    UpstreamUnavailable,
)
from adapters.http import new_session
from adapters.ngsi_ld.config import NgsiLdConfig, validate_config
from adapters.ngsi_ld.contexts import TermMap, term_map
from adapters.ngsi_ld.dialect import dialect_error
from adapters.ngsi_ld.mapping import to_source_entity
from adapters.ngsi_ld.query import entity_params
from adapters.ngsi_ld.temporal import fetch_history
from adapters.ngsi_ld.transport import Page, get_page

JSONLD_CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"


class NgsiLdAdapter:
    """Queries ``/ngsi-ld/v1/entities`` of one broker and maps the answer.

    The aiohttp session (one per instance, bounded by ``context.max_connections``)
    is created on the first query, inside the running loop. When every page of an
    answer carried an ETag, ``revalidate`` asks again with ``If-None-Match``.
    """

    kind: ClassVar[str] = "ngsi-ld"

    def __init__(self, config: Mapping[str, Any], context: AdapterContext) -> None:
        self.config: NgsiLdConfig = validate_config(config)
        self._context = context
        self._log = context.logger
        self._session: aiohttp.ClientSession | None = None
        self._closed = False
        self._credentials = credentials_for(self.config.credentials, context, self.config.origins)
        settings = [self.config.defaults, *self.config.types.values()]
        timed = any(s.time_property for s in settings)
        filters = {"attrs", "near", "within"} | ({"time"} if timed else set())
        self._capabilities = Capabilities(filters=frozenset(filters), paging=True)
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
        """attrs, near, within, and time unless no type has a ``time_property``; paging."""
        return self._capabilities

    async def fetch_entities(self, query: SourceQuery) -> SourceResult:
        """Query the broker, following ``rel="next"`` links until ``query.limit`` entities."""
        if query.limit < 0 or query.offset < 0:
            raise UnsupportedQuery("limit and offset must not be negative")
        session = self._session_for_use()
        settings = self.config.for_type(query.entity_type)
        terms = term_map(settings.context)
        headers = {
            "Link": f'<{settings.context}>; rel="{JSONLD_CONTEXT_REL}"; type="application/ld+json"'
        }
        limit = query.limit
        url = self.config.entities_url.with_query(
            entity_params(query, settings, min(self.config.page_size, limit))
        )
        wanted = self._wanted(query, terms)
        entities: list[SourceEntity] = []
        total: int | None = None
        seen = query.offset
        etags: list[tuple[str, str]] | None = []
        cache_control: str | None = None
        while True:
            page = await self._get(session, url, headers)
            if etags is not None and page.etag is not None:
                etags.append((str(url), page.etag))
            else:
                etags = None
            if cache_control is None:
                cache_control = page.cache_control
            total = page.total_count if page.total_count is not None else total
            room = limit - len(entities)
            for raw in page.entities[:room]:
                entities.append(
                    to_source_entity(
                        raw,
                        terms,
                        index=len(entities),
                        wanted=wanted,
                        time_property=settings.time_property,
                        expected_type=query.entity_type,
                    )
                )
            seen += len(page.entities)
            more = page.next_url is not None or (total is not None and seen < total)
            if len(entities) >= limit or not page.entities or not more:
                truncated = more or len(page.entities) > room
                return SourceResult(
                    entities,
                    total_count=total,
                    truncated=truncated,
                    cache_control=cache_control,
                    validator=orjson.dumps(etags).decode() if etags else None,
                )
            url = self._next_url(page, url, seen, limit - len(entities))

    async def revalidate(self, query: SourceQuery, validator: str) -> SourceResult | None:
        """Ask for each page again with ``If-None-Match``: None when every page is unchanged,
        else a full fresh answer (pages may have shifted)."""
        try:
            pages = [(URL(u), etag) for u, etag in orjson.loads(validator)]
        except (orjson.JSONDecodeError, TypeError, ValueError):
            return await self.fetch_entities(query)
        session = self._session_for_use()
        settings = self.config.for_type(query.entity_type)
        headers = {
            "Link": f'<{settings.context}>; rel="{JSONLD_CONTEXT_REL}"; type="application/ld+json"'
        }
        for url, etag in pages:
            page = await self._get(session, url, headers, if_none_match=etag)
            if not page.not_modified:
                return await self.fetch_entities(query)
        return None

    async def fetch_history(self, query: HistoryQuery) -> HistoryResult:
        """Past values from the broker's temporal API (see ``temporal.py``)."""
        return await fetch_history(
            self._session_for_use(), self.config, query, secrets=self._secrets()
        )

    async def aclose(self) -> None:
        """Close the HTTP session; later calls do nothing."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()
        if self._credentials is not None:
            await self._credentials.aclose()

    def _session_for_use(self) -> aiohttp.ClientSession:
        if self._closed:
            raise UpstreamUnavailable("the adapter has been closed")
        if self._session is None:
            ctx = self._context
            headers = {
                "Accept": self.config.accept,
                **({"NGSILD-Tenant": self.config.tenant} if self.config.tenant else {}),
                **self.config.headers,
            }
            self._session = new_session(ctx, headers, credentials=self._credentials)
        return self._session

    def _secrets(self) -> tuple[str, ...]:
        """Values never to repeat from an answer: header values and credentials."""
        own = self._credentials.secrets if self._credentials is not None else ()
        return (*self.config.headers.values(), *own)

    async def _get(
        self,
        session: aiohttp.ClientSession,
        url: URL,
        headers: Mapping[str, str],
        if_none_match: str | None = None,
    ) -> Page:
        started = time.perf_counter()
        try:
            page = await get_page(
                session,
                url,
                headers,
                secrets=self._secrets(),
                max_bytes=self._context.max_response_bytes,
                if_none_match=if_none_match,
            )
        except UpstreamError as exc:
            self._log.debug("GET %s failed: %s", url.path, exc)
            raise dialect_error(exc, self.config.dialect) from None
        except Exception as exc:
            self._log.debug("GET %s failed: %s", url.path, exc)
            raise
        self._log.debug(
            "GET %s: %d entities in %.3f s",
            url.path,
            len(page.entities),
            time.perf_counter() - started,
        )
        return page

    def _next_url(self, page: Page, current: URL, seen: int, remaining: int) -> URL:
        """The next page: the broker's link (same origin only), else ``offset`` arithmetic."""
        page_size = min(self.config.page_size, remaining)
        if page.next_url is None:
            return current.update_query(offset=str(seen), limit=str(page_size))
        if page.next_url.origin() != self.config.url.origin():
            raise UpstreamProtocolError(
                f"the next-page link points to another origin ({page.next_url.host}); not followed"
            )
        if "limit" in page.next_url.query:
            return page.next_url.update_query(limit=str(page_size))
        return page.next_url

    @staticmethod
    def _wanted(query: SourceQuery, terms: TermMap) -> frozenset[str] | None:
        if query.attrs is None:
            return None
        return frozenset(query.attrs) | {terms.compact(a) for a in query.attrs}
