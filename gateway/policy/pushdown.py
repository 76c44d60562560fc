"""Policy decided before fan-out: what a grant's rules change in the question sent to a city.

``restrict`` gives the caller's question as the rules allow it (the gateway
filters against it afterwards); ``upstream`` gives what is sent: only the
attributes that may be shown or that the rules themselves need, the time limit
pushed into ``observed_before`` (rounded up to a minute, so that the cache is
shared), the time bounds of an aggregate-only question snapped to a coarse grid
(two thresholds a reading apart cannot be differenced to reveal it), and
``near``/``within`` widened by a grid cell
when locations are coarsened (the gateway then filters on the coarse location,
so a tight filter cannot reveal where a point really is).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from adapters.contract import SourceQuery
from gateway.federation.model import Rules
from gateway.policy.decisions import LOCATION
from gateway.policy.grid import widen_box, widen_near

UPSTREAM_TIME_GRID = timedelta(minutes=1)
"""An ``older_than_min`` limit is sent rounded up to this grid, so that the same question
asked a few seconds later has the same cache key (Finding L2)."""
AGGREGATE_TIME_GRID = timedelta(hours=1)
"""Time bounds of an aggregate-only question are snapped down to this grid (Finding M4)."""


def restrict(asked: SourceQuery, rules: Rules, now: datetime) -> SourceQuery:
    """``asked`` with the time limit of ``rules`` (observed before ``now`` minus N minutes),
    and, for an aggregate-only grant, its time bounds snapped to ``AGGREGATE_TIME_GRID``."""
    if rules.aggregate_only:
        asked = replace(
            asked,
            observed_after=_snap(asked.observed_after),
            observed_before=_snap(asked.observed_before),
        )
    if rules.older_than_min is None:
        return asked
    cutoff = now - timedelta(minutes=rules.older_than_min)
    before = cutoff if asked.observed_before is None else min(asked.observed_before, cutoff)
    after = asked.observed_after
    if after is not None and after > before:
        after = before  # an empty window, still a valid one
    return replace(asked, observed_before=before, observed_after=after)


def upstream(wanted: SourceQuery, rules: Rules, statistic: str | None = None) -> SourceQuery:
    """The query to send for ``wanted`` under ``rules``; ``statistic``: only that attribute."""
    near, within = wanted.near, wanted.within
    if rules.coarsen_m is not None:
        near = widen_near(near, rules.coarsen_m) if near is not None else None
        within = widen_box(within, rules.coarsen_m) if within is not None else None
    before = wanted.observed_before
    if rules.older_than_min is not None and before is not None:
        before = _ceil(before, UPSTREAM_TIME_GRID)  # the gateway applies the exact limit
    return replace(
        wanted,
        attrs=_attrs(rules, statistic, wanted),
        near=near,
        within=within,
        observed_before=before,
    )


def _attrs(rules: Rules, statistic: str | None, wanted: SourceQuery) -> tuple[str, ...] | None:
    """Attributes to ask for; None (all) only when ``drop`` cannot be said as a list.
    The attributes that row rules and the caller's ``where`` test are always among them."""
    needed = {f.attribute for f in rules.where} | {c.attribute for c in wanted.where}
    if statistic is not None:
        return tuple(sorted({statistic} | needed))
    if rules.keep is not None:
        return tuple(sorted((rules.keep - {LOCATION}) | needed))
    return None


def _ceil(moment: datetime, grid: timedelta) -> datetime:
    """``moment`` rounded up to ``grid`` (on the UTC epoch)."""
    step = grid.total_seconds()
    return datetime.fromtimestamp(-(-moment.timestamp() // step) * step, moment.tzinfo or UTC)


def _snap(moment: datetime | None) -> datetime | None:
    """``moment`` rounded down to ``AGGREGATE_TIME_GRID`` (on the UTC epoch)."""
    if moment is None:
        return None
    grid = AGGREGATE_TIME_GRID.total_seconds()
    return datetime.fromtimestamp(moment.timestamp() // grid * grid, moment.tzinfo or UTC)
