"""A tiny ``Streaming`` adapter for the hub's tests until the adapters' push side lands:
a real adapter (its polling is real) plus a push channel the test feeds by hand."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import ClassVar

from adapters import CallbackHost, StreamQuery
from adapters.contract import Adapter, Capabilities, SourceEntity, SourceQuery, SourceResult


class PushingAdapter:
    """``inner`` for queries; ``stream_entities`` yields what ``push`` is given and raises
    what ``fail`` is given (the channel dies)."""

    kind: ClassVar[str] = "test-pushing"

    def __init__(self, inner: Adapter) -> None:
        self._inner = inner
        self._channel: asyncio.Queue[SourceEntity | BaseException] = asyncio.Queue()
        self.opened = 0
        self.closed = 0

    @property
    def capabilities(self) -> Capabilities:
        return self._inner.capabilities

    async def fetch_entities(self, query: SourceQuery) -> SourceResult:
        return await self._inner.fetch_entities(query)

    async def aclose(self) -> None:
        await self._inner.aclose()

    def push(self, entity: SourceEntity) -> None:
        """The platform reports ``entity`` changed."""
        self._channel.put_nowait(entity)

    def fail(self, error: BaseException) -> None:
        """The push channel dies with ``error``."""
        self._channel.put_nowait(error)

    async def stream_entities(
        self, query: StreamQuery, callbacks: CallbackHost
    ) -> AsyncIterator[SourceEntity]:
        self.opened += 1
        try:
            while True:
                item = await self._channel.get()
                if isinstance(item, BaseException):
                    raise item
                if item.type == query.entity_type:
                    yield item
        finally:
            self.closed += 1
