"""How many bytes a cached answer holds in this process: a deep ``sys.getsizeof``.

Shared objects (interned names, small ints) are counted each time they are met,
so the estimate errs high: the cache's byte bound is then an upper bound.
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


def result_size(result: SourceResult) -> int:
    """Bytes of ``result`` and everything it holds."""
    size = sys.getsizeof(result) + sys.getsizeof(result.entities)
    size += sum(_text(s) for s in (result.cache_control, result.validator))
    for entity in result.entities:
        size += entity_size(entity)
    return size


def entity_size(entity: SourceEntity) -> int:
    """Bytes of one entity."""
    size = _ENTITY + _text(entity.id) + _text(entity.type)
    size += _POINT if entity.location is not None else 0
    size += _DATETIME if entity.observed_at is not None else 0
    return size + value_size(entity.attributes)


def value_size(value: object) -> int:
    """Bytes of a JSON-like value (dicts, lists, tuples, scalars)."""
    if isinstance(value, _SCALARS):
        return sys.getsizeof(value)
    if isinstance(value, Mapping):
        return sys.getsizeof(value) + sum(value_size(k) + value_size(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return sys.getsizeof(value) + sum(value_size(v) for v in value)
    return sys.getsizeof(value)


def _text(value: str | None) -> int:
    return sys.getsizeof(value) if value is not None else 0
