"""One entity by city and id (``entity(city, id)``; ADR 0020), under the same policy as a
row of ``entities``.

The caller's readable types of the city are decided first, by the caller of
``find_entity`` (a type shared only as statistics is not readable). Where the city's
adapter fetches by id (``adapters.lookup.Lookup``) it is asked once, through the city's
upstream guard (``Upstream.call``); otherwise each readable type is asked for through
the entity path (``Upstream.fetch``: the same cached answers ``entities`` uses; the
type an ``urn:ngsi-ld:<Type>:...`` id names first) and the id looked for. Either way
the entity found is filtered exactly as an ``entities`` row of its type (``row_step``:
the planner's step for that type; ``filtering.visible``): the grant's rules apply, a
row the caller may not see is not found.

Not found, an unknown city, a city with nothing the caller may read and an entity of
a type the caller may not read all answer the same (no existence leak). A city that
fails gives its coverage (and ``errors[]`` entry) instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from adapters import Lookup, LookupQuery, SourceEntity
from gateway.query.cache.keys import call_key
from gateway.query.coverage import Coverage, CoverageStatus
from gateway.query.discovery import Reach
from gateway.query.fanout import fan_out
from gateway.query.filtering import visible
from gateway.query.planner import CityStep
from gateway.query.upstream import Fetched

RowStep = Callable[[str], CityStep]
"""The ``entities`` step of a type in the city, for this caller (``planner.plan``)."""

MAX_ID_LENGTH = 512


@dataclass(frozen=True, slots=True)
class LookupAnswer:
    """The entity (None: not found or not visible), and the city's coverage when it was asked."""

    entity: SourceEntity | None
    coverage: Sequence[Coverage]


@dataclass(frozen=True, slots=True)
class LookupStep:
    """The one question to a city that fetches by id."""

    city_id: str
    query: LookupQuery
    policy_class: str
    refusal: Coverage | None = None


async def find_entity(
    city_id: str,
    entity_id: str,
    readable: tuple[str, ...],
    policy_class: str,
    row_step: RowStep,
    runtime: Reach,
    deadline: float,
) -> LookupAnswer:
    """The entity ``entity_id`` of ``city_id`` as this caller may see it: one of the
    ``readable`` types, shown as ``row_step`` of its type allows; ``deadline`` on the
    monotonic clock."""
    if not readable or not entity_id or len(entity_id) > MAX_ID_LENGTH:
        return LookupAnswer(None, ())
    adapter = runtime.adapters[city_id]
    if not isinstance(adapter, Lookup):
        return await _through_lists(entity_id, readable, row_step, runtime, deadline)
    step = LookupStep(city_id, LookupQuery(entity_id, readable), policy_class)

    async def fetch(s: LookupStep, until: float) -> Fetched[SourceEntity | None]:
        key = call_key("lookup", s.city_id, s.query, s.policy_class)
        return await runtime.upstream.call(
            s.city_id, key, lambda: adapter.fetch_entity(s.query), until
        )

    (outcome,) = await fan_out([step], fetch, runtime.federation.timeout_for, deadline)
    if outcome.result is None:
        failed = outcome.coverage.status is not CoverageStatus.OK
        return LookupAnswer(None, (outcome.coverage,) if failed else ())
    found = outcome.result
    if found.type not in readable:
        return LookupAnswer(None, ())
    shown = visible([found], row_step(found.type))
    return LookupAnswer(shown[0] if shown else None, ())


async def _through_lists(
    entity_id: str,
    readable: tuple[str, ...],
    row_step: RowStep,
    runtime: Reach,
    deadline: float,
) -> LookupAnswer:
    """Look for ``entity_id`` in the answer to each readable type (the entity cache's): the
    type an ``urn:ngsi-ld:<Type>:...`` id names first, the others only if it is not there."""
    parts = entity_id.split(":")
    named = tuple(t for t in readable if len(parts) > 3 and parts[2] == t)
    failures: list[Coverage] = []
    for types in (named, tuple(t for t in readable if t not in named)):
        steps = [row_step(t) for t in types]
        outcomes = await fan_out(
            steps, runtime.upstream.fetch, runtime.federation.timeout_for, deadline
        )
        for step, outcome in zip(steps, outcomes, strict=True):
            if outcome.result is None:
                if outcome.coverage.code is not None and not failures:
                    failures.append(outcome.coverage)
                continue
            shown = visible([e for e in outcome.result.entities if e.id == entity_id], step)
            if shown:
                return LookupAnswer(shown[0], ())
    return LookupAnswer(None, failures)
