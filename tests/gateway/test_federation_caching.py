"""The federation file's cache and resilience sections: read into the model, or reported."""

from __future__ import annotations

import textwrap
from typing import Any, ClassVar, cast

import pytest

from adapters.contract import AdapterFactory
from adapters.registry import AdapterRegistry, Registered
from gateway.federation import FederationError, parse_federation
from gateway.federation.model import (
    CacheOptions,
    CacheOverride,
    CachePolicy,
    Federation,
    ResilienceOptions,
)


class Stub:
    kind: ClassVar[str] = "stub"

    @classmethod
    def validate_config(cls, config: Any) -> object:
        return dict(config)


REGISTRY = AdapterRegistry([Registered("stub", cast(AdapterFactory, Stub), "tests")])


def load(gateway: str = "", dataset: str = "{access: public}") -> Federation:
    text = (
        textwrap.dedent(gateway)
        + "cities:\n  malmo:\n    name: Malmö\n    kommunkod: '1280'\n"
        + "    adapter: {kind: stub}\n"
        + f"    datasets:\n      WeatherObserved: {dataset}\n"
    )
    return parse_federation(text, "federation.yaml", REGISTRY, {})


def problems(gateway: str = "", dataset: str = "{access: public}") -> list[str]:
    with pytest.raises(FederationError) as caught:
        load(gateway, dataset)
    return [f"{p.key}: {p.message}" for p in caught.value.problems]


def test_defaults() -> None:
    options = load().options
    assert options.cache == CacheOptions(256 * 1024 * 1024, CachePolicy(30, 30, 300))
    assert options.resilience == ResilienceOptions()
    assert load().cache_override("malmo", "WeatherObserved") is None


def test_every_key_is_read() -> None:
    federation = load(
        """
        gateway:
          cache: {max_bytes: 64 MiB, ttl_s: 5, stale_while_revalidate_s: 0, stale_if_error_s: 600}
          resilience:
            retries: 0
            retry_budget: 0
            backoff_s: 0.1
            max_backoff_s: 2
            max_response_bytes: 1 MiB
            breaker: {failure_ratio: 0.25, min_calls: 10, window_s: 60, open_s: 5}
            bulkhead: {max_concurrent: 4, max_waiting: 0}
        """,
        "{access: public, cache: {ttl_s: 120}}",
    )
    assert federation.options.cache == CacheOptions(64 * 1024 * 1024, CachePolicy(5, 0, 600))
    assert federation.options.resilience == ResilienceOptions(
        retries=0,
        retry_budget=0.0,
        backoff_s=0.1,
        max_backoff_s=2.0,
        max_response_bytes=1024 * 1024,
        breaker_failure_ratio=0.25,
        breaker_min_calls=10,
        breaker_window_s=60.0,
        breaker_open_s=5.0,
        max_concurrent=4,
        max_waiting=0,
    )
    assert federation.cache_override("malmo", "WeatherObserved") == CacheOverride(ttl_s=120)


@pytest.mark.parametrize(
    ("gateway", "problem"),
    [
        (
            "{cache: {ttl: 5}}",
            "gateway.cache.ttl: unknown key (allowed: max_bytes, ttl_s, "
            "stale_while_revalidate_s, stale_if_error_s)",
        ),
        ("{cache: {ttl_s: -1}}", "gateway.cache.ttl_s: must be a number of seconds, 0 or more"),
        (
            "{cache: {max_bytes: 12 parsecs}}",
            "gateway.cache.max_bytes: must be a size of at least 1 KiB",
        ),
        (
            "{resilience: {retries: -1}}",
            "gateway.resilience.retries: must be a whole number, 0 or more",
        ),
        (
            "{resilience: {breaker: {failure_ratio: 1.5}}}",
            "gateway.resilience.breaker.failure_ratio: must be a share from above 0 to 1",
        ),
        (
            "{resilience: {breaker: {open_s: 0}}}",
            "gateway.resilience.breaker.open_s: must be more than 0 seconds",
        ),
        (
            "{resilience: {bulkhead: {max_concurrent: 0}}}",
            "gateway.resilience.bulkhead.max_concurrent: must be a whole number, 1 or more",
        ),
        (
            "{resilience: {backoff_s: 5, max_backoff_s: 1}}",
            "gateway.resilience.backoff_s: must be at most max_backoff_s (1)",
        ),
        (
            "{resilience: {breaker: 3}}",
            "gateway.resilience.breaker: must be a mapping with keys failure_ratio, min_calls, "
            "window_s, open_s",
        ),
    ],
)
def test_gateway_problems(gateway: str, problem: str) -> None:
    found = problems(f"gateway: {gateway}\n")
    assert len(found) == 1
    assert found[0].startswith(problem)


def test_dataset_problems() -> None:
    assert problems(dataset="{access: public, cache: {ttl_s: soon}}") == [
        "cities.malmo.datasets.WeatherObserved.cache.ttl_s: "
        "must be a number of seconds, 0 or more, such as 30"
    ]
