"""A cached answer and its lifetimes (RFC 5861), on the wall clock (shared across instances).

::

    stored_at ... fresh_until ... revalidate_until     stale-while-revalidate
                  fresh_until ............ usable_until stale-if-error
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from adapters.contract import SourceResult
from gateway.federation.model import CachePolicy


class Freshness(Enum):
    """What an entry may be used for now."""

    FRESH = "fresh"
    """Served as it is."""
    REVALIDATE = "revalidate"
    """Served stale while one refresh runs in the background."""
    IF_ERROR = "if_error"
    """Served stale only if the platform fails."""
    EXPIRED = "expired"
    """Not served; only its validator may still save a transfer."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One city's answer to one question, with the times that govern its use."""

    result: SourceResult
    stored_at: float
    fresh_until: float
    revalidate_until: float
    usable_until: float

    @classmethod
    def new(cls, result: SourceResult, policy: CachePolicy, now: float) -> Entry:
        """An entry stored ``now`` under ``policy``."""
        fresh = now + policy.ttl_s
        return cls(
            result,
            stored_at=now,
            fresh_until=fresh,
            revalidate_until=fresh + policy.stale_while_revalidate_s,
            usable_until=fresh + policy.stale_if_error_s,
        )

    @property
    def expires_at(self) -> float:
        """When nothing can be done with it any more (then it is dropped)."""
        return max(self.revalidate_until, self.usable_until)

    def freshness(self, now: float) -> Freshness:
        """What the entry may be used for at ``now``."""
        if now < self.fresh_until:
            return Freshness.FRESH
        if now < self.revalidate_until:
            return Freshness.REVALIDATE
        if now < self.usable_until:
            return Freshness.IF_ERROR
        return Freshness.EXPIRED

    def usable_on_error(self, now: float) -> bool:
        """True inside the stale-if-error window (or while still fresh)."""
        return now < self.usable_until

    def age(self, now: float) -> float:
        """Seconds since it was stored."""
        return max(0.0, now - self.stored_at)
