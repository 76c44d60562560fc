"""A sleep that ends when the test says so: polling and delays move by ``tick()``."""

from __future__ import annotations

import asyncio


class Ticker:
    """``sleep`` waits for the next ``tick()``, whatever the seconds asked."""

    def __init__(self) -> None:
        self._waiting: list[asyncio.Future[None]] = []
        self.asked: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.asked.append(seconds)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(future)
        await future

    @property
    def sleepers(self) -> int:
        """Sleeps waiting now."""
        return sum(1 for f in self._waiting if not f.done())

    def tick(self) -> None:
        """End every sleep waiting now."""
        waiting, self._waiting = self._waiting, []
        for future in waiting:
            if not future.done():
                future.set_result(None)
