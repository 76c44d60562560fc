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
