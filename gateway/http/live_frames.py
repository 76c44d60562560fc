"""WebSocket frames written in one event-loop turn leave in one socket write.

A live event reaches every subscriber in the same loop turn, and a subscriber often
has several frames waiting (one per entity of a notification, one per subscription
of its connection). uvicorn writes each frame on its own (one ``send`` system call
each, the largest per-subscriber cost of delivery, ADR 0026); ``CoalescingWebSockets``
is uvicorn's WebSocket protocol whose frames of one turn are joined and written
once, at the end of the turn.
"""

from __future__ import annotations

import asyncio
from asyncio import BaseTransport
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol


class CoalescingTransport(asyncio.Transport):
    """``transport`` whose writes of one loop turn are sent together."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(bytes(data))

    def flush(self) -> None:
        """Send what was written since the last flush."""
        pending, self._pending = self._pending, []
        if pending and not self._transport.is_closing():
            self._transport.write(b"".join(pending))

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._pending = []
        self._transport.abort()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def pause_reading(self) -> None:
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        self._transport.resume_reading()

    def is_reading(self) -> bool:
        return self._transport.is_reading()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(map(len, self._pending))

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)


class CoalescingWebSockets(WebSocketsSansIOProtocol):
    """uvicorn's WebSocket protocol (websockets, sans-I/O), frames coalesced per loop turn."""

    def connection_made(self, transport: BaseTransport) -> None:
        super().connection_made(transport)
        self.transport = CoalescingTransport(self.transport, asyncio.get_running_loop())
