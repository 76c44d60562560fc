"""One GraphQL operation, from its parameters to the bytes of its response.

::

    persisted query  extensions.persistedQuery -> the document (APQ, allow-list)
    response cache   a stored answer for this document, variables and policy class: done
    in flight        the same request executing for another caller of the class: its answer
    prepare          characters, tokens, shape limits, validation (cached per document)
    cost             the price of the operation with these variables, before it runs
    execute          resolvers, fan-out; then the answer is stored when complete

Everything refused here is refused before any upstream call.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from enum import Enum
from typing import Any

import orjson
from graphql import GraphQLError, OperationType

from gateway.auth.principal import Principal
from gateway.graphql.answer_sharing import SharedAnswer, joined
from gateway.graphql.execution import Executor, format_error, operation_type
from gateway.graphql.limits.cost import operation_cost
from gateway.graphql.limits.refusal import QueryTooComplex
from gateway.graphql.protection import Protection
from gateway.graphql.response_cache import Stored, response_key, shareable
from gateway.graphql.schema.context import RequestContext
from gateway.graphql.schema.types import City
from gateway.ops import error_codes
from gateway.ops.metrics import Metrics
from gateway.policy.audit_trail import AuditTrail
from gateway.process.runtime import Runtime

RESPONSE_TIER = "response"
SHARED_TIER = "request"
"""``caap_cache_events_total{tier="request"}``: executions of shareable queries
(``executed``), and requests that joined one in flight (``coalesced``)."""


@dataclass(frozen=True, slots=True)
class Operation:
    """The standard request parameters; ``query`` may be absent with a persisted query."""

    query: str | None
    variables: Mapping[str, Any] | None
    operation_name: str | None
    extensions: Mapping[str, Any] | None = None


class Kind(Enum):
    """How the HTTP layer answers an outcome."""

    RESULT = "result"
    """Executed, or served from the response cache: 200."""
    REFUSED = "refused"
    """A request error, nothing ran: no ``data``."""
    NOT_A_QUERY = "not_a_query"
    """A mutation sent with GET."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """A response body and how to answer it."""

    kind: Kind
    body: bytes
    complete: bool = False
    """A result with no error and nothing stale: the same for every caller of its policy
    class for a while (HTTP caches may keep an anonymous one, ``Cache-Control``)."""


@dataclass(frozen=True, slots=True)
class RequestEnvironment:
    """What one request runs with."""

    executor: Executor
    protection: Protection
    runtime: Runtime
    cities: Mapping[str, City]
    metrics: Metrics


async def run_operation(
    serving: RequestEnvironment, operation: Operation, principal: Principal, method: str
) -> Outcome:
    """Answer ``operation`` for ``principal`` (sent with HTTP ``method``)."""
    protection, metrics = serving.protection, serving.metrics
    lookup = protection.persisted.resolve(operation.query, operation.extensions)
    if lookup.document is None:
        return _refused(metrics, [lookup.error or GraphQLError("no document")])
    source = lookup.document
    responses = protection.responses
    policy_class = protection.policy_classes.of(principal)
    key = response_key(source, operation.operation_name, operation.variables, policy_class)
    shared: SharedAnswer | None = None
    if responses.enabled:
        stored = responses.get(key)
        metrics.cache_events.labels(RESPONSE_TIER, "miss" if stored is None else "hit").inc()
        if stored is not None:
            shared = SharedAnswer(stored, complete=True)
    if shared is None and (in_flight := protection.shared.joinable(key)) is not None:
        metrics.cache_events.labels(SHARED_TIER, "coalesced").inc()
        shared = await joined(in_flight)  # the same request, executed for another (ADR 0027)
        if shared is not None:
            error_codes.note(shared.errors)
    if shared is not None:
        if lookup.register is not None:  # the answer's document passed every check
            protection.persisted.register(lookup.register, source)
        shared.stored.replay(serving.runtime.audit, principal)
        return Outcome(Kind.RESULT, shared.stored.body, complete=shared.complete)

    limits = protection.federation.options.limits
    restricted = protection.restricted(principal)
    prepared = serving.executor.prepare(source, limits, restricted)
    if prepared.document is None:
        return _refused(metrics, list(prepared.errors))
    document = prepared.document
    if lookup.register is not None:
        protection.persisted.register(lookup.register, source)
    op = operation_type(document, operation.operation_name)
    if op is None:
        error = GraphQLError("operationName does not select exactly one operation")
        return _refused(metrics, [error])
    if method == "GET" and op is not OperationType.QUERY:
        return Outcome(Kind.NOT_A_QUERY, b"")

    cost, problems = operation_cost(
        serving.executor.schema,
        document,
        operation.operation_name,
        operation.variables,
        protection.prices,
    )
    if cost > limits.cost:
        problems.append(
            QueryTooComplex("cost", f"the query costs {cost}, more than the limit of {limits.cost}")
        )
    if problems:
        return _refused(metrics, problems)

    audit = AuditTrail(serving.runtime.audit, principal)
    context = RequestContext(
        runtime=serving.runtime,
        audit=audit,
        cities=serving.cities,
        principal=principal,
        metrics=metrics,
        deadline=time.monotonic() + protection.federation.options.deadline_s,
    )
    sharing = op is OperationType.QUERY and shareable(document, operation.operation_name)
    with protection.shared.leading(key) if sharing else nullcontext() as lead:
        if lead is not None:
            metrics.cache_events.labels(SHARED_TIER, "executed").inc()
        result = await serving.executor.execute(
            document,
            operation.variables,
            operation.operation_name,
            context,
            hide_suggestions=restricted,
        )
        body: dict[str, Any] = {"data": result.data}
        errors = [format_error(e) for e in result.errors or ()] + context.city_errors
        if errors:
            body["errors"] = errors
            error_codes.note(errors)
        body["extensions"] = {"cost": {"estimated": cost, "limit": limits.cost}}
        data = orjson.dumps(body)
        complete = not errors and not context.stale
        answer = Stored(data, tuple(audit.lines))
        if lead is not None:
            lead.answered(SharedAnswer(answer, complete, errors))
    if complete and sharing:
        responses.put(key, answer)
    return Outcome(Kind.RESULT, data, complete=complete)


def _refused(metrics: Metrics, errors: list[GraphQLError]) -> Outcome:
    for error in errors:
        if isinstance(error, QueryTooComplex):
            metrics.refusals.labels(error.limit).inc()
    formatted = [format_error(e) for e in errors]
    error_codes.note(formatted)
    return Outcome(Kind.REFUSED, orjson.dumps({"errors": formatted}))
