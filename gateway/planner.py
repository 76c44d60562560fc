"""Turn one EntityRequest into one step per city: a SourceQuery to send, or a refusal."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.contract import SourceQuery
from gateway.coverage import Coverage, CoverageStatus
from gateway.entity_request import EntityRequest
from gateway.federation.model import Federation
from gateway.policy import Principal, decide


@dataclass(frozen=True, slots=True)
class CityStep:
    """What to do for one city: ``query`` to send, or ``refusal`` (no upstream call)."""

    city_id: str
    query: SourceQuery | None
    refusal: Coverage | None = None


def plan(request: EntityRequest, federation: Federation, principal: Principal) -> list[CityStep]:
    """One step per city in scope, in federation order.

    Every matching entity of a city is asked for (up to the federation's guard),
    because the global order is computed here: platforms do not sort for us.
    """
    city_ids = request.cities if request.cities is not None else tuple(federation.cities)
    steps: list[CityStep] = []
    for city_id in city_ids:
        city = federation.cities[city_id]
        decision = decide(principal, city, request.entity_type)
        if not decision.allowed:
            refusal = Coverage(
                city_id, CoverageStatus.DENIED, message=decision.reason, code=decision.code
            )
            steps.append(CityStep(city_id, None, refusal))
            continue
        query = SourceQuery(
            entity_type=request.entity_type,
            near=request.near,
            within=request.within,
            observed_after=request.observed_after,
            observed_before=request.observed_before,
            limit=federation.options.max_entities_per_city,
        )
        steps.append(CityStep(city_id, query))
    return steps
