"""The federated discovery: which types each city offers this caller, how many, with
which attributes in which units (``types``, ``City.types``; ADR 0020).

Per city, the federation file says which types it shares and the grants say which of
them this caller may read (rows or statistics; decided by the caller of ``find_offers``,
``TypeGrant``). Only those are asked of the city's
platform (``adapters.discovery.Discovering``), through its upstream guard
(``Upstream.call``: single-flight, breaker, bulkhead, retries) and the discovery cache
(``discovery_cache.py``; the key holds the caller's policy class). The answer is then
narrowed by each grant: attributes it drops are absent; a count is withheld where it
could tell about rows the caller may not see (row rules, ``older_than_min``) or where
a statistics-only grant's ``min_group_size`` is not reached.

A type the caller may not read is listed by name only (``readable`` false, no count,
no attributes): which types a city shares is public already (``access``), what they
hold is not. A city that fails gets its coverage; its types are listed from the
federation file without counts or attributes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from adapters import (
    Adapter,
    AttributeInfo,
    Discovering,
    DiscoveryQuery,
    DiscoveryResult,
    TypeInfo,
)
from adapters.errors import AdapterError, UnsupportedQuery
from gateway.federation.model import Federation, Rules
from gateway.query.cache.keys import call_key
from gateway.query.coverage import Coverage, CoverageStatus, answered
from gateway.query.discovery_cache import DiscoveryCache
from gateway.query.fanout import Fetch, fan_out
from gateway.query.upstream import Fetched, Upstream


class Reach(Protocol):
    """What discovery needs of the Runtime in force (gateway/process/runtime.py)."""

    @property
    def federation(self) -> Federation: ...

    @property
    def adapters(self) -> Mapping[str, Adapter]: ...

    @property
    def upstream(self) -> Upstream: ...

    @property
    def discovery(self) -> DiscoveryCache: ...


@dataclass(frozen=True, slots=True)
class TypeGrant:
    """The policy decision for one caller, city and type: allowed (with the grant's rules)
    or not, and the policy class it belongs to (``gateway.policy.decisions``)."""

    allowed: bool
    rules: Rules
    policy_class: str


@dataclass(frozen=True, slots=True)
class OfferedType:
    """One type a city shares, as this caller may know it."""

    name: str
    readable: bool
    """The caller may read it (rows, or statistics only)."""
    count: int | None
    """Entities the platform holds; None when unknown or withheld."""
    attributes: tuple[AttributeInfo, ...]


@dataclass(frozen=True, slots=True)
class CityOffer:
    """What one city offers this caller, in the order of its datasets."""

    city_id: str
    types: tuple[OfferedType, ...]


@dataclass(frozen=True, slots=True)
class DiscoveryAnswer:
    """Every city in scope, and how each city's platform answered."""

    cities: Sequence[CityOffer]
    coverage: Sequence[Coverage]


@dataclass(frozen=True, slots=True)
class DiscoveryStep:
    """One city: the question (the types the caller may read), or a refusal."""

    city_id: str
    query: DiscoveryQuery
    decisions: Mapping[str, TypeGrant]
    policy_class: str
    refusal: Coverage | None = None


async def find_offers(
    grants: Mapping[str, Mapping[str, TypeGrant]], runtime: Reach, deadline: float
) -> DiscoveryAnswer:
    """Ask every city of ``grants`` (city -> each type it shares -> the caller's grant) at
    once; ``deadline`` on the monotonic clock."""
    federation = runtime.federation
    steps = [_plan(city_id, decisions, runtime) for city_id, decisions in grants.items()]
    outcomes = await fan_out(steps, discovery_fetch(runtime), federation.timeout_for, deadline)
    offers: list[CityOffer] = []
    coverage: list[Coverage] = []
    for step, outcome in zip(steps, outcomes, strict=True):
        offer = _offer(step, outcome.result)
        offers.append(offer)
        if outcome.result is None:
            coverage.append(outcome.coverage)
        else:
            coverage.append(answered(outcome.coverage, sum(t.readable for t in offer.types)))
    return DiscoveryAnswer(offers, coverage)


def _plan(city_id: str, decisions: Mapping[str, TypeGrant], runtime: Reach) -> DiscoveryStep:
    readable = tuple(name for name, d in decisions.items() if d.allowed)
    digest = hashlib.sha256("|".join(d.policy_class for d in decisions.values()).encode())
    policy = digest.hexdigest()[:32]
    step = DiscoveryStep(city_id, DiscoveryQuery(readable), decisions, policy)
    if not readable:
        nothing = Coverage(city_id, CoverageStatus.OK, count=0, message="nothing you may read")
        return DiscoveryStep(city_id, step.query, decisions, policy, nothing)
    if not isinstance(runtime.adapters[city_id], Discovering):
        unsupported = Coverage(
            city_id, CoverageStatus.UNSUPPORTED, message="the platform does not describe itself"
        )
        return DiscoveryStep(city_id, step.query, decisions, policy, unsupported)
    return step


def discovery_fetch(runtime: Reach) -> Fetch[DiscoveryStep, DiscoveryResult]:
    """Ask one city's platform through the discovery cache and the city's upstream guard;
    a cached answer stands in (stale) while the city fails."""
    cache = runtime.discovery

    async def fetch(step: DiscoveryStep, deadline: float) -> Fetched[DiscoveryResult]:
        adapter = runtime.adapters[step.city_id]
        assert isinstance(adapter, Discovering)
        key = call_key("discovery", step.city_id, step.query, step.policy_class)
        hit = cache.fresh(key)
        if hit is not None:
            return Fetched(hit)
        try:
            fetched = await runtime.upstream.call(
                step.city_id, key, lambda: adapter.discover(step.query), deadline
            )
        except AdapterError as exc:
            old = cache.on_error(key)
            if old is None or isinstance(exc, UnsupportedQuery):
                raise
            note = f"stale: described {cache.age(old):.0f} s ago; the platform failed"
            return Fetched(old.result, stale=True, note=note)
        cache.put(key, fetched.result)
        return fetched

    return fetch


def _offer(step: DiscoveryStep, result: DiscoveryResult | None) -> CityOffer:
    described = {t.name: t for t in result.types} if result is not None else {}
    types = []
    for name, decision in step.decisions.items():
        if not decision.allowed:
            types.append(OfferedType(name, False, None, ()))
        elif result is None:
            types.append(OfferedType(name, True, None, ()))
        else:
            info = described.get(name, TypeInfo(name, 0, ()))
            types.append(_narrowed(info, decision.rules))
    return CityOffer(step.city_id, tuple(types))


def _narrowed(info: TypeInfo, rules: Rules) -> OfferedType:
    """``info`` as a grant with ``rules`` lets its audience see it."""
    attributes = tuple(a for a in info.attributes if rules.shows(a.name))
    count = info.count
    if rules.where or rules.older_than_min is not None:
        count = None  # would count rows the caller does not get
    elif count is not None and rules.aggregate_only and count < (rules.min_group_size or 0):
        count = None
    return OfferedType(info.name, True, count, attributes)
