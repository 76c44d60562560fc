"""The federated history query: past values of one entity type, city by city.

The path of one ``history`` field. Each city is decided by the sharing policy
first (as ``entities`` is); its adapter answers when it keeps history
(``adapters.contract.HistoryAdapter``, e.g. the NGSI-LD temporal API), else the
city is UNSUPPORTED. Rules apply: hidden attributes are dropped, locations are
coarsened, ``older_than_min`` moves the window's end back; a grant with row filters
or statistics only gives no history (rows could not be checked). Entities come
ordered by city, then id.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
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
from adapters.errors import AdapterError, UpstreamTimeout
from gateway.errors import BadUserInput, ErrorCode
from gateway.federation.model import Federation, Rules
from gateway.policy.dataset_redaction import redact_with_datasets
from gateway.policy.decisions import Principal, decide
from gateway.policy.history_redaction import redact_history
from gateway.process.runtime import Runtime
from gateway.query.coverage import Coverage, CoverageStatus, coverage_for_error

log = logging.getLogger("caap.history")

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


async def find_history(
    request: HistoryRequest, runtime: Runtime, principal: Principal, deadline: float
) -> HistoryAnswer:
    """Ask every city in scope at once; ``deadline`` on the monotonic clock."""
    federation = runtime.federation
    scope = request.cities if request.cities is not None else tuple(federation.cities)
    now = datetime.now(UTC)
    plans: list[tuple[str, HistoryQuery | Coverage, Rules | None]] = []
    for city_id in scope:
        decision = decide(principal, federation.cities[city_id], request.entity_type)
        if runtime.audit is not None:
            runtime.audit.record(principal, city_id, request.entity_type, decision)
        if not decision.allowed:
            denied = Coverage(city_id, CoverageStatus.DENIED, message=decision.reason)
            plans.append((city_id, replace(denied, code=decision.code), None))
            continue
        rules = decision.rules
        if rules.where or rules.aggregate_only:
            reason = f"{federation.cities[city_id].name} shares {request.entity_type} with row "
            reason += "rules or as statistics only: no history"
            refusal = Coverage(city_id, CoverageStatus.DENIED, message=reason)
            plans.append((city_id, replace(refusal, code=ErrorCode.FORBIDDEN), None))
            continue
        plans.append((city_id, _query(request, rules, now), rules))
    outcomes = await asyncio.gather(
        *(_ask(c, runtime, q, federation, deadline) for c, q, _ in plans)
    )
    items: list[CityHistory] = []
    coverage: list[Coverage] = []
    truncated = False
    for (city_id, _, city_rules), outcome in zip(plans, outcomes, strict=True):
        if isinstance(outcome, Coverage):
            coverage.append(outcome)
            continue
        entities = sorted(outcome.entities, key=lambda e: e.id)
        shown = [_redact(e, city_rules) for e in entities]
        items.extend(CityHistory(city_id, e) for e in shown)
        truncated = truncated or outcome.truncated
        note = "more entities matched than were fetched" if outcome.truncated else None
        coverage.append(Coverage(city_id, CoverageStatus.OK, len(shown), note))
    return HistoryAnswer(items[: request.first], truncated or len(items) > request.first, coverage)


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


async def _ask(
    city_id: str,
    runtime: Runtime,
    query: HistoryQuery | Coverage,
    federation: Federation,
    deadline: float,
) -> HistoryResult | Coverage:
    if isinstance(query, Coverage):
        return query
    if query.attrs == () or query.after >= query.before:
        return HistoryResult([])
    adapter = runtime.adapters[city_id]
    if not isinstance(adapter, HistoryAdapter):
        return Coverage(
            city_id, CoverageStatus.UNSUPPORTED, message="the platform keeps no history"
        )
    budget = min(federation.timeout_for(city_id), deadline - time.monotonic())
    if budget <= 0:
        error = UpstreamTimeout("the request's deadline passed before this city was asked")
        return coverage_for_error(city_id, error)
    try:
        async with asyncio.timeout(budget):
            return await adapter.fetch_history(query)
    except TimeoutError:
        return coverage_for_error(city_id, UpstreamTimeout(f"no answer within {budget:.1f} s"))
    except AdapterError as exc:
        log.info("history of %s: %s: %s", city_id, type(exc).__name__, exc)
        return coverage_for_error(city_id, exc)
    except Exception as exc:  # an adapter bug must not fail the other cities
        log.exception("history of %s: adapter raised unexpectedly", city_id)
        return coverage_for_error(city_id, exc)
