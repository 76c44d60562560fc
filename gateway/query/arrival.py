"""When the request being served arrived: what "fresh enough" is measured from (ADR 0025).

The HTTP layer stamps each request as it comes in (``gateway/http/request_id.py``);
the upstream layer reads the stamp to decide whether a call already in flight to a
city started late enough to answer it. Outside a request (a background refresh, a
status probe, a test) the moment of asking stands in for the arrival.
"""

from __future__ import annotations

from contextvars import ContextVar, Token

from gateway.clock import Clock

_arrived: ContextVar[float | None] = ContextVar("caap_request_arrived", default=None)


def stamp(at: float) -> Token[float | None]:
    """Record that the current request arrived ``at`` (``time.monotonic()``); returns the token
    for :func:`unstamp`."""
    return _arrived.set(at)


def unstamp(token: Token[float | None]) -> None:
    """Forget the stamp set by :func:`stamp`."""
    _arrived.reset(token)


def arrived(clock: Clock) -> float:
    """The current request's arrival, or ``clock()`` outside of a request."""
    at = _arrived.get()
    return clock() if at is None else at
