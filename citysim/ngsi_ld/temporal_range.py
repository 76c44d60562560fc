"""The range of a temporal answer cut at an instance limit (GS CIM 009 clause 6.3.10).

A broker that holds more instances than it answers at once returns 206 Partial
Content and ``Content-Range: date-time <start>-<end>/<size>``: oldest first, the range
runs from ``timeAt`` (or the first instance returned) to the last instance returned;
with ``lastN`` it runs from ``endTimeAt``/``timeAt`` (or the newest instance) down to
the oldest returned, and ``size`` is the ``lastN`` asked for (else ``*``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from citysim.ngsi_ld.temporal_params import TemporalQuery


@dataclass(frozen=True, slots=True)
class Cut:
    """Where a capped answer stops."""

    start: str
    end: str
    size: str

    def header(self) -> str:
        """The ``Content-Range`` value."""
        return f"date-time {self.start}-{self.end}/{self.size}"


def cut_of(moments: Sequence[datetime], query: TemporalQuery) -> Cut | None:
    """The range of an answer holding instances at ``moments`` (None: nothing returned)."""
    if not moments:
        return None
    ordered = sorted(moments)
    if query.last_n is not None:
        start = query.end if query.end is not None else ordered[-1]
        end = ordered[0]
    else:
        start = query.start if query.start is not None else ordered[0]
        end = ordered[-1]
    size = str(query.last_n) if query.last_n is not None else "*"
    return Cut(iso_z(start), iso_z(end), size)


def iso_z(moment: datetime) -> str:
    """UTC, ``Z``, fractional seconds only when there are any."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
