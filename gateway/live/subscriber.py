"""One subscriber's bounded queue: a slow subscriber is closed, never buffered without end."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gateway.live.events import EntityChange, StreamChange


@dataclass(slots=True)
class Delivery:
    """One event as a group of subscribers sees it (one policy class, one filter).

    The same object goes to every subscriber of the group: ``memo`` holds what is
    computed from it once for all of them (the GraphQL object)."""

    event: EntityChange | StreamChange
    memo: dict[str, Any] = field(default_factory=dict)


class SubscriptionEnded(Exception):
    """The gateway ended the subscription; ``reason`` says why (sent to the client)."""

    def __init__(self, reason: str, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class Subscriber:
    """Deliveries waiting for one subscriber, at most ``capacity`` of them."""

    def __init__(
        self,
        capacity: int,
        on_close: Callable[[Subscriber], None],
        expires_at: float | None = None,
    ) -> None:
        self._queue: deque[Delivery] = deque()
        self._capacity = capacity
        self._ready = asyncio.Event()
        self._on_close = on_close
        self.ended: SubscriptionEnded | None = None
        self.expires_at = expires_at
        """Wall-clock seconds when the caller's token expires; None: never."""
        self.delivered = 0

    def offer(self, delivery: Delivery) -> None:
        """Queue ``delivery``; a full queue ends the subscription (the client is too slow)."""
        if self.ended is not None:
            return
        if len(self._queue) >= self._capacity:
            self.end(
                f"too slow: {self._capacity} events were waiting to be sent; subscribe again",
                "SLOW_SUBSCRIBER",
            )
            return
        self._queue.append(delivery)
        self._ready.set()

    def end(self, reason: str, code: str) -> None:
        """End the subscription with ``reason``; queued events are dropped (memory freed)."""
        if self.ended is not None:
            return
        self.ended = SubscriptionEnded(reason, code)
        self._queue.clear()
        self._ready.set()
        self._on_close(self)

    def close(self) -> None:
        """The client left: release everything, nothing more to say."""
        self.end("the subscription was closed", "CLOSED")

    async def next(self, wall: Callable[[], float]) -> Delivery:
        """The next delivery; raises ``SubscriptionEnded`` once ended (or the token expired)."""
        while not self._queue:
            if self.ended is not None:
                raise self.ended
            self._ready.clear()
            if self.expires_at is None:
                await self._ready.wait()
                continue
            left = self.expires_at - wall()
            try:
                if left <= 0:
                    raise TimeoutError
                await asyncio.wait_for(self._ready.wait(), left)
            except TimeoutError:
                self.end(
                    "the access token expired: subscribe again with a new one", "UNAUTHENTICATED"
                )
        self.delivered += 1
        return self._queue.popleft()
