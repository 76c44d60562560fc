"""Parse, validate (both cached) and execute GraphQL documents; shape the result.

Unexpected exceptions inside resolvers are logged and masked: no stack trace
and no internal message reaches a client.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    execute,
    parse,
    validate,
)

from gateway.errors import ErrorCode

log = logging.getLogger("caap.graphql")


@dataclass(frozen=True, slots=True)
class Prepared:
    """A parsed and validated document, or the errors that stopped it."""

    document: DocumentNode | None
    errors: tuple[GraphQLError, ...] = ()


class Executor:
    """Runs documents against one schema, with parse and validation results cached."""

    def __init__(self, schema: GraphQLSchema, cache_size: int = 1024) -> None:
        self._schema = schema
        self.prepare = lru_cache(maxsize=cache_size)(self._prepare)

    def _prepare(self, source: str) -> Prepared:
        try:
            document = parse(source)
        except GraphQLError as error:
            return Prepared(None, (error,))
        errors = validate(self._schema, document)
        if errors:
            return Prepared(None, tuple(errors))
        return Prepared(document)

    async def execute(
        self,
        document: DocumentNode,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
        context: object,
    ) -> ExecutionResult:
        """Execute a prepared document."""
        result = execute(
            self._schema,
            document,
            context_value=context,
            variable_values=dict(variables) if variables is not None else None,
            operation_name=operation_name,
        )
        if isinstance(result, ExecutionResult):
            return result
        return await result


def operation_type(document: DocumentNode, operation_name: str | None) -> OperationType | None:
    """The type of the operation that would run, or None when it cannot be chosen."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        return operations[0].operation if len(operations) == 1 else None
    for op in operations:
        if op.name is not None and op.name.value == operation_name:
            return op.operation
    return None


def format_error(error: GraphQLError) -> dict[str, Any]:
    """The client's view of an error; internal errors are masked (and logged)."""
    original = error.original_error
    if original is not None and not isinstance(original, GraphQLError):
        log.error("resolver failed at %s", error.path, exc_info=original)
        masked: dict[str, Any] = {
            "message": "Internal server error",
            "extensions": {"code": ErrorCode.INTERNAL_SERVER_ERROR.value},
        }
        if error.locations:
            masked["locations"] = [
                {"line": loc.line, "column": loc.column} for loc in error.locations
            ]
        if error.path:
            masked["path"] = error.path
        return masked
    return dict(error.formatted)
