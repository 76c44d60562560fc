"""The cache of per-city upstream answers: two tiers, single-flight, RFC 5861 staleness.

::

    keys.py          city + normalised SourceQuery + policy class
    entry.py         an answer and its lifetimes (fresh, stale-while-revalidate, stale-if-error)
    cache_control.py the platform's Cache-Control and the federation file -> lifetimes
    memory.py        in-process tier, bounded in bytes (sizing.py estimates them)
    redis_tier.py    shared tier: entries, cross-instance locks, counters; survives Redis outages
    codec.py         entries as bytes for Redis
    tiers.py         both tiers as one
    singleflight.py  concurrent identical misses share one call
    counters.py      fixed-window counters for rate limits

``gateway/query/upstream.py`` uses them around each city's guarded adapter.
"""

from gateway.query.cache.counters import Counters, LocalCounters, SharedCounters
from gateway.query.cache.entry import Entry, Freshness
from gateway.query.cache.keys import cache_key
from gateway.query.cache.memory import MemoryTier
from gateway.query.cache.redis_tier import RedisTier
from gateway.query.cache.singleflight import SingleFlight
from gateway.query.cache.tiers import ResultCache

__all__ = [
    "Counters",
    "Entry",
    "Freshness",
    "LocalCounters",
    "MemoryTier",
    "RedisTier",
    "ResultCache",
    "SharedCounters",
    "SingleFlight",
    "cache_key",
]
