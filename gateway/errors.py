"""The gateway's error model: the codes clients see in ``errors[].extensions.code``.

Request-level errors (bad input, too complex) fail the request; city-level errors
(a platform that failed, a dataset that is denied) fail only that city's part
and are reported beside the data. See docs/architecture.md, "Failure is partial".
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from graphql import GraphQLError


class ErrorCode(StrEnum):
    """Codes in ``errors[].extensions.code`` (docs/architecture.md, "Failure is partial")."""

    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    UPSTREAM_TIMEOUT = "UPSTREAM_TIMEOUT"
    UPSTREAM_ERROR = "UPSTREAM_ERROR"
    UPSTREAM_UNAVAILABLE = "UPSTREAM_UNAVAILABLE"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    RATE_LIMITED = "RATE_LIMITED"
    NOT_FOUND = "NOT_FOUND"
    """``entity(city, id)`` found nothing the caller may see (ADR 0020)."""
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


class BadUserInput(GraphQLError):
    """An argument the caller can fix; the message says what is wrong and where."""

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": ErrorCode.BAD_USER_INPUT.value, **extensions})
