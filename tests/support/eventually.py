"""Wait for a condition by yielding to the event loop, never by sleeping for a time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def until(condition: Callable[[], bool], turns: int = 1000) -> None:
    """Let other tasks run until ``condition()`` holds; fail after ``turns`` loop turns."""
    for _ in range(turns):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition did not come about")


async def settle(turns: int = 100) -> None:
    """Let the event loop run ``turns`` times: every task that is ready and every socket
    event that has arrived is handled. What has not happened by then waits on something
    else (a timer, a peer)."""
    for _ in range(turns):
        await asyncio.sleep(0)
