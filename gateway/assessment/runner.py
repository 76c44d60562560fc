"""Run the profile's checks against each city and gather a ``Report``.

Checks of one city run together (sharing the city's samples and catalogue), the
operation checks last so they see the assessment's own requests too; cities run
a few at a time. A check that cannot run fails with the reason, never a trace.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
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
CITIES_AT_ONCE = 6
CHECK_TIMEOUT_S = 60.0
LAST_FAMILIES = frozenset({"ops"})


class UnknownCity(ValueError):
    """``--city`` names a city the federation does not have."""


async def assess(
    federation: Federation,
    adapters: Mapping[str, Adapter],
    catalogues: Mapping[str, CatalogueAdapter],
    profile: Profile,
    operation: Callable[[str], Operation],
    *,
    cities: Sequence[str] | None = None,
    trace_configs: Callable[[str], Sequence[aiohttp.TraceConfig]] | None = None,
) -> Report:
    """Measure ``profile`` for ``cities`` (default: every city of ``federation``)."""
    chosen = list(cities) if cities else list(federation.cities)
    unknown = [c for c in chosen if c not in federation.cities]
    if unknown:
        raise UnknownCity(
            f"no city {unknown[0]!r} in the federation ({', '.join(federation.cities)})"
        )
    limit = asyncio.Semaphore(CITIES_AT_ONCE)

    async def one(city_id: str) -> CityResult:
        async with limit:
            traces = list(trace_configs(city_id)) if trace_configs else []
            async with aiohttp.ClientSession(trace_configs=traces) as session:
                city = federation.cities[city_id]
                target = CityTarget(
                    city=city,
                    adapter=adapters.get(city_id),
                    catalogue=catalogues.get(city_id),
                    session=session,
                    profile=profile,
                    timeout_s=federation.timeout_for(city_id),
                    centre=centres().get(city.kommunkod),
                    operation=lambda: operation(city_id),
                )
                outcomes = await run_checks(target, profile.checks)
                return CityResult(city_id, city.name, city.kommunkod, city.adapter.kind, outcomes)

    results = await asyncio.gather(*(one(c) for c in chosen))
    return Report(profile, datetime.now(UTC), tuple(results))


async def run_checks(target: CityTarget, checks: Iterable[CheckSpec]) -> dict[str, Outcome]:
    """Every check for one city, in the profile's order (operation checks run last)."""
    ordered = list(checks)
    first = [c for c in ordered if c.family not in LAST_FAMILIES]
    last = [c for c in ordered if c.family in LAST_FAMILIES]
    found = dict(
        zip(
            [c.id for c in first],
            await asyncio.gather(*(_run(target, c) for c in first)),
            strict=True,
        )
    )
    found |= dict(
        zip(
            [c.id for c in last],
            await asyncio.gather(*(_run(target, c) for c in last)),
            strict=True,
        )
    )
    return {c.id: found[c.id] for c in ordered}


async def _run(target: CityTarget, spec: CheckSpec) -> Outcome:
    check = CHECKS.get(spec.id)
    if check is None:
        return failed(
            "the gateway cannot measure this check",
            Evidence(
                f"profile check {spec.id}",
                "no such check in gateway/assessment/checks",
                "a known check id",
            ),
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
