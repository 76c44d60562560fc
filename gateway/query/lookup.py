"""One entity by city and id (``entity(city, id)``; ADR 0020), under the same policy as a
row of ``entities``.

The caller's readable types of the city are decided first (a type shared only as
statistics is not readable). Where the city's adapter fetches by id
(``adapters.lookup.Lookup``) it is asked once, through the city's upstream guard
(``Upstream.call``); otherwise each readable type is asked for through the entity
path (``Upstream.fetch``: the same cached answers ``entities`` uses) and the id
looked for. Either way the entity found is planned and filtered exactly as an
``entities`` row of its type (``planner.plan``, ``filtering.visible``): the grant's
rules apply, a row the caller may not see is not found.

Not found, an unknown city, a city with nothing the caller may read and an entity of
a type the caller may not read all answer the same (no existence leak). A city that
fails gives its coverage (and ``errors[]`` entry) instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from adapters.contract import SourceEntity
from adapters.lookup import Lookup, LookupQuery
from gateway.auth.principal import Principal
from gateway.policy.audit_trail import AuditTrail
from gateway.policy.decisions import decide
from gateway.process.runtime import Runtime
from gateway.query.cache.keys import call_key
from gateway.query.coverage import Coverage, CoverageStatus
from gateway.query.entity_request import EntityRequest
from gateway.query.fanout import fan_out
from gateway.query.filtering import visible
from gateway.query.planner import CityStep, plan
from gateway.query.upstream import Fetched

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
    runtime: Runtime,
    principal: Principal,
    deadline: float,
    audit: AuditTrail | None = None,
) -> LookupAnswer:
    """The entity ``entity_id`` of ``city_id`` as this caller may see it; ``deadline`` on the
    monotonic clock."""
    federation = runtime.federation
    city = federation.cities.get(city_id)
    if city is None or not entity_id or len(entity_id) > MAX_ID_LENGTH:
        return LookupAnswer(None, ())
    decisions = {name: decide(principal, city, name) for name in city.datasets}
    readable = tuple(name for name, d in decisions.items() if d.allowed)
    if not readable:
        return LookupAnswer(None, ())
    adapter = runtime.adapters[city_id]
    if not isinstance(adapter, Lookup):
        return await _through_lists(
            city_id, entity_id, readable, runtime, principal, deadline, audit
        )
    policy = "|".join(decisions[t].policy_class or t for t in readable)
    step = LookupStep(city_id, LookupQuery(entity_id, readable), policy)

    async def fetch(s: LookupStep, until: float) -> Fetched[SourceEntity | None]:
        key = call_key("lookup", s.city_id, s.query, s.policy_class)
        return await runtime.upstream.call(
            s.city_id, key, lambda: adapter.fetch_entity(s.query), until
        )

    (outcome,) = await fan_out([step], fetch, federation.timeout_for, deadline)
    if outcome.result is None:
        failed = outcome.coverage.status is not CoverageStatus.OK
        return LookupAnswer(None, (outcome.coverage,) if failed else ())
    found = outcome.result
    if found.type not in readable:
        return LookupAnswer(None, ())
    (row_step,) = _steps(city_id, (found.type,), runtime, principal, audit)
    shown = visible([found], row_step)
    return LookupAnswer(shown[0] if shown else None, ())


async def _through_lists(
    city_id: str,
    entity_id: str,
    readable: tuple[str, ...],
    runtime: Runtime,
    principal: Principal,
    deadline: float,
    audit: AuditTrail | None,
) -> LookupAnswer:
    """Look for ``entity_id`` in the answer to each readable type (the entity cache's)."""
    steps = _steps(city_id, readable, runtime, principal, audit)
    outcomes = await fan_out(
        steps, runtime.upstream.fetch, runtime.federation.timeout_for, deadline
    )
    failures: list[Coverage] = []
    for step, outcome in zip(steps, outcomes, strict=True):
        if outcome.result is None:
            if outcome.coverage.code is not None and not failures:
                failures.append(outcome.coverage)
            continue
        rows = [e for e in outcome.result.entities if e.id == entity_id]
        shown = visible(rows, step)
        if shown:
            return LookupAnswer(shown[0], ())
    return LookupAnswer(None, failures)


def _steps(
    city_id: str,
    types: tuple[str, ...],
    runtime: Runtime,
    principal: Principal,
    audit: AuditTrail | None,
) -> list[CityStep]:
    """The ``entities`` step of each type in ``city_id`` for this caller."""
    steps: list[CityStep] = []
    for entity_type in types:
        request = EntityRequest(entity_type, (city_id,), None, None, None, None, 1, None)
        steps.extend(plan(request, runtime.federation, principal, audit))
    return steps
