"""Helpers for push tests: make citysim push until a stream has something."""

from __future__ import annotations

import asyncio
from typing import TypeVar

import httpx

from adapters.contract import Adapter, SourceEntity, SourceQuery
from adapters.streaming import Streaming, StreamQuery
from adapters.testing.callbacks import LoopbackCallbackHost

T = TypeVar("T")
TICKS = 100


async def tick_until(control_url: str, city: str, reading: asyncio.Future[T]) -> T:
    """Ask citysim to push (``POST /cities/{city}/tick``, a real request each time) until
    ``reading`` is done: the stream subscribes meanwhile, and a push before it has
    subscribed is lost, as on a real broker."""
    async with httpx.AsyncClient() as client:
        for _ in range(TICKS):
            (await client.post(f"{control_url}/cities/{city}/tick")).raise_for_status()
            done, _ = await asyncio.wait({reading}, timeout=0.1)
            if done:
                return reading.result()
    raise AssertionError(f"nothing arrived from {city} after {TICKS} pushes")


async def first_push_and_fetch(
    adapter: Adapter, control_url: str, city: str, entity_type: str = "WeatherObserved"
) -> tuple[SourceEntity, SourceEntity]:
    """The first entity ``adapter``'s stream pushes (citysim ticked until it does), and the
    same entity as ``fetch_entities`` then returns it."""
    assert isinstance(adapter, Streaming)
    async with LoopbackCallbackHost() as host:
        stream = adapter.stream_entities(StreamQuery(entity_type), host)
        try:
            pushed = await tick_until(control_url, city, asyncio.ensure_future(anext(stream)))
        finally:
            await stream.aclose()  # type: ignore[attr-defined]
    fetched = await adapter.fetch_entities(SourceQuery(entity_type, limit=100))
    return pushed, next(e for e in fetched.entities if e.id == pushed.id)
