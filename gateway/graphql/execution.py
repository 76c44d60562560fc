"""Parse, validate (both cached) and execute GraphQL documents; shape the result.

Documents are cached by their text. A new text whose tokens differ from an accepted
document's only in Int, Float and String literals (the same query with other values
written in) has the same *shape*: of graphql-core's validation rules only those that
read such values run again (``VALUE_RULES``); every other rule gave its answer for the
shape already. The result is the same as a full validation's: the other rules found
nothing in that shape, and the value rules report in the order the full set would.

Unexpected exceptions inside resolvers are logged and masked: no stack trace
and no internal message reaches a client.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache
from graphql import (
    DeferStreamDirectiveLabel,
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    OverlappingFieldsCanBeMergedRule,
    Token,
    TokenKind,
    ValuesOfCorrectTypeRule,
    execute,
    specified_rules,
    validate,
)

from gateway.errors import ErrorCode
from gateway.federation.guards import QueryLimits
from gateway.graphql.fast_lists import FastListExecutor
from gateway.graphql.limits.document import check_shape, parse_limited

log = logging.getLogger("caap.graphql")


@dataclass(frozen=True, slots=True)
class Prepared:
    """A parsed and validated document, or the errors that stopped it."""

    document: DocumentNode | None
    errors: tuple[GraphQLError, ...] = ()
    weight: int = 0
    """Estimated bytes held (the key's text and the parsed document), for the cache's bound;
    only accepted documents are cached."""


_DEFAULT_LIMITS = QueryLimits()
_BYTES_PER_CHARACTER = 150
"""About what a parsed document holds in memory per character of its source, the source
text of the key included."""
_KEY_BYTES = 200
"""The key's tuple and the limits it shares, besides the source text."""
_BYTES_PER_TOKEN = 120
"""About what a shape holds per token (a tuple of kind and value in the shape's tuple)."""

VALUE_RULES = tuple(
    rule
    for rule in specified_rules
    if rule
    in (DeferStreamDirectiveLabel, ValuesOfCorrectTypeRule, OverlappingFieldsCanBeMergedRule)
)
"""The validation rules whose answer depends on the value of an Int, Float or String
literal (its type; equal arguments of merged fields; unique ``@defer`` labels), in the
order of ``specified_rules``."""
_LITERALS = frozenset({TokenKind.INT, TokenKind.FLOAT, TokenKind.STRING, TokenKind.BLOCK_STRING})

Shape = tuple[tuple[TokenKind, str | None], ...]


def shape_of(document: DocumentNode) -> Shape | None:
    """The document's tokens, literals by their kind only, comments left out; None
    without token locations."""
    if document.loc is None:
        return None
    token: Token | None = document.loc.start_token
    parts: list[tuple[TokenKind, str | None]] = []
    while token is not None:
        kind = token.kind
        if kind in _LITERALS:
            parts.append((kind, None))
        elif kind is not TokenKind.COMMENT:
            parts.append((kind, token.value))
        token = token.next
    return tuple(parts)


class Executor:
    """Runs documents against one schema; parse, limit and validation results are cached
    (bounded by an estimate of their memory)."""

    def __init__(self, schema: GraphQLSchema, cache_bytes: int = 128 * 1024 * 1024) -> None:
        self._schema = schema
        self._prepared: LRUCache[tuple[str, QueryLimits, bool], Prepared] = LRUCache(
            maxsize=cache_bytes, getsizeof=lambda p: p.weight
        )
        self._valid_shapes: LRUCache[tuple[Shape, bool], int] = LRUCache(
            maxsize=cache_bytes // 4, getsizeof=lambda weight: weight
        )

    @property
    def schema(self) -> GraphQLSchema:
        """The schema documents run against."""
        return self._schema

    def prepare(
        self, source: str, limits: QueryLimits = _DEFAULT_LIMITS, restricted: bool = False
    ) -> Prepared:
        """``source`` parsed, held to ``limits`` and validated; ``restricted``: for an
        anonymous caller in production mode (no introspection, no field suggestions).

        Only accepted documents are cached, weighed by the text of their key: a refused
        one (too long, say) is checked again when it comes again, and holds nothing
        (finding H2 of issue 13).
        """
        key = (source, limits, restricted)
        found = self._prepared.get(key)
        if found is None:
            found = self._prepare(*key)
            if found.document is not None and found.weight <= self._prepared.maxsize:
                self._prepared[key] = found
        return found

    def _prepare(self, source: str, limits: QueryLimits, restricted: bool) -> Prepared:
        document = parse_limited(source, limits)
        if isinstance(document, GraphQLError):
            return Prepared(None, (document,))
        refused = check_shape(self._schema, document, limits, restricted)
        if refused:
            return Prepared(None, tuple(refused))
        errors = self._validate(document, restricted)
        if errors:
            return Prepared(None, tuple(errors))
        return Prepared(document, weight=_KEY_BYTES + len(source) * _BYTES_PER_CHARACTER)

    def _validate(self, document: DocumentNode, restricted: bool) -> list[GraphQLError]:
        """graphql-core's validation; only ``VALUE_RULES`` for a shape accepted before."""
        shape = shape_of(document)
        key = (shape, restricted) if shape is not None else None
        if key is not None and key in self._valid_shapes:
            return validate(self._schema, document, VALUE_RULES, hide_suggestions=restricted)
        errors = validate(self._schema, document, hide_suggestions=restricted)
        if key is not None and not errors:
            weight = _KEY_BYTES + len(key[0]) * _BYTES_PER_TOKEN
            if weight <= self._valid_shapes.maxsize:
                self._valid_shapes[key] = weight
        return errors

    async def execute(
        self,
        document: DocumentNode,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
        context: object,
        *,
        hide_suggestions: bool = False,
    ) -> ExecutionResult:
        """Execute a prepared document."""
        result = execute(
            self._schema,
            document,
            context_value=context,
            variable_values=dict(variables) if variables is not None else None,
            operation_name=operation_name,
            hide_suggestions=hide_suggestions,
            executor_class=FastListExecutor,
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
