"""Internal errors reach clients masked: no message, no stack trace (execution.format_error)."""

from __future__ import annotations

import pytest
import strawberry
from graphql import parse

from gateway.graphql.execution import Executor, format_error
from gateway.graphql.limits.refusal import QueryTooComplex


@strawberry.type
class Query:
    @strawberry.field
    def broken(self) -> str | None:
        raise RuntimeError("password=hunter2 at /srv/secret.py line 3")

    @strawberry.field
    def fine(self) -> str:
        return "ok"


async def test_an_unexpected_exception_is_masked(caplog: pytest.LogCaptureFixture) -> None:
    executor = Executor(strawberry.Schema(query=Query)._schema)
    result = await executor.execute(parse("{ broken fine }"), None, None, None)
    assert result.data == {"broken": None, "fine": "ok"}
    formatted = [format_error(e) for e in result.errors or ()]
    assert formatted == [
        {
            "message": "Internal server error",
            "extensions": {"code": "INTERNAL_SERVER_ERROR"},
            "locations": [{"line": 1, "column": 3}],
            "path": ["broken"],
        }
    ]
    assert "hunter2" not in str(formatted)
    assert "hunter2" in caplog.text  # the operator sees it in the log


def test_errors_meant_for_the_caller_keep_their_message() -> None:
    error = QueryTooComplex("depth", "depth: 9 is more than the limit of 8")
    assert format_error(error) == {
        "message": "depth: 9 is more than the limit of 8",
        "extensions": {"code": "QUERY_TOO_COMPLEX", "limit": "depth"},
    }
