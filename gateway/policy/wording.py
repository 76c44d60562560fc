"""Policies in words: what a grant asks of a caller, and what its rules do to the data.

The same sentences appear in coverage messages, in ``access`` answers and in the audit log.
"""

from __future__ import annotations

from gateway.federation.model import Audience, RowFilter, Rules

_SYMBOLS = {"eq": "=", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "in": "in"}


def audience_needs(audience: Audience) -> str:
    """What a token must carry for ``audience``: ``with scope a``, ``of an approved client``."""
    parts: list[str] = []
    if audience.all_scopes:
        names = sorted(audience.all_scopes)
        noun = "scope" if len(names) == 1 else "scopes"
        parts.append(f"with {noun} {' and '.join(names)}")
    if audience.any_scopes:
        names = sorted(audience.any_scopes)
        noun = "scope" if len(names) == 1 else "one of the scopes"
        parts.append(f"with {noun} {', '.join(names)}")
    if audience.clients:
        parts.append("of an approved client")
    return " and ".join(parts) or "of any kind"


def rule_texts(rules: Rules) -> list[str]:
    """One short sentence per rule in force, in a fixed order; empty for full access."""
    texts: list[str] = []
    if rules.aggregate_only:
        texts.append("statistics only, never rows")
    if rules.min_group_size is not None:
        texts.append(f"statistics over fewer than {rules.min_group_size} entities withheld")
    if rules.keep is not None:
        texts.append(f"only the attributes {', '.join(sorted(rules.keep))}")
    if rules.drop:
        texts.append(f"attributes removed: {', '.join(sorted(rules.drop))}")
    if rules.coarsen_m is not None:
        texts.append(f"locations coarsened to a {rules.coarsen_m:g} m grid")
    if rules.older_than_min is not None:
        texts.append(f"only observations at least {rules.older_than_min:g} min old")
    texts.extend(f"only rows where {row_filter_text(f)}" for f in rules.where)
    return texts


def row_filter_text(row_filter: RowFilter) -> str:
    """``laneId = 1``, ``status in [a, b]``."""
    value = row_filter.value
    shown = f"[{', '.join(map(str, value))}]" if isinstance(value, tuple) else str(value)
    return f"{row_filter.attribute} {_SYMBOLS[row_filter.op]} {shown}"
