"""The federated history query: past values of one entity type, city by city.

The path of one ``history`` field. Each city is decided by the sharing policy
first (as ``entities`` is); its adapter answers when it keeps history
(``adapters.contract.HistoryAdapter``, e.g. the NGSI-LD temporal API), else the
city is UNSUPPORTED. The cities are asked as for ``entities``: the fan-out, then
each city's upstream guard (breaker, bulkhead, retries; ``Upstream.call``).
Rules apply: hidden attributes are dropped, locations are coarsened,
``older_than_min`` moves the window's end back; a grant with row filters or
statistics only gives no history (rows could not be checked). Entities come
ordered by city, then id.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from adapters.contract import (
    AGGREGATE_METHODS,
    Aggregation,
    EntityHistory,
    HistoryAdapter,
    HistoryQuery,
    HistoryResult,
)
from gateway.auth.principal import Principal
from gateway.errors import BadUserInput, ErrorCode
from gateway.federation.model import Federation, Rules
from gateway.policy.audit_trail import AuditTrail
from gateway.policy.dataset_redaction import redact_with_datasets
from gateway.policy.decisions import decide
from gateway.policy.history_redaction import redact_history
from gateway.process.runtime import Runtime
from gateway.query.cache.keys import call_key
from gateway.query.coverage import Coverage, CoverageStatus, answered
from gateway.query.fanout import Fetch, fan_out
from gateway.query.upstream import Fetched

MAX_WINDOW = timedelta(days=31)
MAX_LAST_N = 1000
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DURATION = re.compile(
    r"^P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


@dataclass(frozen=True, slots=True)
class HistoryRequest:
    """``history(...)`` once checked; ``cities`` None means all."""

    entity_type: str
    cities: tuple[str, ...] | None
    after: datetime
    before: datetime
    entity_id: str | None = None
    attrs: tuple[str, ...] | None = None
    last_n: int | None = None
    aggregation: Aggregation | None = None
    first: int = 100


@dataclass(frozen=True, slots=True)
class CityHistory:
    """One entity's history and the city it comes from."""

    city_id: str
    entity: EntityHistory


@dataclass(frozen=True, slots=True)
class HistoryAnswer:
    """The entities' histories, whether more were left out, and each city's coverage."""

    items: Sequence[CityHistory]
    truncated: bool
    coverage: Sequence[Coverage]


def history_request(
    entity_type: str,
    cities: Sequence[str] | None,
    after: datetime,
    before: datetime | None,
    federation: Federation,
    *,
    entity_id: str | None = None,
    attrs: Sequence[str] | None = None,
    last_n: int | None = None,
    method: str | None = None,
    period: str | None = None,
    first: int | None = None,
    now: datetime | None = None,
) -> HistoryRequest:
    """Check the arguments of ``history``; BadUserInput says what is wrong and where."""
    if not _NAME.match(entity_type):
        raise BadUserInput(f"type: {entity_type!r} is not an entity type name")
    for name, moment in (("from", after), ("to", before)):
        if moment is not None and moment.utcoffset() is None:
            raise BadUserInput(f"{name}: give a time zone, e.g. 2026-11-25T10:00:00Z")
    end = before if before is not None else (now or datetime.now(UTC))
    if after >= end:
        raise BadUserInput("from: must be earlier than to (or than now)")
    if end - after > MAX_WINDOW:
        raise BadUserInput(f"from/to: the window may span at most {MAX_WINDOW.days} days")
    if attrs is not None:
        bad = [a for a in attrs if not _NAME.match(a)]
        if bad or not attrs:
            raise BadUserInput(
                f"attrs: {bad[0]!r} is not an attribute name" if bad else "attrs: empty"
            )
    if last_n is not None and not 1 <= last_n <= MAX_LAST_N:
        raise BadUserInput(f"lastN: {last_n} is outside 1..{MAX_LAST_N}")
    if period is not None and method is None:
        raise BadUserInput("aggregate.period: needs aggregate.method")
    aggregation = Aggregation(method, period_seconds(period)) if method is not None else None
    if aggregation is not None and aggregation.method not in AGGREGATE_METHODS:
        raise BadUserInput(f"aggregate.method: one of {', '.join(AGGREGATE_METHODS)}")
    size = federation.options.default_page_size if first is None else first
    if not 0 <= size <= federation.options.max_page_size:
        raise BadUserInput(f"first: {first} is outside 0..{federation.options.max_page_size}")
    if cities is not None:
        unknown = [c for c in cities if c not in federation.cities]
        if unknown:
            raise BadUserInput(
                f"cities: unknown city id {', '.join(map(repr, unknown))} "
                f"(known: {', '.join(sorted(federation.cities))})"
            )
    return HistoryRequest(
        entity_type=entity_type,
        cities=tuple(dict.fromkeys(cities)) if cities is not None else None,
        after=after.astimezone(UTC),
        before=end.astimezone(UTC),
        entity_id=entity_id,
        attrs=tuple(dict.fromkeys(attrs)) if attrs is not None else None,
        last_n=last_n,
        aggregation=aggregation,
        first=size,
    )


def period_seconds(text: str | None) -> float | None:
    """An ISO 8601 duration such as PT1H in seconds (None for None), or BadUserInput."""
    if text is None:
        return None
    match = _DURATION.match(text)
    if match is None or text in ("P", "PT"):
        raise BadUserInput(f"aggregate.period: {text!r} is not an ISO 8601 duration like PT1H")
    parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    seconds = parts["d"] * 86400 + parts["h"] * 3600 + parts["m"] * 60 + parts["s"]
    if not math.isfinite(seconds) or seconds < 1:
        raise BadUserInput("aggregate.period: must be at least one second")
    return seconds


@dataclass(frozen=True, slots=True)
class HistoryStep:
    """What to do for one city: ``query`` to send, or ``refusal`` (no upstream call)."""

    city_id: str
    query: HistoryQuery | None
    refusal: Coverage | None = None
    rules: Rules | None = None
    policy_class: str = ""


async def find_history(
    request: HistoryRequest,
    runtime: Runtime,
    principal: Principal,
    deadline: float,
    audit: AuditTrail | None = None,
) -> HistoryAnswer:
    """Ask every city in scope at once; ``deadline`` on the monotonic clock."""
    federation = runtime.federation
    steps = plan_history(request, runtime, principal, audit)
    fetch = history_fetch(runtime)
    outcomes = await fan_out(steps, fetch, federation.timeout_for, deadline)
    items: list[CityHistory] = []
    coverage: list[Coverage] = []
    truncated = False
    for step, outcome in zip(steps, outcomes, strict=True):
        if outcome.result is None:
            coverage.append(outcome.coverage)
            continue
        entities = sorted(outcome.result.entities, key=lambda e: e.id)
        shown = [_redact(e, step.rules) for e in entities]
        items.extend(CityHistory(step.city_id, e) for e in shown)
        truncated = truncated or outcome.result.truncated
        note = "more entities matched than were fetched" if outcome.result.truncated else None
        coverage.append(answered(outcome.coverage, len(shown), note))
    return HistoryAnswer(items[: request.first], truncated or len(items) > request.first, coverage)


def plan_history(
    request: HistoryRequest,
    runtime: Runtime,
    principal: Principal,
    audit: AuditTrail | None,
) -> list[HistoryStep]:
    """One step per city in scope: the policy decision (recorded), then the question."""
    federation = runtime.federation
    scope = request.cities if request.cities is not None else tuple(federation.cities)
    now = datetime.now(UTC)
    steps: list[HistoryStep] = []
    for city_id in scope:
        city = federation.cities[city_id]
        decision = decide(principal, city, request.entity_type)
        if audit is not None:
            audit.record(city_id, request.entity_type, decision)
        if not decision.allowed:
            denied = Coverage(city_id, CoverageStatus.DENIED, message=decision.reason)
            steps.append(HistoryStep(city_id, None, replace(denied, code=decision.code)))
            continue
        rules = decision.rules
        if rules.where or rules.aggregate_only:
            reason = f"{city.name} shares {request.entity_type} with row "
            reason += "rules or as statistics only: no history"
            refusal = Coverage(city_id, CoverageStatus.DENIED, message=reason)
            steps.append(HistoryStep(city_id, None, replace(refusal, code=ErrorCode.FORBIDDEN)))
            continue
        if not isinstance(runtime.adapters[city_id], HistoryAdapter):
            unsupported = Coverage(
                city_id, CoverageStatus.UNSUPPORTED, message="the platform keeps no history"
            )
            steps.append(HistoryStep(city_id, None, unsupported))
            continue
        query = _query(request, rules, now)
        steps.append(HistoryStep(city_id, query, None, rules, decision.policy_class))
    return steps


def history_fetch(runtime: Runtime) -> Fetch[HistoryStep, HistoryResult]:
    """Ask one city's history adapter through the city's upstream guard."""

    async def fetch(step: HistoryStep, deadline: float) -> Fetched[HistoryResult]:
        query = step.query
        assert query is not None
        if query.attrs == () or query.after >= query.before:
            return Fetched(HistoryResult([]))  # nothing the caller may see is asked for
        adapter = runtime.adapters[step.city_id]
        assert isinstance(adapter, HistoryAdapter)
        key = call_key("history", step.city_id, query, step.policy_class)
        return await runtime.upstream.call(
            step.city_id, key, lambda: adapter.fetch_history(query), deadline
        )

    return fetch


def _query(request: HistoryRequest, rules: Rules, now: datetime) -> HistoryQuery:
    before = request.before
    if rules.older_than_min is not None:
        before = min(before, now - timedelta(minutes=rules.older_than_min))
    attrs = request.attrs
    if attrs is not None:
        attrs = tuple(a for a in attrs if rules.shows(a))
    return HistoryQuery(
        entity_type=request.entity_type,
        after=request.after,
        before=max(before, request.after),
        entity_id=request.entity_id,
        attrs=attrs,
        last_n=request.last_n,
        aggregation=request.aggregation,
        limit=request.first,
    )


def _redact(entity: EntityHistory, rules: Rules | None) -> EntityHistory:
    """What the caller gets: ``rules`` applied, then cut to what the cost prices; each
    dataset (ADR 0010) alike (gateway/policy/dataset_redaction.py)."""
    if rules is None:
        return redact_with_datasets(entity, newest_points)
    return redact_with_datasets(entity, lambda e: newest_points(redact_history(e, rules)))


def newest_points(entity: EntityHistory) -> EntityHistory:
    """``entity`` with each series cut to its newest MAX_LAST_N points: what the cost prices
    (gateway/graphql/limits/history_cost.py, Finding M3)."""
    if all(len(points) <= MAX_LAST_N for points in entity.series.values()):
        return entity
    series = {name: points[-MAX_LAST_N:] for name, points in entity.series.items()}
    return replace(entity, series=series)
