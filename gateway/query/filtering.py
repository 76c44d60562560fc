"""Filters the gateway applies itself, so results do not depend on what a platform pushed down.

What a SourceQuery's near, within and time filters mean is defined once, beside
the contract, in ``adapters.sdk.local``; adapters use the same function to keep
their pages full.
"""

from __future__ import annotations

from collections.abc import Iterable

from adapters.contract import SourceEntity, SourceQuery
from adapters.sdk.local import matcher
from gateway.federation.model import Rules
from gateway.policy.redaction import apply_rules
from gateway.query.planner import CityStep


def refine(entities: Iterable[SourceEntity], query: SourceQuery) -> list[SourceEntity]:
    """The entities that match ``query`` (one check per filter ``query`` has)."""
    entity_type, passes = query.entity_type, matcher(query)
    return [e for e in entities if e.type == entity_type and passes(e)]


def visible(entities: Iterable[SourceEntity], step: CityStep) -> list[SourceEntity]:
    """What the caller may see of the answer to ``step``: the grant's rules applied
    (gateway/policy/redaction.py), then the caller's question as the grant allows it."""
    wanted = step.wanted or step.query
    if wanted is None:
        return []  # a refused step: nothing was asked, nothing is shown
    if step.rules is None:
        return refine(entities, wanted)
    return visible_rows(entities, wanted, step.rules)


def visible_rows(
    entities: Iterable[SourceEntity], wanted: SourceQuery, rules: Rules
) -> list[SourceEntity]:
    """The entities that pass ``rules`` and then match ``wanted``, redacted."""
    return refine(apply_rules(entities, rules), wanted)
