"""The in-process tier: bounded in bytes, entries dropped when of no more use."""

from __future__ import annotations

import gc
import sys
import tracemalloc
from datetime import UTC, datetime

from adapters.contract import GeoPoint, SourceEntity, SourceResult
from gateway.federation.model import CachePolicy
from gateway.query.cache.entry import Entry, Freshness
from gateway.query.cache.memory import MemoryTier
from gateway.query.cache.sizing import SAMPLE, entity_size, result_size
from tests.support.manual_clock import ManualClock

POLICY = CachePolicy(ttl_s=10, stale_while_revalidate_s=5, stale_if_error_s=60)


def result(n: int, tag: str = "") -> SourceResult:
    return SourceResult(
        [
            SourceEntity(
                f"urn:ngsi-ld:WeatherObserved:{tag}{i:05d}",
                "WeatherObserved",
                GeoPoint(55.6 + i / 1e4, 13.0),
                datetime(2026, 1, 1, tzinfo=UTC),
                {"temperature": i / 10, "name": f"station {tag}{i}", "tags": ["a", "b"]},
            )
            for i in range(n)
        ]
    )


def test_lifetimes_of_an_entry() -> None:
    entry = Entry.new(result(1), POLICY, 100.0)
    assert entry.freshness(109.9) is Freshness.FRESH
    assert entry.freshness(110.0) is Freshness.REVALIDATE
    assert entry.freshness(115.0) is Freshness.IF_ERROR
    assert entry.usable_on_error(169.9)
    assert entry.freshness(170.0) is Freshness.EXPIRED
    assert entry.expires_at == 170.0


def test_entries_expire_when_of_no_more_use() -> None:
    clock = ManualClock(100.0)
    tier = MemoryTier(1 << 20, clock)
    tier.put("k", Entry.new(result(3), POLICY, clock()))
    clock.advance(69.9)
    assert tier.get("k") is not None
    clock.advance(0.1)
    assert tier.get("k") is None


def test_least_recently_used_entries_go_first_and_the_bound_holds() -> None:
    clock = ManualClock()
    tier = MemoryTier(200_000, clock)
    for n in range(40):
        tier.put(f"k{n}", Entry.new(result(20, str(n)), POLICY, clock()))
        tier.get("k0")  # keep using the first
    assert tier.bytes <= 200_000
    assert tier.get("k0") is not None
    assert tier.get("k1") is None
    assert tier.get("k39") is not None


def test_an_entry_larger_than_the_bound_is_not_stored() -> None:
    clock = ManualClock()
    tier = MemoryTier(10_000, clock)
    assert tier.put("small", Entry.new(result(1), POLICY, clock()))
    assert not tier.put("big", Entry.new(result(500), POLICY, clock()))
    assert tier.get("big") is None
    assert tier.get("small") is not None


def test_filling_far_past_the_bound_keeps_memory_within_the_bound_plus_20_percent() -> None:
    """Acceptance: 10 times the bound written through the tier; memory by tracemalloc."""
    bound = 2 * 1024 * 1024
    clock = ManualClock()
    gc.collect()
    tracemalloc.start()
    try:
        tier = MemoryTier(bound, clock)
        baseline = tracemalloc.get_traced_memory()[0]
        written = 0
        n = 0
        while written < 10 * bound:
            answer = result(100, f"{n}-")
            written += result_size(answer)
            tier.put(f"key-{n}", Entry.new(answer, POLICY, clock()))
            n += 1
        del answer
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - baseline
    finally:
        tracemalloc.stop()
    assert tier.bytes <= bound
    assert held <= 1.2 * bound, f"{held / bound:.2f} x the bound"
    assert held >= 0.5 * bound, "the estimate should not be wildly pessimistic either"


def test_a_large_answer_is_sized_from_a_sample_and_a_small_one_exactly() -> None:
    small, large = result(SAMPLE), result(1000)

    def walked(answer: SourceResult) -> int:
        shells = sys.getsizeof(answer) + sys.getsizeof(answer.entities)
        return shells + sum(entity_size(e) for e in answer.entities)

    assert result_size(small) == walked(small)
    assert abs(result_size(large) - walked(large)) <= 0.02 * walked(large)
