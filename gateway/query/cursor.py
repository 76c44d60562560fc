"""Opaque pagination cursors: the position of the last entity returned, bound to one query.

A cursor is base64url of a small JSON array: version, the query's fingerprint,
the order it was made in (``Order.label``) and the sort key. A cursor from another
query or another order, or one that was tampered with, is refused with a message
saying so.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from typing import Any

import orjson

from gateway.query.ordering import NEWEST_FIRST, Order, SortKey

_VERSION = 2
_MALFORMED = "malformed cursor: pass pageInfo.endCursor unchanged"


class CursorError(ValueError):
    """A cursor that cannot be used with this query."""


def fingerprint(parts: Sequence[Any]) -> str:
    """A short stable hash of what defines a result set (type, cities, filters)."""
    digest = hashlib.sha256(orjson.dumps(list(parts), option=orjson.OPT_SORT_KEYS)).digest()
    return base64.urlsafe_b64encode(digest[:9]).decode("ascii")


def encode_cursor(key: SortKey, query_fingerprint: str, order: Order = NEWEST_FIRST) -> str:
    """The cursor for the position just after ``key`` in ``order``."""
    rank, value, city, entity_id = key
    raw = orjson.dumps([_VERSION, query_fingerprint, order.label(), rank, value, city, entity_id])
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, query_fingerprint: str, order: Order = NEWEST_FIRST) -> SortKey:
    """The sort key inside ``cursor``; CursorError when it is malformed, from another order
    or from another query."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = orjson.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise CursorError(_MALFORMED) from None
    if not (isinstance(value, list) and len(value) == 7 and value[0] == _VERSION):
        raise CursorError(_MALFORMED)
    _, fp, label, rank, sort_value, city, entity_id = value
    if label != order.label():
        raise CursorError(
            f"cursor belongs to another order ({label}), not to this query's orderBy "
            f"({order.label()}): start again without after when the order changes"
        )
    if fp != query_fingerprint:
        raise CursorError("cursor belongs to a different query (type, cities or filter changed)")
    if isinstance(sort_value, list):
        sort_value = tuple(sort_value)
    if not (
        isinstance(rank, int)
        and not isinstance(rank, bool)
        and order.valid_value(rank, sort_value)
        and isinstance(city, str)
        and isinstance(entity_id, str)
    ):
        raise CursorError(_MALFORMED)
    return (rank, sort_value, city, entity_id)
