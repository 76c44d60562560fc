"""What a ``history`` root field can return, for the price list (Finding M3).

A history answer is entities x series x points. The points a series can hold
follow from the arguments: ``lastN`` when given; the aggregate periods the
window holds when aggregated (one without a period); else the raw cap
``MAX_LAST_N``, which the gateway enforces (gateway/query/history.py cuts every
series to its newest ``MAX_LAST_N`` points). Series per entity: the ``attrs`` asked for, or a
nominal ``SERIES_WITHOUT_ATTRS``. With ``entityId`` there is at most one
entity per city.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gateway.errors import BadUserInput
from gateway.query.history import MAX_LAST_N, MAX_WINDOW, period_seconds

SERIES_WITHOUT_ATTRS = 10
"""Series priced per entity when ``attrs`` is not given."""


@dataclass(frozen=True, slots=True)
class HistoryShape:
    """The most entities, series per entity and points per series an answer can hold."""

    entities: int
    series: int
    points: int


def history_shape(args: Mapping[str, Any], page: int, cities: int) -> HistoryShape:
    """The shape of a ``history`` answer asked with ``args`` (raw argument values)."""
    entities = min(page, cities) if args.get("entityId") is not None else page
    attrs = args.get("attrs")
    series = len(set(map(str, attrs))) if isinstance(attrs, list) else SERIES_WITHOUT_ATTRS
    return HistoryShape(entities, series, _points(args))


def _points(args: Mapping[str, Any]) -> int:
    last_n = args.get("lastN")
    cap = MAX_LAST_N
    if isinstance(last_n, int | float) and not isinstance(last_n, bool):
        cap = max(0, min(MAX_LAST_N, math.ceil(last_n)))
    aggregate = args.get("aggregate")
    if not isinstance(aggregate, dict):
        return cap
    try:
        period = period_seconds(aggregate.get("period"))
    except BadUserInput:
        return 1  # refused when it runs
    if period is None:
        return min(cap, 1)
    return min(cap, math.ceil(_window_s(args) / period))


def _window_s(args: Mapping[str, Any]) -> float:
    start, end = _moment(args.get("from")), _moment(args.get("to")) or datetime.now(UTC)
    if start is None:
        return MAX_WINDOW.total_seconds()
    return max(0.0, min((end - start).total_seconds(), MAX_WINDOW.total_seconds()))


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.utcoffset() is not None else moment.replace(tzinfo=UTC)
