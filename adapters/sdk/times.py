"""Instants as platforms write them, read into timezone-aware UTC datetimes."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from adapters.errors import UpstreamProtocolError


def parse_instant(text: object, *, what: str = "a time") -> datetime:
    """An ISO 8601 instant with ``Z`` or an offset, in UTC; an interval ``a/b`` gives ``b``.

    A time without a zone, or anything else, is an ``UpstreamProtocolError``.
    """
    if not isinstance(text, str) or not text.strip():
        raise UpstreamProtocolError(f"{what} is not an ISO 8601 string")
    value = text.strip().rsplit("/", 1)[-1]
    try:
        moment = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise UpstreamProtocolError(f"{what} {value[:40]!r} is not an ISO 8601 instant") from None
    if moment.tzinfo is None:
        raise UpstreamProtocolError(f"{what} {value[:40]!r} has no time zone")
    return moment.astimezone(UTC)


def from_epoch(seconds: object, *, what: str = "a timestamp") -> datetime:
    """Seconds since the Unix epoch (an int or float) as a UTC datetime."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise UpstreamProtocolError(f"{what} is not a number of seconds")
    if not math.isfinite(seconds) or not 0 <= seconds < 253_402_300_800:  # year 10000
        raise UpstreamProtocolError(f"{what} {seconds!r} is out of range")
    return datetime.fromtimestamp(seconds, UTC)


def iso_z(moment: datetime) -> str:
    """``2026-11-25T10:00:00.123Z``: UTC with milliseconds (naive means UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
