"""Identical requests in flight together share one execution and its serialised answer.

Request-level single flight (ADR 0027): a request whose response key (document, operation,
variables, the caller's policy class: ``response_cache.response_key``) names an execution
already in flight waits for that execution's answer instead of running its own, when the
execution is fresh enough for it (ADR 0025: it started no earlier than ``lifetime_s``
before the request arrived; with a lifetime of 0, only after). Each joiner then costs its
write and its audit lines (the execution's decisions, replayed for it, as a cache hit).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from gateway.clock import Clock
from gateway.graphql.response_cache import Stored
from gateway.query import arrival


@dataclass(frozen=True, slots=True)
class SharedAnswer:
    """The answer of one execution: its body and audit lines, whether it is complete, and
    its errors (each caller served counts them, ``gateway.ops.error_codes``)."""

    stored: Stored
    complete: bool
    errors: Sequence[Mapping[str, Any]] = ()


@dataclass(slots=True)
class _Execution:
    started: float
    answer: asyncio.Future[SharedAnswer | None]


class Lead:
    """The execution a request runs for itself and for those who join it."""

    def __init__(self, answer: asyncio.Future[SharedAnswer | None]) -> None:
        self._answer = answer

    def answered(self, shared: SharedAnswer) -> None:
        """Hand ``shared`` to every request that joined."""
        if not self._answer.done():
            self._answer.set_result(shared)


class SharedExecutions:
    """The newest execution in flight per response key (older ones still answer those who
    joined them)."""

    def __init__(self, lifetime_s: float, clock: Clock = time.monotonic) -> None:
        self.lifetime_s = lifetime_s
        self._clock = clock
        self._running: dict[str, _Execution] = {}

    def joinable(self, key: str) -> asyncio.Future[SharedAnswer | None] | None:
        """The answer to come of an execution of ``key`` fresh enough for the current
        request (``gateway.query.arrival``), or None: run it yourself."""
        execution = self._running.get(key)
        if execution is None:
            return None
        if execution.started < arrival.arrived(self._clock) - self.lifetime_s:
            return None
        return execution.answer

    @contextmanager
    def leading(self, key: str) -> Iterator[Lead]:
        """Run the execution of ``key`` inside; requests may join it until it ends. When it
        ends without an answer (an error, a cancelled request) its joiners get None and
        run their own."""
        execution = _Execution(self._clock(), asyncio.get_running_loop().create_future())
        self._running[key] = execution
        try:
            yield Lead(execution.answer)
        finally:
            if self._running.get(key) is execution:
                del self._running[key]
            if not execution.answer.done():
                execution.answer.set_result(None)

    def __len__(self) -> int:
        return len(self._running)


async def joined(answer: asyncio.Future[SharedAnswer | None]) -> SharedAnswer | None:
    """Wait for ``answer``; a joiner that is cancelled leaves it to the others."""
    return await asyncio.shield(answer)
