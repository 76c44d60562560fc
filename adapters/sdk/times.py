"""Instants as platforms write them, read into timezone-aware UTC datetimes."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta

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


WHOLE_SECOND = timedelta(seconds=1)
_FRACTION = re.compile(r"T\d\d:\d\d(?::\d\d(?:[.,](\d+))?)?")


def reported_precision(text: object) -> timedelta:
    """How finely a platform wrote an instant: 1 s for ``12:00:05Z``, 1 ms for ``12:00:05.120Z``.

    A time without seconds counts as one minute; anything unreadable as one second
    (an interval ``a/b``: its end).
    """
    if not isinstance(text, str):
        return WHOLE_SECOND
    found = _FRACTION.search(text.strip().rsplit("/", 1)[-1])
    if found is None:
        return WHOLE_SECOND
    if ":" not in found.group(0)[4:]:
        return timedelta(minutes=1)
    digits = found.group(1)
    if not digits:
        return WHOLE_SECOND
    return timedelta(seconds=10 ** -min(len(digits), 6))


class Precision:
    """The coarsest precision of the instants a platform reported (1 s until one is seen).

    A platform that stores milliseconds but reports whole seconds compares a pushed-down
    bound with what it stores: widen pushed-down windows by ``value`` and apply the exact
    bound to the reported times, and no entity is lost at a sub-second bound.
    """

    def __init__(self) -> None:
        self._seen: timedelta | None = None

    @property
    def value(self) -> timedelta:
        """The coarsest precision seen (1 s before any)."""
        return self._seen if self._seen is not None else WHOLE_SECOND

    def saw(self, text: object) -> None:
        """Note one reported instant."""
        precision = reported_precision(text)
        if self._seen is None or precision > self._seen:
            self._seen = precision
