"""The simulated city platforms for a test session, and their fault control API."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx

from citysim.cluster import SimSettings, SimThread


class Sim:
    """A running SimThread plus helpers to make cities misbehave for the length of a block."""

    def __init__(self, thread: SimThread) -> None:
        self.thread = thread
        self.urls: Mapping[str, str] = dict(thread.urls)
        self.control_url: str = thread.control_url

    def set_fault(self, city: str, body: Mapping[str, Any]) -> None:
        """PUT the city's fault; fails the test if the control API refuses."""
        response = httpx.put(f"{self.control_url}/cities/{city}/fault", json=dict(body))
        response.raise_for_status()

    def heal(self, city: str) -> None:
        """DELETE the city's fault."""
        response = httpx.delete(f"{self.control_url}/cities/{city}/fault")
        response.raise_for_status()

    @contextmanager
    def fault(self, city: str, body: Mapping[str, Any]) -> Iterator[None]:
        """The city misbehaves inside the block and is healed after it."""
        self.set_fault(city, body)
        try:
            yield
        finally:
            self.heal(city)

    def tick(self, city: str | None = None) -> int:
        """Push the world now on every push channel (one city or all); messages sent."""
        path = "/tick" if city is None else f"/cities/{city}/tick"
        response = httpx.post(f"{self.control_url}{path}")
        response.raise_for_status()
        return int(response.json()["pushed"])

    def subscriptions(self, city: str) -> int:
        """NGSI-LD subscriptions active on the city's broker."""
        return int(self.city(city)["subscriptions"])

    def city(self, city: str) -> dict[str, Any]:
        """What ``GET /cities/{city}`` shows: fault, protection, request counts."""
        response = httpx.get(f"{self.control_url}/cities/{city}")
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    def requests(self, city: str) -> dict[str, Any]:
        """``{"total": n, "by_type": {type: n}}``: requests that reached the city."""
        counts: dict[str, Any] = self.city(city)["requests"]
        return counts

    def requests_by_city(self) -> dict[str, dict[str, Any]]:
        """City id -> its request counts (one ``GET /cities``)."""
        response = httpx.get(f"{self.control_url}/cities")
        response.raise_for_status()
        return {c["id"]: c["requests"] for c in response.json()["cities"]}

    def reset_requests(self) -> None:
        """Every city's request counts back to zero."""
        httpx.delete(f"{self.control_url}/requests").raise_for_status()

    @contextmanager
    def protected(self, city: str, body: Mapping[str, Any]) -> Iterator[None]:
        """The city asks callers for credentials inside the block (``citysim.protection``)."""
        httpx.put(
            f"{self.control_url}/cities/{city}/protection", json=dict(body)
        ).raise_for_status()
        try:
            yield
        finally:
            httpx.delete(f"{self.control_url}/cities/{city}/protection").raise_for_status()

    def revoke_tokens(self, city: str) -> int:
        """End every token the city issued; how many were alive."""
        response = httpx.post(f"{self.control_url}/cities/{city}/protection/revoke")
        response.raise_for_status()
        return int(response.json()["revoked"])

    @contextmanager
    def fault_all(self, body: Mapping[str, Any]) -> Iterator[None]:
        """Every city misbehaves inside the block."""
        try:
            for city in self.urls:
                self.set_fault(city, body)
            yield
        finally:
            for city in self.urls:
                self.heal(city)


@contextmanager
def running_sim(**settings: Any) -> Iterator[Sim]:
    """All 18 cities on ephemeral loopback ports, with the control API."""
    with SimThread(SimSettings(**settings)) as thread:
        yield Sim(thread)
