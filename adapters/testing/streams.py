"""The conformance kit's streaming check (issue 15), for adapters implementing ``Streaming``.

A push from the platform must arrive as an entity equal to the one ``fetch_entities``
then returns for its id, and closing the stream must close its inbox and remove what
it created on the platform.
"""

from __future__ import annotations

import asyncio
import contextlib

from adapters.contract import SourceEntity, SourceQuery
from adapters.streaming import Streaming, StreamQuery
from adapters.testing.callbacks import LoopbackCallbackHost
from adapters.testing.platform import Platform

PUSHES = 100
"""Pushes asked for before giving up (the stream subscribes meanwhile)."""
WAIT_S = 0.1
"""How long one push is waited for before pushing again."""


async def check_stream(adapter: Streaming, platform: Platform, entity_type: str) -> None:
    """Stream ``entity_type``, have the platform push, compare, close, count."""
    assert platform.push is not None
    async with LoopbackCallbackHost() as host:
        stream = adapter.stream_entities(StreamQuery(entity_type), host)
        reading = asyncio.ensure_future(anext(stream))
        try:
            for _ in range(PUSHES):
                await platform.push()
                done, _ = await asyncio.wait({reading}, timeout=WAIT_S)
                if done:
                    break
            else:
                raise AssertionError(f"{entity_type}: nothing arrived after {PUSHES} pushes")
            entity = reading.result()
            assert isinstance(entity, SourceEntity), f"the stream gave a {type(entity).__name__}"
            assert entity.type == entity_type, f"streamed a {entity.type}, not a {entity_type}"
            fetched = await adapter.fetch_entities(SourceQuery(entity_type, limit=10_000))  # type: ignore[attr-defined]
            same = next((e for e in fetched.entities if e.id == entity.id), None)
            assert same is not None, f"{entity.id} was streamed but is not fetched"
            assert entity == same, f"streamed {entity}\n  but fetched {same}"
        finally:
            if not reading.done():
                reading.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reading
            await stream.aclose()  # type: ignore[attr-defined]
        assert not host.inboxes, "an inbox is still open after the stream was closed"
    if platform.upstream_subscriptions is not None:
        left = await platform.upstream_subscriptions()
        assert left == 0, f"{left} subscription(s) left on the platform after the stream closed"
