"""The shared tier (``CAAP_REDIS_URL``): entries, cross-instance locks, counters, in Redis.

Every operation is short and bounded (``op_timeout_s``). When Redis fails, the
tier says so once in the log and in ``caap_cache_tier_up{tier="redis"}``, and
is skipped for ``retry_in_s`` before the next try: the gateway carries on with
its in-process tier meanwhile, answering as fast as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from gateway.clock import Clock
from gateway.ops.metrics import Metrics

T = TypeVar("T")
log = logging.getLogger("caap.cache.redis")

TIER = "redis"
_RELEASE = """
if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end
return 0
"""
_POLL_FIRST_S = 0.005
_POLL_MAX_S = 0.05


@dataclass(frozen=True, slots=True)
class Lock:
    """The outcome of ``acquire``: ``token`` when this instance holds the lock, ``held`` when
    another does; neither when Redis could not be asked."""

    token: str | None = None
    held: bool = False


class _Down(Exception):
    """Redis could not be asked (reported already)."""


class RedisTier:
    """One Redis client for entries, locks and counters, resilient to Redis going away."""

    def __init__(
        self,
        url: str,
        metrics: Metrics | None = None,
        *,
        op_timeout_s: float = 0.25,
        retry_in_s: float = 2.0,
        max_connections: int = 64,
        clock: Clock = time.monotonic,
    ) -> None:
        parts = urlsplit(url)
        self.where = f"{parts.hostname}:{parts.port or 6379}"  # never the password
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=op_timeout_s,
            socket_timeout=op_timeout_s,
            socket_connect_timeout=op_timeout_s,
            retry=Retry(NoBackoff(), 0),
        )
        self._client: Redis = Redis(connection_pool=pool)
        self._metrics = metrics
        self._op_timeout_s = op_timeout_s
        self._retry_in_s = retry_in_s
        self._clock = clock
        self._down_until = float("-inf")
        self._up: bool | None = None

    @property
    def available(self) -> bool:
        """False while the tier is skipped after a failure."""
        return self._clock() >= self._down_until

    async def get(self, key: str) -> bytes | None:
        """The bytes at ``key``; None when absent or Redis is down."""
        try:
            value = await self._do("get", lambda r: r.get(key))
        except _Down:
            return None
        return value if isinstance(value, bytes) else None

    async def set(self, key: str, data: bytes, ttl_s: float) -> None:
        """Store ``data`` at ``key`` for ``ttl_s`` seconds (best effort)."""
        ms = max(1, int(ttl_s * 1000))
        with contextlib.suppress(_Down):
            await self._do("set", lambda r: r.set(key, data, px=ms))

    async def acquire(self, key: str, ttl_s: float) -> Lock:
        """Take the lock ``key`` for ``ttl_s`` seconds unless another instance holds it."""
        token = secrets.token_hex(8)
        ms = max(1, int(ttl_s * 1000))
        try:
            taken = await self._do("lock", lambda r: r.set(key, token, nx=True, px=ms))
        except _Down:
            return Lock()
        return Lock(token=token) if taken else Lock(held=True)

    async def release(self, key: str, token: str) -> None:
        """Release the lock if this instance still holds it."""
        with contextlib.suppress(_Down):
            await self._do("unlock", lambda r: r.eval(_RELEASE, 1, key, token))

    async def wait_for(self, key: str, lock_key: str, deadline: float) -> bytes | None:
        """The bytes another instance stores at ``key`` while it holds ``lock_key``; None when
        the lock goes without them, at ``deadline`` (``time.monotonic()``), or if Redis fails."""
        delay = _POLL_FIRST_S
        while True:
            try:
                data, held = await self._do("wait", lambda r: _get_and_exists(r, key, lock_key))
            except _Down:
                return None
            if isinstance(data, bytes):
                return data
            left = deadline - time.monotonic()
            if not held or left <= 0:
                return None
            await asyncio.sleep(min(delay, left))
            delay = min(delay * 2, _POLL_MAX_S)

    async def incr(self, key: str, amount: int, ttl_s: float) -> int | None:
        """Add ``amount`` to the counter ``key`` (created with a ``ttl_s`` expiry); its new
        value, or None when Redis is down."""
        ms = max(1, int(ttl_s * 1000))
        try:
            value = await self._do("incr", lambda r: _incr(r, key, amount, ms))
        except _Down:
            return None
        return int(value)

    async def ping(self) -> bool:
        """True when Redis answers now."""
        try:
            await self._do("ping", lambda r: r.ping())
        except _Down:
            return False
        return True

    async def aclose(self) -> None:
        """Close the connections."""
        await self._client.aclose(close_connection_pool=True)

    async def _do(self, op: str, call: Callable[[Redis], Awaitable[T]]) -> T:
        if not self.available:
            raise _Down
        try:
            async with asyncio.timeout(self._op_timeout_s * 2):
                value = await call(self._client)
        except (RedisError, OSError, TimeoutError) as exc:
            self._failed(op, exc)
            raise _Down from None
        self._succeeded()
        return value

    def _failed(self, op: str, exc: BaseException) -> None:
        self._down_until = self._clock() + self._retry_in_s
        if self._metrics is not None:
            self._metrics.cache_events.labels(TIER, "error").inc()
            self._metrics.cache_tier_up.labels(TIER).set(0)
        if self._up is not False:
            log.warning(
                "redis at %s is unavailable (%s: %s); carrying on with the in-process cache, "
                "next try in %.0f s",
                self.where,
                op,
                type(exc).__name__,
                self._retry_in_s,
            )
        self._up = False

    def _succeeded(self) -> None:
        if self._up is not True:
            if self._up is False:
                log.warning(
                    "redis at %s is back; the shared cache tier is in use again", self.where
                )
            if self._metrics is not None:
                self._metrics.cache_tier_up.labels(TIER).set(1)
        self._up = True


async def _get_and_exists(client: Redis, key: str, lock_key: str) -> tuple[object, bool]:
    async with client.pipeline(transaction=False) as pipe:
        pipe.get(key)
        pipe.exists(lock_key)
        data, held = await pipe.execute()
    return data, bool(held)


async def _incr(client: Redis, key: str, amount: int, ms: int) -> int:
    async with client.pipeline(transaction=True) as pipe:
        pipe.incrby(key, amount)
        pipe.pexpire(key, ms, nx=True)
        value, _ = await pipe.execute()
    return int(value)
