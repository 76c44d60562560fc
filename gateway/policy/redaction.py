"""Policy applied after fan-out: row filters, then redaction and coarsening.

Row filters look at the entity as the city sent it (they may test an attribute
the caller does not get). The caller's own filters come after, in the query
stage (``gateway/query/filtering.py``: ``visible``), on what the caller gets (a
``near`` filter sees the coarse location, never the true one).
"""

from __future__ import annotations

from collections.abc import Iterable

from adapters.contract import SourceEntity
from gateway.federation.model import Rules
from gateway.policy.decisions import FULL_ACCESS, LOCATION
from gateway.policy.grid import coarsen
from gateway.policy.row_filter import passes


def apply_rules(entities: Iterable[SourceEntity], rules: Rules) -> Iterable[SourceEntity]:
    """The entities that pass ``rules``' row filters, redacted as ``rules`` say."""
    if rules == FULL_ACCESS:
        return entities
    return (redact(e, rules) for e in entities if passes(e.attributes, rules.where))


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
