"""``PlatformClient``: one city's HTTP client, as every adapter needs one.

It builds its aiohttp session with ``adapters.http.new_session`` on first use
(inside the running loop), with the city's upstream credentials when it has some
(``adapters.credentials``), sends requests through ``request_json`` (or ``fetch``,
for a body that is not JSON) with the adapter's secrets and the context's body
limit, logs each request (path and timing only, at DEBUG), refuses links to other
origins, and closes once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Collection, Iterable, Mapping
from typing import Any, TypeVar

import aiohttp
import orjson
from yarl import URL

from adapters.contract import AdapterContext
from adapters.errors import UpstreamProtocolError, UpstreamUnavailable
from adapters.http import SessionCredentials, new_session
from adapters.sdk.fetch import Answer, JsonAnswer, fetch, request_json

T = TypeVar("T")


class PlatformClient:
    """HTTP to one platform whose API lives under ``base`` (and ``also``: further bases of
    the same platform on other origins, e.g. a temporal service beside a broker)."""

    def __init__(
        self,
        context: AdapterContext,
        base: URL,
        *,
        headers: Mapping[str, str] | None = None,
        secrets: Iterable[str] = (),
        peer: str = "the platform",
        credentials: SessionCredentials | None = None,
        also: Iterable[URL] = (),
    ) -> None:
        self.base = base
        self._origins = frozenset(u.origin() for u in (base, *also))
        self.peer = peer
        self._context = context
        self._headers = dict(headers or {})
        self._secrets = tuple(s for s in secrets if s)
        self._credentials = credentials
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    @property
    def closed(self) -> bool:
        """True once ``aclose`` has been called."""
        return self._closed

    async def get_json(self, url: URL, *, headers: Mapping[str, str] | None = None) -> JsonAnswer:
        """GET ``url`` (same origin as ``base`` only) and return its JSON answer."""
        return await self.request_json("GET", url, headers=headers)

    async def request_json(
        self,
        method: str,
        url: URL,
        *,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> JsonAnswer:
        """Send one request to the platform; see ``adapters.sdk.fetch.request_json``."""
        self.check_origin(url)
        sent = request_json(
            self._session_for_use(),
            url,
            method=method,
            headers=headers,
            json_body=json_body,
            secrets=self.secrets,
            max_bytes=self._context.max_response_bytes,
            peer=self.peer,
            budget=self._context.answer_budget,
        )
        return await self._logged(method, url, sent)

    async def fetch(
        self,
        url: URL,
        *,
        headers: Mapping[str, str] | None = None,
        accept_status: Collection[int] = (200,),
    ) -> Answer:
        """GET ``url`` (same origin only) whatever its content type; see
        ``adapters.sdk.fetch.fetch``."""
        return await self._fetch("GET", url, headers, None, accept_status)

    async def send(
        self,
        method: str,
        url: URL,
        *,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
        accept_status: Collection[int] = (200, 201, 204),
    ) -> Answer:
        """Send a write (POST, PATCH, DELETE) to the platform, whatever its answer's type."""
        send = dict(headers or {})
        data = None if json_body is None else orjson.dumps(json_body)
        if data is not None:
            send.setdefault("Content-Type", "application/json")
        return await self._fetch(method, url, send, data, accept_status)

    def _fetch(
        self,
        method: str,
        url: URL,
        headers: Mapping[str, str] | None,
        data: bytes | None,
        accept_status: Collection[int],
    ) -> Awaitable[Answer]:
        """One request to the platform (same origin only), answered whatever its type."""
        self.check_origin(url)
        sent = fetch(
            self._session_for_use(),
            url,
            method=method,
            headers=headers,
            data=data,
            secrets=self.secrets,
            max_bytes=self._context.max_response_bytes,
            peer=self.peer,
            accept_status=accept_status,
            budget=self._context.answer_budget,
        )
        return self._logged(method, url, sent)

    def _logged(self, method: str, url: URL, sent: Awaitable[T]) -> Awaitable[T]:
        """``sent`` itself in the common case (no DEBUG log: no wrapper coroutine per
        request), else ``sent`` timed and logged."""
        if not self._context.logger.isEnabledFor(logging.DEBUG):
            return sent
        return self._timed(method, url, sent)

    async def _timed(self, method: str, url: URL, sent: Awaitable[T]) -> T:
        log = self._context.logger
        started = time.perf_counter()
        try:
            answer = await sent
        except Exception as exc:
            log.debug("%s %s failed: %s", method, url.path, exc)
            raise
        log.debug("%s %s answered in %.3f s", method, url.path, time.perf_counter() - started)
        return answer

    def follow(self, link: str, current: URL) -> URL:
        """A next-page link resolved against ``current``; another origin is refused."""
        try:
            target = current.join(URL(link.strip()))
        except ValueError:
            raise UpstreamProtocolError(
                f"{self.peer} sent a next-page link that is not a URL"
            ) from None
        self.check_origin(target, what="the next-page link")
        return target

    def check_origin(self, url: URL, *, what: str = "a request") -> None:
        """Refuse a URL outside the configured platform (scheme, host and port)."""
        if url.origin() not in self._origins:
            raise UpstreamProtocolError(
                f"{what} points to another host ({url.host}:{url.port}); "
                f"only {self.base.host}:{self.base.port} is followed"
            )

    @property
    def secrets(self) -> tuple[str, ...]:
        """What never to repeat from an answer: the adapter's secrets and the credentials'."""
        own = self._credentials.secrets if self._credentials is not None else ()
        return (*self._secrets, *own)

    async def aclose(self) -> None:
        """Close the session (and the credentials'); later calls do nothing, later requests
        are refused."""
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
            self._session = new_session(self._context, self._headers, credentials=self._credentials)
        return self._session
