"""Cache keys: city + normalised SourceQuery + policy class (docs/adr/0003).

Never a header or a token: two callers share an entry exactly when they would
send the same question to the same city under the same policy class.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import orjson

from adapters.contract import SourceQuery

VERSION = "v1"
"""Bumped when the key or the stored form changes: old entries are then never read."""


def normalised(query: SourceQuery) -> dict[str, object]:
    """The parts of ``query`` that change the answer, in one canonical form.

    ``where`` is there only when given (its conditions sorted: they are AND-ed), so the
    keys of questions without one did not change with issue 14."""
    near = query.near
    box = query.within
    parts: dict[str, object] = {
        "type": query.entity_type,
        "attrs": sorted(set(query.attrs)) if query.attrs is not None else None,
        "near": None
        if near is None
        else [_num(near.point.lat), _num(near.point.lon), _num(near.max_distance_m)],
        "within": None
        if box is None
        else [_num(box.min_lat), _num(box.min_lon), _num(box.max_lat), _num(box.max_lon)],
        "after": _time(query.observed_after),
        "before": _time(query.observed_before),
        "limit": query.limit,
        "offset": query.offset,
    }
    if query.where:
        parts["where"] = sorted(
            orjson.dumps([c.attribute, c.op.value, c.value]).decode() for c in query.where
        )
    return parts


def cache_key(city_id: str, query: SourceQuery, policy_class: str) -> str:
    """``caap:v1:<city>:<sha256 of the normalised query and the policy class>``."""
    raw = orjson.dumps([normalised(query), policy_class], option=orjson.OPT_SORT_KEYS)
    return f"caap:{VERSION}:{city_id}:{hashlib.sha256(raw).hexdigest()}"


def _num(value: float) -> float:
    return float(value) + 0.0  # -0.0 and 0.0 are one key


def _time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def call_key(kind: str, city_id: str, question: object, policy_class: str = "") -> str:
    """The single-flight key of an uncached call (``Upstream.call``): ``kind`` (history,
    catalogue, probe), the city, the question (a dataclass of the contract) and the policy
    class, so that only callers who would send the same question share a call."""
    raw = orjson.dumps([kind, question, policy_class], option=orjson.OPT_SORT_KEYS)
    return f"call:{kind}:{city_id}:{hashlib.sha256(raw).hexdigest()}"
