"""What the conformance tests give ``Platform.push`` and ``Platform.upstream_subscriptions``
for a citysim city: the control API's tick and subscription count."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from citysim.cluster import SimThread


def pusher(sim: SimThread, city: str) -> Callable[[], Awaitable[object]]:
    """``POST /cities/{city}/tick``: the city pushes its world now."""

    async def push() -> object:
        async with httpx.AsyncClient() as client:
            answer = await client.post(f"{sim.control_url}/cities/{city}/tick")
            answer.raise_for_status()
            return answer.json()

    return push


def subscription_count(sim: SimThread, city: str) -> Callable[[], Awaitable[int]]:
    """The NGSI-LD subscriptions active on the city's broker."""

    async def count() -> int:
        async with httpx.AsyncClient() as client:
            answer = await client.get(f"{sim.control_url}/cities/{city}")
            answer.raise_for_status()
            return int(answer.json()["subscriptions"])

    return count
