"""How many bytes a cached answer holds in this process: a deep ``sys.getsizeof``.

Shared objects (interned names, small ints) are counted each time they are met,
so the count errs high. An answer of more than ``SAMPLE`` entities (one city's
answer, all of one type and shape) is sized from ``SAMPLE`` of them spread evenly
and extrapolated: walking every value cost more than mapping them (bench B5).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from datetime import datetime

from adapters.contract import GeoPoint, SourceEntity, SourceResult

_ENTITY = sys.getsizeof(SourceEntity("", "", None, None, {}))
_POINT = sys.getsizeof(GeoPoint(0.0, 0.0)) + 2 * sys.getsizeof(0.0)
_DATETIME = sys.getsizeof(datetime(2026, 1, 1))
_SCALARS = (str, bytes, int, float, bool, type(None))
_EXACT_SCALARS = frozenset(_SCALARS)
_getsizeof = sys.getsizeof
SAMPLE = 8
"""Entities sized exactly per answer; a larger answer's size is extrapolated from them."""


def result_size(result: SourceResult) -> int:
    """Bytes of ``result`` and everything it holds (estimated past ``SAMPLE`` entities)."""
    entities = result.entities
    size = sys.getsizeof(result) + sys.getsizeof(entities)
    size += sum(_text(s) for s in (result.cache_control, result.validator))
    count = len(entities)
    if count <= SAMPLE:
        return size + sum(entity_size(entity) for entity in entities)
    step = count / SAMPLE
    sampled = sum(entity_size(entities[int(i * step)]) for i in range(SAMPLE))
    return size + sampled * count // SAMPLE


def entity_size(entity: SourceEntity) -> int:
    """Bytes of one entity."""
    size = _ENTITY + _text(entity.id) + _text(entity.type)
    size += _POINT if entity.location is not None else 0
    size += _DATETIME if entity.observed_at is not None else 0
    size += value_size(entity.datasets) if entity.datasets else 0
    return size + value_size(entity.attributes)


def value_size(value: object) -> int:
    """Bytes of a JSON-like value (dicts, lists, tuples, scalars)."""
    if type(value) in _EXACT_SCALARS:
        return _getsizeof(value)
    if type(value) is dict:  # the common containers without the generic checks below
        size = _getsizeof(value)
        for k, v in value.items():
            size += _getsizeof(k) if type(k) is str else value_size(k)
            size += _getsizeof(v) if type(v) in _EXACT_SCALARS else value_size(v)
        return size
    if type(value) is list:
        size = _getsizeof(value)
        for v in value:
            size += _getsizeof(v) if type(v) in _EXACT_SCALARS else value_size(v)
        return size
    if isinstance(value, _SCALARS):
        return sys.getsizeof(value)
    if isinstance(value, Mapping):
        return sys.getsizeof(value) + sum(value_size(k) + value_size(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return sys.getsizeof(value) + sum(value_size(v) for v in value)
    return sys.getsizeof(value)


def _text(value: str | None) -> int:
    return sys.getsizeof(value) if value is not None else 0
