"""The errors a request gets when a limit refuses it: QUERY_TOO_COMPLEX or BAD_USER_INPUT."""

from __future__ import annotations

from graphql import GraphQLError

from gateway.errors import BadUserInput, ErrorCode


class QueryTooComplex(GraphQLError):
    """A document over one of the limits; ``limit`` names it (depth, aliases, cost, ...)."""

    def __init__(self, limit: str, message: str) -> None:
        super().__init__(
            message, extensions={"code": ErrorCode.QUERY_TOO_COMPLEX.value, "limit": limit}
        )
        self.limit = limit


def over(limit: str, found: int, maximum: int, what: str) -> QueryTooComplex:
    """``limit``: ``found`` is more than ``maximum`` (the message says what was counted)."""
    return QueryTooComplex(limit, f"{what}: {found} is more than the limit of {maximum}")


def bad_input(message: str) -> GraphQLError:
    """A request the caller can fix (BAD_USER_INPUT)."""
    return BadUserInput(message)
