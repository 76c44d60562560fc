"""gateway.http.live_frames: what is written in one loop turn leaves in one write, at the
end of the turn, over a real socket; closing sends what is pending first."""

from __future__ import annotations

import asyncio
import socket

from gateway.http.live_frames import CoalescingTransport


async def _pair() -> tuple[CoalescingTransport, socket.socket]:
    ours, peer = socket.socketpair()
    peer.setblocking(False)
    loop = asyncio.get_running_loop()
    transport, _ = await loop.connect_accepted_socket(asyncio.Protocol, ours)
    assert isinstance(transport, asyncio.Transport)
    return CoalescingTransport(transport, loop), peer


def _received(peer: socket.socket) -> bytes:
    try:
        return peer.recv(65536)
    except BlockingIOError:
        return b""


async def test_frames_of_one_turn_leave_together_at_its_end() -> None:
    transport, peer = await _pair()
    try:
        for frame in (b"one,", b"two,", b"three"):
            transport.write(frame)
        assert transport.get_write_buffer_size() == len(b"one,two,three")
        assert _received(peer) == b""  # nothing sent within the turn
        await asyncio.sleep(0)
        assert _received(peer) == b"one,two,three"
    finally:
        transport.close()
        peer.close()


async def test_closing_sends_what_is_pending() -> None:
    transport, peer = await _pair()
    try:
        transport.write(b"last words")
        transport.close()
        await asyncio.sleep(0)
        assert _received(peer) == b"last words"
        assert transport.is_closing()
    finally:
        peer.close()
