"""Several replicas (``CAAP_REDIS_URL``): one holds each upstream stream, all deliver its events.

For each (city, type, push-down) that has subscribers on a replica, that replica
listens on the stream's Redis channel and competes for its lease (``SET NX PX``).
The holder runs the upstream stream and publishes every event; every listener,
the holder included, delivers what the channel carries to its own subscribers.
The holder renews the lease every third of ``lease_s``; when it dies, the lease
expires and another replica with subscribers takes the stream over within
``lease_s`` and a third. The last local subscriber leaving releases the lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import secrets
import socket
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis

from gateway.clock import Clocks
from gateway.live.events import Event
from gateway.live.upstream_stream import StreamKey, UpstreamStream
from gateway.live.wire import decode, encode

log = logging.getLogger("caap.live")

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


def replica_id() -> str:
    """This process, told apart from every other replica."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


class Relay:
    """One stream key's channel and lease on this replica."""

    def __init__(
        self,
        redis: Redis,
        key: StreamKey,
        me: str,
        lease_s: float,
        clocks: Clocks,
        deliver: Callable[[Event], None],
    ) -> None:
        digest = hashlib.sha256(repr(key).encode("utf-8")).hexdigest()[:32]
        self.channel = f"caap:live:events:{digest}"
        self.lease = f"caap:live:lease:{digest}"
        self._redis = redis
        self._me = me
        self._lease_ms = max(1, int(lease_s * 1000))
        self._every_s = lease_s / 3
        self._clocks = clocks
        self._deliver = deliver
        self._outbox: asyncio.Queue[bytes] = asyncio.Queue(10_000)
        self._tasks: list[asyncio.Task[None]] = []
        self.stream: UpstreamStream | None = None
        self.holding = False
        self._listening = asyncio.Event()

    def publish(self, event: Event) -> None:
        """Send ``event`` to every replica (in order; dropped if Redis is far behind)."""
        with contextlib.suppress(asyncio.QueueFull):
            self._outbox.put_nowait(encode(event))

    def start(self, stream: UpstreamStream) -> None:
        """Listen on the channel, then (once subscribed) compete for the lease."""
        self.stream = stream
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._listen()),
            loop.create_task(self._hold()),
            loop.create_task(self._send()),
        ]

    async def _listen(self) -> None:
        pubsub: Any = self._redis.pubsub()
        try:
            while True:
                try:
                    await pubsub.subscribe(self.channel)
                    break
                except Exception as exc:  # Redis away: try again
                    log.warning("live: cannot listen on %s: %s", self.channel, exc)
                    await self._clocks.sleep(self._every_s)
            self._listening.set()
            async for message in pubsub.listen():
                if message.get("type") != "message":
                    continue
                try:
                    event = decode(message["data"])
                except ValueError as exc:
                    log.warning("live: a message on %s is not an event: %s", self.channel, exc)
                    continue
                self._deliver(event)
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()

    async def _send(self) -> None:
        while True:
            raw = await self._outbox.get()
            try:
                await self._redis.publish(self.channel, raw)
            except Exception as exc:  # Redis away: this event is lost, the next may pass
                log.warning("live: cannot publish on %s: %s", self.channel, exc)

    async def _hold(self) -> None:
        assert self.stream is not None
        await self._listening.wait()  # the holder hears its own events too
        while True:
            try:
                if self.holding:
                    kept = await self._redis.eval(_RENEW, 1, self.lease, self._me, self._lease_ms)
                    if not kept:
                        self.holding = False
                        log.info("live: lost the lease of %s", self.lease)
                        await self.stream.aclose()
                else:
                    taken = await self._redis.set(self.lease, self._me, nx=True, px=self._lease_ms)
                    if taken:
                        self.holding = True
                        log.info("live: holding the lease of %s", self.lease)
                        self.stream.start()
            except Exception as exc:  # Redis away: keep what runs, try again
                log.warning("live: lease %s: %s", self.lease, exc)
            await self._clocks.sleep(self._every_s)

    async def aclose(self) -> None:
        """Stop listening and holding; the lease is released when it is ours."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.stream is not None:
            await self.stream.aclose()
        if self.holding:
            with contextlib.suppress(Exception):
                await self._redis.eval(_RELEASE, 1, self.lease, self._me)
            self.holding = False


class RedisRelays:
    """Makes the relays of one process; one Redis client for all."""

    def __init__(self, url: str, lease_s: float = 10.0, clocks: Clocks | None = None) -> None:
        self._redis: Redis = Redis.from_url(url)
        self._lease_s = lease_s
        self._clocks = clocks or Clocks()
        self.me = replica_id()

    def relay(self, key: StreamKey, deliver: Callable[[Event], None]) -> Relay:
        """A relay for ``key`` delivering to ``deliver`` (not started)."""
        return Relay(self._redis, key, self.me, self._lease_s, self._clocks, deliver)

    async def aclose(self) -> None:
        """Close the Redis client."""
        await self._redis.aclose()
