"""Adapters with one bug each, under the conformance kit (run by test_kit_catches_broken_adapters).

Not collected by a plain ``pytest`` run (the name does not start with ``test_``):
these classes are meant to fail. Each is the example CitySense adapter with one
thing done wrong, as a city might.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any, ClassVar

import aiohttp
import pytest
from caap_citysense import CitySenseAdapter
from caap_citysense.sample import EXPECTED, STATIONS, TOKEN
from caap_citysense.stub import StubServer

from adapters.contract import AdapterContext, Capabilities, SourceQuery, SourceResult
from adapters.errors import UpstreamError
from adapters.testing import AdapterConformance, Platform


@pytest.fixture(scope="module")
def platform() -> Iterator[Platform]:
    with StubServer(STATIONS, token=TOKEN) as server:
        yield Platform(server.url, {"WeatherObserved": EXPECTED})


class IgnoresAttrs(CitySenseAdapter):
    async def fetch_entities(self, query: SourceQuery) -> SourceResult:
        return await super().fetch_entities(replace(query, attrs=None))


class IgnoresLimit(CitySenseAdapter):
    async def fetch_entities(self, query: SourceQuery) -> SourceResult:
        return await super().fetch_entities(replace(query, limit=10_000, offset=0))


class NaiveTimes(CitySenseAdapter):
    async def fetch_entities(self, query: SourceQuery) -> SourceResult:
        result = await super().fetch_entities(query)
        local = [
            replace(e, observed_at=e.observed_at.astimezone().replace(tzinfo=None))
            for e in result.entities
            if e.observed_at is not None
        ]
        return replace(result, entities=local)


class Fahrenheit(CitySenseAdapter):
    async def fetch_entities(self, query: SourceQuery) -> SourceResult:
        result = await super().fetch_entities(query)
        kept = [replace(e, attributes=_fahrenheit(e.attributes)) for e in result.entities]
        return replace(result, entities=kept)


def _fahrenheit(attributes: Mapping[str, Any]) -> dict[str, Any]:
    if "temperature" not in attributes:
        return dict(attributes)
    return {**attributes, "temperature": attributes["temperature"] * 1.8 + 32}


class SwallowsErrors(CitySenseAdapter):
    async def fetch_entities(self, query: SourceQuery) -> SourceResult:
        try:
            return await super().fetch_entities(query)
        except UpstreamError:
            return SourceResult([])


class UntypedErrors(CitySenseAdapter):
    async def fetch_entities(self, query: SourceQuery) -> SourceResult:
        try:
            return await super().fetch_entities(query)
        except UpstreamError as exc:
            raise RuntimeError(f"CitySense failed: {exc}") from exc


class SharedCache(CitySenseAdapter):
    cache: ClassVar[dict[str, SourceResult]] = {}

    async def fetch_entities(self, query: SourceQuery) -> SourceResult:
        if query.entity_type not in self.cache:
            self.cache[query.entity_type] = await super().fetch_entities(
                replace(query, limit=10_000, offset=0, attrs=None)
            )
        full = self.cache[query.entity_type]
        return replace(full, entities=full.entities[query.offset : query.offset + query.limit])


class ClosesOnce(CitySenseAdapter):
    def __init__(self, config: Mapping[str, Any], context: AdapterContext) -> None:
        super().__init__(config, context)
        self.open = True

    async def aclose(self) -> None:
        if not self.open:
            raise RuntimeError("already closed")
        self.open = False
        await super().aclose()


class LogsItsToken(CitySenseAdapter):
    def __init__(self, config: Mapping[str, Any], context: AdapterContext) -> None:
        super().__init__(config, context)
        context.logger.info("connecting with token %s", self.config.api_token)


class WrongNear(CitySenseAdapter):
    @property
    def capabilities(self) -> Capabilities:
        return replace(super().capabilities, filters=frozenset({"near"}))

    async def fetch_entities(self, query: SourceQuery) -> SourceResult:
        result = await super().fetch_entities(replace(query, near=None))
        if query.near is None:
            return result
        centre = query.near.point  # compares degrees with metres
        kept = [
            e
            for e in result.entities
            if e.location
            and abs(e.location.lat - centre.lat) * 1000 < query.near.max_distance_m / 10
        ]
        return replace(result, entities=kept)


class FollowsRedirects(CitySenseAdapter):
    async def fetch_entities(self, query: SourceQuery) -> SourceResult:
        async with aiohttp.ClientSession() as session:
            url = f"{self.config.url}/api/v1/stations?kind=weather"
            async with session.get(url) as response:  # follows redirects, checks nothing
                if response.status != 200:
                    raise UpstreamError(f"HTTP {response.status}", status=response.status)
        return await super().fetch_entities(query)


class Base(AdapterConformance):
    secrets = (TOKEN,)
    timeout_s = 0.2

    def config_for(self, url: str) -> dict[str, Any]:
        return {"url": url, "api_token": TOKEN, "per_page": 3}


BROKEN: dict[str, tuple[type[CitySenseAdapter], str, str]] = {
    "IgnoresAttrs": (IgnoresAttrs, "test_only_the_requested_attributes", "asked for"),
    "IgnoresLimit": (IgnoresLimit, "test_limit_is_honoured", "limit="),
    "NaiveTimes": (NaiveTimes, "test_entities_match_the_ground_truth", "timezone-aware UTC"),
    "Fahrenheit": (Fahrenheit, "test_entities_match_the_ground_truth", "temperature ="),
    "SwallowsErrors": (SwallowsErrors, "test_a_failing_platform_gives_a_typed_error", "no error"),
    "UntypedErrors": (UntypedErrors, "test_a_failing_platform_gives_a_typed_error", "RuntimeError"),
    "SharedCache": (SharedCache, "test_instances_share_no_state", "no error but"),
    "ClosesOnce": (ClosesOnce, "test_aclose_is_idempotent", "already closed"),
    "LogsItsToken": (LogsItsToken, "test_kind_and_contract_members", "logged a secret"),
    "WrongNear": (WrongNear, "test_near", "outside the pushed-down circle"),
    "FollowsRedirects": (
        FollowsRedirects,
        "test_a_redirect_to_another_host_is_not_followed",
        "followed a redirect",
    ),
}
"""Broken class name -> (adapter, the check that must fail, words its failure must say)."""


class TestGood(Base):
    adapter_class = CitySenseAdapter


for _name, (_adapter, _check, _words) in BROKEN.items():
    globals()[f"Test{_name}"] = type(f"Test{_name}", (Base,), {"adapter_class": _adapter})
