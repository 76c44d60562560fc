"""What each city contributed to an answer: its coverage status, and the error to report."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from adapters.errors import (
    AdapterError,
    UnsupportedQuery,
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
    if isinstance(error, UpstreamTimeout | TimeoutError):
        return Coverage(
            city_id,
            CoverageStatus.TIMEOUT,
            message=_message(error, "the platform did not answer in time"),
            code=ErrorCode.UPSTREAM_TIMEOUT,
        )
    if isinstance(error, UpstreamUnavailable):
        return Coverage(
            city_id,
            CoverageStatus.UNAVAILABLE,
            message=_message(error, "the platform is unavailable"),
            code=ErrorCode.UPSTREAM_UNAVAILABLE,
        )
    if isinstance(error, UnsupportedQuery):
        return Coverage(city_id, CoverageStatus.UNSUPPORTED, message=_message(error, "unsupported"))
    if isinstance(error, AdapterError):
        return Coverage(
            city_id,
            CoverageStatus.FAILED,
            message=_message(error, "the platform answered with an error"),
            code=ErrorCode.UPSTREAM_ERROR,
        )
    # A bug in an adapter: say little to the client; the fan-out logs the details.
    return Coverage(
        city_id,
        CoverageStatus.FAILED,
        message="the adapter failed unexpectedly",
        code=ErrorCode.UPSTREAM_ERROR,
    )


def _message(error: BaseException, fallback: str) -> str:
    text = str(error).strip()
    return text or fallback
