"""Opaque pagination cursors: the position of the last entity returned, bound to one query.

A cursor is base64url of a small JSON array: version, the query's fingerprint
and the sort key. A cursor from another query, or one that was tampered with,
is refused with a message saying so.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from typing import Any

import orjson

from gateway.query.ordering import SortKey

_VERSION = 1


class CursorError(ValueError):
    """A cursor that cannot be used with this query."""


def fingerprint(parts: Sequence[Any]) -> str:
    """A short stable hash of what defines a result set (type, cities, filters)."""
    digest = hashlib.sha256(orjson.dumps(list(parts), option=orjson.OPT_SORT_KEYS)).digest()
    return base64.urlsafe_b64encode(digest[:9]).decode("ascii")


def encode_cursor(key: SortKey, query_fingerprint: str) -> str:
    """The cursor for the position just after ``key``."""
    raw = orjson.dumps([_VERSION, query_fingerprint, *key])
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, query_fingerprint: str) -> SortKey:
    """The sort key inside ``cursor``; CursorError when it is malformed or from another query."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = orjson.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise CursorError("malformed cursor: pass pageInfo.endCursor unchanged") from None
    if not (isinstance(value, list) and len(value) == 6 and value[0] == _VERSION):
        raise CursorError("malformed cursor: pass pageInfo.endCursor unchanged")
    _, fp, missing, neg_us, city, entity_id = value
    if fp != query_fingerprint:
        raise CursorError("cursor belongs to a different query (type, cities or filter changed)")
    if not (
        missing in (0, 1)
        and isinstance(neg_us, int)
        and isinstance(city, str)
        and isinstance(entity_id, str)
    ):
        raise CursorError("malformed cursor: pass pageInfo.endCursor unchanged")
    return (missing, neg_us, city, entity_id)
