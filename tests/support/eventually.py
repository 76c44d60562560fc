"""Wait for a condition by yielding to the event loop, never by sleeping for a time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

BOUND_S = 60.0
"""How long ``until`` lets a condition that waits on another thread or process (a
simulated platform answering over HTTP) take before calling the run broken."""


async def until(condition: Callable[[], bool], turns: int = 1000) -> None:
    """Let other tasks run until ``condition()`` holds. The first ``turns`` loop turns yield
    only; after them the loop also gives the CPU (and the GIL) to other threads and
    processes between checks, up to ``BOUND_S`` (a bound for a broken run, not a timing):
    a condition that waits on real I/O holds when that I/O is done, however loaded the
    machine."""
    for _ in range(turns):
        if condition():
            return
        await asyncio.sleep(0)
    deadline = time.monotonic() + BOUND_S
    while time.monotonic() < deadline:
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the condition did not come about")


async def settle(turns: int = 100) -> None:
    """Let the event loop run ``turns`` times: every task that is ready and every socket
    event that has arrived is handled. What has not happened by then waits on something
    else (a timer, a peer)."""
    for _ in range(turns):
        await asyncio.sleep(0)
