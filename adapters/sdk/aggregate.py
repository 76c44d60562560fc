"""Aggregate a series of history points, as a broker with ``aggregatedValues`` would.

Periods are aligned at the window's start (``timeAt``) and last ``period_s``
seconds (None: one period for the whole window); periods without values are left
out. ``avg``, ``min``, ``max`` and ``sum`` use the numeric values only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from adapters.contract import Aggregation, HistoryPoint, JSONValue


def aggregate(
    points: Sequence[HistoryPoint], aggregation: Aggregation, start: datetime, end: datetime
) -> list[HistoryPoint]:
    """One point per non-empty period, oldest first; ``at`` and ``until`` bound the period."""
    groups: dict[int, list[JSONValue]] = {}
    period = timedelta(seconds=aggregation.period_s) if aggregation.period_s else None
    for point in points:
        key = 0 if period is None else int((point.at - start) / period)
        groups.setdefault(key, []).append(point.value)
    result = []
    for key, values in sorted(groups.items()):
        begin = start if period is None else start + key * period
        finish = end if period is None else begin + period
        result.append(HistoryPoint(begin, apply(aggregation.method, values), finish))
    return result


def apply(method: str, values: Sequence[JSONValue]) -> JSONValue:
    """One aggregate of ``values``; None when no value is numeric (except ``totalCount``)."""
    if method == "totalCount":
        return len(values)
    numbers = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if not numbers:
        return None
    if method == "avg":
        return math.fsum(numbers) / len(numbers)
    if method == "min":
        return min(numbers)
    if method == "max":
        return max(numbers)
    if method == "sum":
        return math.fsum(numbers)
    raise ValueError(f"unknown aggregation method {method!r}")
