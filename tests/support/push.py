"""Helpers for push tests: make citysim push until a stream has something."""

from __future__ import annotations

import asyncio
from typing import TypeVar

import httpx

T = TypeVar("T")
TICKS = 100


async def tick_until(control_url: str, city: str, reading: asyncio.Future[T]) -> T:
    """Ask citysim to push (``POST /cities/{city}/tick``, a real request each time) until
    ``reading`` is done: the stream subscribes meanwhile, and a push before it has
    subscribed is lost, as on a real broker."""
    async with httpx.AsyncClient() as client:
        for _ in range(TICKS):
            (await client.post(f"{control_url}/cities/{city}/tick")).raise_for_status()
            done, _ = await asyncio.wait({reading}, timeout=0.1)
            if done:
                return reading.result()
    raise AssertionError(f"nothing arrived from {city} after {TICKS} pushes")
