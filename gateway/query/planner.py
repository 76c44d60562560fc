"""Turn one EntityRequest into one step per city: a SourceQuery to send, or a refusal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from adapters.contract import SourceQuery
from gateway.auth.principal import Principal
from gateway.federation.model import Federation, Rules
from gateway.policy.decisions import decide, decide_order
from gateway.policy.pushdown import restrict, upstream
from gateway.query.coverage import Coverage, CoverageStatus
from gateway.query.entity_request import EntityRequest

if TYPE_CHECKING:
    from gateway.policy.audit_trail import AuditTrail


@dataclass(frozen=True, slots=True)
class CityStep:
    """What to do for one city: ``query`` to send, or ``refusal`` (no upstream call)."""

    city_id: str
    query: SourceQuery | None
    refusal: Coverage | None = None
    rules: Rules | None = None
    """The rules of the grant that allowed the step, applied to the answer by
    gateway/policy/redaction.py; None: full access."""
    wanted: SourceQuery | None = None
    """The caller's question as the policy allows it; ``query`` may ask for more."""
    policy_class: str = ""
    """What the policy decision depends on (``gateway.policy.decisions.policy_class``): part of the
    cache key, so callers with different classes never share a cached answer."""


def plan(
    request: EntityRequest,
    federation: Federation,
    principal: Principal,
    audit: AuditTrail | None = None,
    *,
    statistic: str | None = None,
    now: datetime | None = None,
) -> list[CityStep]:
    """One step per city in scope, in federation order.

    Every matching entity of a city is asked for (up to the federation's guard),
    because the global order is computed here: platforms do not sort for us.
    ``statistic``: only statistics of that attribute are asked for.
    """
    city_ids = request.cities if request.cities is not None else tuple(federation.cities)
    at = now or datetime.now(UTC)
    by_location = request.near is not None or request.within is not None
    steps: list[CityStep] = []
    for city_id in city_ids:
        city = federation.cities[city_id]
        decision = decide(
            principal,
            city,
            request.entity_type,
            statistic=statistic,
            by_location=by_location,
            filtered=[c.attribute for c in request.where],
        )
        decision = decide_order(decision, city, request.entity_type, request.order.attribute)
        if audit is not None:
            audit.record(city_id, request.entity_type, decision, statistic)
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
            where=request.where,
        )
        wanted = restrict(query, decision.rules, at)
        sent = upstream(wanted, decision.rules, statistic)
        steps.append(
            CityStep(
                city_id,
                sent,
                rules=decision.rules,
                wanted=wanted,
                policy_class=decision.policy_class,
            )
        )
    return steps
