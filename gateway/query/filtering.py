"""Filters the gateway applies itself, so results do not depend on what a platform pushed down.

What a SourceQuery's near, within and time filters mean is defined once, beside
the contract, in ``adapters.sdk.local``; adapters use the same function to keep
their pages full.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from adapters.contract import SourceEntity, SourceQuery
from adapters.sdk.local import matches as passes_filters
from gateway.federation.model import Rules
from gateway.policy.redaction import apply_rules
from gateway.query.planner import CityStep


def matches(entity: SourceEntity, query: SourceQuery) -> bool:
    """True when ``entity`` is of the asked type and satisfies every filter of ``query``."""
    return entity.type == query.entity_type and passes_filters(entity, query)


def refine(entities: Iterable[SourceEntity], query: SourceQuery) -> Iterator[SourceEntity]:
    """The entities that match ``query``."""
    return (e for e in entities if matches(e, query))


def visible(entities: Iterable[SourceEntity], step: CityStep) -> list[SourceEntity]:
    """What the caller may see of the answer to ``step``: the grant's rules applied
    (gateway/policy/redaction.py), then the caller's question as the grant allows it."""
    wanted = step.wanted or step.query
    if wanted is None:
        return []  # a refused step: nothing was asked, nothing is shown
    if step.rules is None:
        return list(refine(entities, wanted))
    return visible_rows(entities, wanted, step.rules)


def visible_rows(
    entities: Iterable[SourceEntity], wanted: SourceQuery, rules: Rules
) -> list[SourceEntity]:
    """The entities that pass ``rules`` and then match ``wanted``, redacted."""
    return list(refine(apply_rules(entities, rules), wanted))
