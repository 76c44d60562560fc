"""Run the profile's checks against each city and gather a ``Report``.

Two phases: first every check but the operation ones, a few cities at a time (checks of
one city share its samples and catalogue); then the operation checks of every city,
when no validation competes with the requests they time. A check that cannot run fails
with the reason, never a trace.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime

import aiohttp

from adapters.contract import Adapter, CatalogueAdapter
from gateway.assessment.checks import CHECKS
from gateway.assessment.evidence import Evidence, Outcome, failed
from gateway.assessment.municipalities import centres
from gateway.assessment.profile import CheckSpec, Profile
from gateway.assessment.report import CityResult, Report
from gateway.assessment.target import CityTarget, Operation
from gateway.federation.model import Federation

log = logging.getLogger("caap.assessment")
CITIES_AT_ONCE = 4
CHECK_TIMEOUT_S = 60.0
LAST_FAMILIES = frozenset({"ops"})


class UnknownCity(ValueError):
    """``--city`` names a city the federation does not have."""


async def assess(
    federation: Federation,
    adapters: Mapping[str, Adapter],
    catalogues: Mapping[str, CatalogueAdapter],
    profile: Profile,
    operation: Callable[[CityTarget], Awaitable[Operation]],
    *,
    cities: Sequence[str] | None = None,
) -> Report:
    """Measure ``profile`` for ``cities`` (default: every city of ``federation``)."""
    chosen = list(cities) if cities else list(federation.cities)
    unknown = [c for c in chosen if c not in federation.cities]
    if unknown:
        known = ", ".join(federation.cities)
        raise UnknownCity(f"no city {unknown[0]!r} in the federation ({known})")
    first = [c for c in profile.checks if c.family not in LAST_FAMILIES]
    last = [c for c in profile.checks if c.family in LAST_FAMILIES]
    limit = asyncio.Semaphore(CITIES_AT_ONCE)

    async def phase(target: CityTarget, checks: list[CheckSpec]) -> dict[str, Outcome]:
        async with limit:
            return await run_checks(target, checks)

    async with contextlib.AsyncExitStack() as stack:
        targets = []
        for city_id in chosen:
            city = federation.cities[city_id]
            session = await stack.enter_async_context(aiohttp.ClientSession())
            targets.append(
                CityTarget(
                    city=city,
                    adapter=adapters.get(city_id),
                    catalogue=catalogues.get(city_id),
                    session=session,
                    profile=profile,
                    timeout_s=federation.timeout_for(city_id),
                    centre=centres().get(city.kommunkod),
                    operation=operation,
                )
            )
        early = await asyncio.gather(*(phase(t, first) for t in targets))
        late = await asyncio.gather(*(phase(t, last) for t in targets))
    results = []
    for target, found, more in zip(targets, early, late, strict=True):
        outcomes = {**found, **more}
        ordered = {c.id: outcomes[c.id] for c in profile.checks}
        city = target.city
        results.append(CityResult(city.id, city.name, city.kommunkod, city.adapter.kind, ordered))
    return Report(profile, datetime.now(UTC), tuple(results))


async def run_checks(target: CityTarget, checks: Sequence[CheckSpec]) -> dict[str, Outcome]:
    """``checks`` for one city, together; by check id."""
    outcomes = await asyncio.gather(*(_run(target, c) for c in checks))
    return {c.id: o for c, o in zip(checks, outcomes, strict=True)}


async def _run(target: CityTarget, spec: CheckSpec) -> Outcome:
    check = CHECKS.get(spec.id)
    if check is None:
        return failed(
            "the gateway cannot measure this check",
            Evidence(f"profile check {spec.id}", "no such check here", "a known check id"),
        )
    try:
        return await asyncio.wait_for(check(target), CHECK_TIMEOUT_S)
    except TimeoutError:
        return failed(
            f"no result within {CHECK_TIMEOUT_S:g} s", Evidence(spec.id, "timed out", "a result")
        )
    except Exception as exc:  # a check must not break the report; the log has the trace
        log.exception("check %s for %s failed", spec.id, target.id)
        return failed(
            f"the check could not run: {type(exc).__name__}",
            Evidence(spec.id, str(exc)[:300], "a result"),
        )
