"""The gateway's ``CallbackHost``: inboxes at ``POST /notify/{secret}`` for HTTP notifications.

Each inbox has its own random secret (256 bits) in its URL; a POST to an unknown
or closed secret is refused (404), a body over ``max_body_bytes`` is refused
(413), and an inbox holds at most ``max_queued`` bodies (a platform notifying
faster than the stream reads is refused with 503 for the excess). Secrets are
never logged: the access log shows ``/notify/*``.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from enum import Enum

NOTIFY_PREFIX = "/notify/"


class Accepted(Enum):
    """What became of a POSTed notification."""

    QUEUED = 202
    UNKNOWN = 404
    FULL = 503


class Inbox:
    """One open inbox; iterate for the bodies POSTed to ``url``."""

    def __init__(self, url: str, max_queued: int) -> None:
        self._url = url
        self._queue: asyncio.Queue[bytes] = asyncio.Queue(max_queued)

    @property
    def url(self) -> str:
        """Where the platform POSTs (holds the secret)."""
        return self._url

    def put(self, body: bytes) -> Accepted:
        """Queue ``body``, unless the inbox is full."""
        try:
            self._queue.put_nowait(body)
        except asyncio.QueueFull:
            return Accepted.FULL
        return Accepted.QUEUED

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            yield await self._queue.get()


class CallbackInboxes:
    """Hands out inboxes and routes POSTed bodies to them; ``base_url()`` is the gateway's
    address as platforms reach it (``CAAP_PUBLIC_URL``, or the listening address)."""

    def __init__(
        self, base_url: Callable[[], str], max_body_bytes: int = 1 << 20, max_queued: int = 256
    ) -> None:
        self._base_url = base_url
        self.max_body_bytes = max_body_bytes
        self._max_queued = max_queued
        self._open: dict[str, Inbox] = {}

    @asynccontextmanager
    async def inbox(self) -> AsyncIterator[Inbox]:
        """A new inbox, open while the context is."""
        secret = secrets.token_urlsafe(32)
        url = self._base_url().rstrip("/") + NOTIFY_PREFIX + secret
        box = Inbox(url, self._max_queued)
        self._open[secret] = box
        try:
            yield box
        finally:
            del self._open[secret]

    def known(self, secret: str) -> bool:
        """True while the inbox of ``secret`` is open."""
        return secret in self._open

    def deliver(self, secret: str, body: bytes) -> Accepted:
        """Hand ``body`` to the inbox of ``secret``."""
        box = self._open.get(secret)
        if box is None:
            return Accepted.UNKNOWN
        return box.put(body)

    @property
    def open_count(self) -> int:
        """Inboxes open now."""
        return len(self._open)
