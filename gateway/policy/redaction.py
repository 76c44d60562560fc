"""Policy applied after fan-out: row filters, redaction, coarsening, then the caller's filters.

Row filters look at the entity as the city sent it (they may test an attribute
the caller does not get); the caller's own filters look at what the caller gets
(a ``near`` filter sees the coarse location, never the true one).
"""

from __future__ import annotations

from collections.abc import Iterable

from adapters.contract import SourceEntity, SourceQuery
from gateway.federation.model import Rules
from gateway.policy.decisions import FULL_ACCESS, LOCATION
from gateway.policy.grid import coarsen
from gateway.policy.row_filter import passes
from gateway.query.filtering import matches
from gateway.query.planner import CityStep


def visible(entities: Iterable[SourceEntity], step: CityStep) -> list[SourceEntity]:
    """What the caller may see of the answer to ``step``, as the caller may see it."""
    wanted = step.wanted or step.query
    if wanted is None:
        return []  # a refused step: nothing was asked, nothing is shown
    rules = step.decision.rules if step.decision is not None else FULL_ACCESS
    return apply_rules(entities, wanted, rules)


def apply_rules(
    entities: Iterable[SourceEntity], wanted: SourceQuery, rules: Rules
) -> list[SourceEntity]:
    """The entities that pass ``rules`` and then match ``wanted``, redacted."""
    if rules == FULL_ACCESS:
        return [e for e in entities if matches(e, wanted)]
    shown = (redact(e, rules) for e in entities if passes(e.attributes, rules.where))
    return [e for e in shown if matches(e, wanted)]


def redact(entity: SourceEntity, rules: Rules) -> SourceEntity:
    """``entity`` without the attributes (and their datasets) ``rules`` hide, its location
    coarsened or removed."""
    attributes = {k: v for k, v in entity.attributes.items() if rules.shows(k)}
    location = entity.location
    if location is not None and not rules.shows(LOCATION):
        location = None
    elif location is not None and rules.coarsen_m is not None:
        location = coarsen(location, rules.coarsen_m)
    datasets = {  # by attribute name, as attributes; a location dataset is never coarsened
        k: v
        for k, v in entity.datasets.items()
        if rules.shows(k) and not (k == LOCATION and rules.coarsen_m is not None)
    }
    return SourceEntity(entity.id, entity.type, location, entity.observed_at, attributes, datasets)
