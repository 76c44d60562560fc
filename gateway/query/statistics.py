"""Statistics of one attribute across cities: count, min, max, mean, computed in the gateway.

The path is the entity path (plan, fan out, apply each city's rules) without
the rows: only the attribute (and what row filters need) is asked for, and the
rows end here. That is how a city can share a dataset only in aggregate: its
aggregate-only grant allows this path and no other. A city whose matching
entities are fewer than its grant's ``min_group_size`` is left out (and says so
in its coverage), so that a statistic never describes a handful of rows. Nor
does a statistic give one row's exact value: min and max are withheld where an
aggregate-only grant applies (Finding M4), and its time bounds are snapped to a
coarse grid (gateway/policy/pushdown.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from gateway.auth.principal import Principal
from gateway.errors import BadUserInput
from gateway.policy.audit_trail import AuditTrail
from gateway.process.runtime import Runtime
from gateway.query.coverage import Coverage, answered
from gateway.query.entity_request import EntityRequest
from gateway.query.fanout import fan_out
from gateway.query.filtering import visible
from gateway.query.planner import plan

_ATTRIBUTE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def check_attribute(name: str) -> None:
    """An attribute name, or BadUserInput."""
    if not _ATTRIBUTE.fullmatch(name) or name == "location":
        raise BadUserInput(f"attribute: {name!r} is not the name of a numeric attribute")


@dataclass(frozen=True, slots=True)
class Summary:
    """count, min, max and mean of some numbers; the last three None when there are none."""

    count: int
    minimum: float | None
    maximum: float | None
    mean: float | None

    @classmethod
    def of(cls, values: Sequence[float], *, extremes: bool = True) -> Summary:
        """The summary of ``values``; ``extremes`` False withholds min and max."""
        if not values:
            return cls(0, None, None, None)
        mean = math.fsum(values) / len(values)
        if not extremes:
            return cls(len(values), None, None, mean)
        return cls(len(values), min(values), max(values), mean)


@dataclass(frozen=True, slots=True)
class Group:
    """One line of the answer: a city's summary, or (``city_id`` None) all cities'."""

    city_id: str | None
    summary: Summary


@dataclass(frozen=True, slots=True)
class StatisticsAnswer:
    """The groups, and how each city contributed."""

    groups: Sequence[Group]
    coverage: Sequence[Coverage]


async def compute_statistics(
    request: EntityRequest,
    attribute: str,
    by_city: bool,
    runtime: Runtime,
    principal: Principal,
    deadline: float,
    audit: AuditTrail | None = None,
) -> StatisticsAnswer:
    """Statistics of ``attribute`` over the entities ``request`` selects, one group per city
    (``by_city``) or one for all; ``deadline`` on the monotonic clock."""
    federation = runtime.federation
    steps = plan(request, federation, principal, audit, statistic=attribute)
    outcomes = await fan_out(steps, runtime.upstream.fetch, federation.timeout_for, deadline)
    per_city: dict[str, list[float]] = {}
    exact_rows_hidden: set[str] = set()  # statistics only: a min or max is one row's value
    coverage: list[Coverage] = []
    for step, outcome in zip(steps, outcomes, strict=True):
        if outcome.result is None or step.query is None:
            coverage.append(outcome.coverage)
            continue
        rows = {e.id: e for e in visible(outcome.result.entities, step)}
        values = list(numbers(e.attributes.get(attribute) for e in rows.values()))
        least = step.rules.min_group_size if step.rules is not None else None
        notes = []
        if outcome.result.truncated:
            notes.append(f"computed over the first {step.query.limit} matching entities")
        if least is not None and len(values) < least:
            notes.append(f"withheld: fewer than {least} entities (the city's minimum group size)")
            coverage.append(answered(outcome.coverage, None, *notes))
            continue
        if step.rules is not None and step.rules.aggregate_only:
            exact_rows_hidden.add(step.city_id)
            notes.append("min and max withheld: the city shares statistics only")
        per_city[step.city_id] = values
        coverage.append(answered(outcome.coverage, len(rows), *notes))
    if by_city:
        groups = [
            Group(city_id, Summary.of(values, extremes=city_id not in exact_rows_hidden))
            for city_id, values in per_city.items()
        ]
    else:
        every = [v for values in per_city.values() for v in values]
        groups = [Group(None, Summary.of(every, extremes=not exact_rows_hidden & set(per_city)))]
    return StatisticsAnswer(groups, coverage)


def numbers(values: Iterable[object]) -> Iterable[float]:
    """The finite numbers among ``values`` (bools are not numbers here)."""
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if math.isfinite(value):
            yield float(value)
