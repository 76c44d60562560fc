"""One upstream stream per (city, type, push-down), shared by every subscriber.

It runs while at least one subscriber holds it (``acquire``/``release``; the hub
counts). Where the adapter implements ``Streaming`` the platform pushes; when
that channel fails (or is not offered) the city is polled, and push is tried
again every ``push_retry_s``. State changes are announced to the listeners as
``StreamChange`` events: POLLING (fell back), DOWN (nothing reaches the city),
BACK (events flow again).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from adapters import CallbackHost, Streaming, StreamQuery
from adapters.contract import Adapter, SourceEntity, SourceQuery
from adapters.errors import AdapterError, UpstreamUnavailable
from gateway.clock import Clocks
from gateway.live.changes import ChangeDetector
from gateway.live.events import EntityChange, Event, StreamChange, StreamState, Via
from gateway.live.polling import Poller
from gateway.query.coverage import CoverageStatus, coverage_for_error
from gateway.query.upstream import Upstream

log = logging.getLogger("caap.live")


@dataclass(frozen=True, slots=True)
class StreamKey:
    """What makes two subscriptions share an upstream stream: the city and the push-down."""

    city_id: str
    query: StreamQuery


@dataclass(frozen=True, slots=True)
class StreamTiming:
    """How often a city is polled, and how soon a failed push channel is tried again."""

    poll_s: float = 10.0
    push_retry_s: float = 30.0
    limit: int = 1000
    """The most entities one poll asks for (``gateway.max_entities_per_city``)."""


Listener = Callable[[Event], None]


class UpstreamStream:
    """The changes of one (city, type, push-down), pushed or polled, to every listener."""

    def __init__(
        self,
        key: StreamKey,
        adapter: Adapter,
        upstream: Upstream,
        callbacks: CallbackHost,
        timing: StreamTiming,
        timeout_s: float,
        clocks: Clocks,
        listener: Listener,
    ) -> None:
        self.key = key
        self._adapter = adapter
        self._callbacks = callbacks
        self._timing = timing
        self._clocks = clocks
        self._listener = listener
        self._detector = ChangeDetector()
        q = key.query
        poll_query = SourceQuery(
            entity_type=q.entity_type, attrs=q.attrs, where=q.where, limit=timing.limit
        )
        self.poller = Poller(key.city_id, poll_query, adapter, upstream, timeout_s, self._detector)
        self.holders = 0
        self.via: Via | None = None
        """How events arrive now; None while nothing reaches the city."""
        self.trouble: StreamState | None = None
        """POLLING (the push channel failed) or DOWN (nothing reaches the city); None: fine."""
        self.trouble_status = CoverageStatus.OK
        self.trouble_message: str | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        """True while this process reads the city (with Redis: while it holds the lease)."""
        return self._task is not None

    @property
    def primed(self) -> bool:
        """True once the stream knows the city's state (a first poll or push arrived)."""
        return self._detector.primed

    @property
    def pushes(self) -> bool:
        """True when the adapter offers a push channel."""
        return isinstance(self._adapter, Streaming)

    def start(self) -> None:
        """Begin reading (once)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def aclose(self) -> None:
        """Stop reading; the adapter removes what it created on the platform."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            if self.pushes:
                await self._baseline()
                await self._push()
            await self._poll_until(self._clocks.monotonic() + self._timing.push_retry_s)

    async def _baseline(self) -> None:
        """One poll before the push channel opens, so that pushes emit only what changed
        since the subscription began (a broker's first notification repeats the state)."""
        if self._detector.primed:
            return
        try:
            await self.poller.changes()
        except AdapterError:
            return  # the push channel, or the polling after it, tells what is wrong

    async def _push(self) -> None:
        adapter = self._adapter
        assert isinstance(adapter, Streaming)
        stream = adapter.stream_entities(self.key.query, self._callbacks)
        try:
            async for entity in stream:
                self._flowing(Via.PUSH)
                if self._detector.note(entity):
                    self._emit(entity, Via.PUSH)
            error: BaseException = UpstreamUnavailable("the push channel ended")
        except AdapterError as exc:
            error = exc
        except Exception as exc:  # an adapter bug: polled instead, loudly
            log.exception("city %s: the push channel failed inside the adapter", self.key.city_id)
            error = exc
        finally:
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                await aclose()
        log.info("city %s: push channel down (%s); polling", self.key.city_id, error)
        cov = coverage_for_error(self.key.city_id, error)
        self._announce(StreamState.POLLING, cov.status, cov.message)

    async def _poll_until(self, until: float) -> None:
        """Poll every ``poll_s``; forever when the adapter cannot push."""
        while not self.pushes or self._clocks.monotonic() < until:
            try:
                changed = await self.poller.changes()
            except AdapterError as exc:
                cov = coverage_for_error(self.key.city_id, exc)
                self.via = None
                self._announce(StreamState.DOWN, cov.status, cov.message)
            else:
                self._flowing(Via.POLL)
                for entity in changed:
                    self._emit(entity, Via.POLL)
            await self._clocks.sleep(self._timing.poll_s)

    def _flowing(self, via: Via) -> None:
        """Events reach the city by ``via``: BACK is announced when that ends a trouble."""
        self.via = via
        trouble = self.trouble
        if trouble is None or (via is Via.POLL and trouble is StreamState.POLLING):
            return
        self.trouble = StreamState.POLLING if via is Via.POLL and self.pushes else None
        self._tell(StreamState.BACK, CoverageStatus.OK, via=via)

    def _emit(self, entity: SourceEntity, via: Via) -> None:
        self._listener(EntityChange(self.key.city_id, entity, self._clocks.wall(), via))

    def _announce(
        self, state: StreamState, status: CoverageStatus, message: str | None = None
    ) -> None:
        """A trouble (POLLING, DOWN), told once until it ends."""
        if self.trouble is state:
            return
        self.trouble = state
        self.trouble_status, self.trouble_message = status, message
        self._tell(state, status, message)

    def current(self) -> StreamChange | None:
        """The trouble in force, for a subscriber who joins now; None when events flow."""
        if self.trouble is None:
            return None
        return StreamChange(
            self.key.city_id,
            self.trouble,
            self.trouble_status,
            self._clocks.wall(),
            self.trouble_message,
        )

    def _tell(
        self,
        state: StreamState,
        status: CoverageStatus,
        message: str | None = None,
        via: Via | None = None,
    ) -> None:
        change = StreamChange(self.key.city_id, state, status, self._clocks.wall(), message, via)
        self._listener(change)
