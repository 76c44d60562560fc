"""What each city contributed to an answer: its coverage status, and the error to report.

What a caller reads of a city's failure is said by the gateway, never copied
from the platform (Finding L5): an adapter's message may hold the platform's
host and port or data from its answer (an entity id of a restricted dataset).
The details go to the log (gateway/query/fanout.py logs each failure).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from adapters import AnswerBudgetSpent
from adapters.errors import (
    AdapterError,
    UnsupportedQuery,
    UpstreamAuthError,
    UpstreamError,
    UpstreamProtocolError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from gateway.errors import ErrorCode


class CoverageStatus(StrEnum):
    """How a city's part of a query ended (the GraphQL enum of the same name)."""

    OK = "OK"
    DENIED = "DENIED"
    FAILED = "FAILED"
    TIMEOUT = "TIMEOUT"
    UNAVAILABLE = "UNAVAILABLE"
    UNSUPPORTED = "UNSUPPORTED"


@dataclass(frozen=True, slots=True)
class Coverage:
    """One city's line in ``coverage``; ``code`` set means an ``errors[]`` entry is due."""

    city_id: str
    status: CoverageStatus
    count: int | None = None
    message: str | None = None
    stale: bool = False
    code: ErrorCode | None = None


def answered(fetched: Coverage, count: int | None, *notes: str | None) -> Coverage:
    """The OK coverage of a city that answered: ``count`` entities, the fan-out's note
    (a stale answer says how old it is) after the caller's ``notes``, ``stale`` kept."""
    message = "; ".join(n for n in (*notes, fetched.message) if n) or None
    return Coverage(fetched.city_id, CoverageStatus.OK, count, message, stale=fetched.stale)


def coverage_for_error(city_id: str, error: BaseException) -> Coverage:
    """Map an adapter's exception (or a timeout) to the city's coverage entry."""
    message = public_message(error)
    if isinstance(error, UpstreamTimeout | TimeoutError):
        return Coverage(
            city_id, CoverageStatus.TIMEOUT, message=message, code=ErrorCode.UPSTREAM_TIMEOUT
        )
    if isinstance(error, UpstreamUnavailable):
        return Coverage(
            city_id,
            CoverageStatus.UNAVAILABLE,
            message=message,
            code=ErrorCode.UPSTREAM_UNAVAILABLE,
        )
    if isinstance(error, UnsupportedQuery):
        return Coverage(city_id, CoverageStatus.UNSUPPORTED, message=message)
    # an adapter's error, or a bug in an adapter: the fan-out logs the details
    return Coverage(city_id, CoverageStatus.FAILED, message=message, code=ErrorCode.UPSTREAM_ERROR)


class GatewayNotice(UpstreamUnavailable):
    """A city not asked, for a reason the gateway states itself (its breaker, its bulkhead,
    a Retry-After hold): the message is the gateway's and is shown as it is."""


def public_message(error: BaseException) -> str:
    """What a caller (or the status page) may read of ``error``: the gateway's words, the HTTP
    status, never the platform's text."""
    status = getattr(error, "status", None)
    http = f" (HTTP {status})" if isinstance(status, int) else ""
    if isinstance(error, GatewayNotice | AnswerBudgetSpent):  # the gateway's own words
        return str(error)
    if isinstance(error, UpstreamTimeout | TimeoutError):
        return "the platform did not answer in time"
    if isinstance(error, UpstreamUnavailable):
        if isinstance(error.retry_after_s, int | float):
            return f"the platform is unavailable{http} and asked the gateway to wait"
        return f"the platform is unavailable{http}"
    if isinstance(error, UnsupportedQuery):  # about the question and the city's configuration
        return str(error).strip() or "the platform does not offer what was asked"
    if isinstance(error, UpstreamAuthError):
        return f"the platform refused the gateway's credentials{http}"
    if isinstance(error, UpstreamProtocolError):
        return f"the platform's answer could not be read{http}"
    if isinstance(error, UpstreamError | AdapterError):
        return f"the platform answered with an error{http}"
    return "the adapter failed unexpectedly"
