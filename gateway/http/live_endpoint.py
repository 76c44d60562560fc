"""Subscriptions on ``/graphql``: graphql-transport-ws (WebSocket) and graphql-sse (distinct
connections mode: a POST asking for ``text/event-stream``), through strawberry's own views.

Only subscriptions are served here; queries stay on the GraphQL-over-HTTP pipeline
(gateway/http/graphql_endpoint.py) with its limits. A WebSocket's caller is
authenticated at ``connection_init`` (``{"Authorization": "Bearer ..."}`` in the
payload, or the handshake's header); an SSE request's from its header. A bad token
closes the socket with 4403 or answers 401. Internal errors are masked as in queries.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any, cast

from cross_web import HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.schema import BaseSchema
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_SSE_PROTOCOL, GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET, UnsetType

from gateway.auth import AuthError
from gateway.auth.principal import Principal
from gateway.errors import ErrorCode
from gateway.graphql.schema.shared_events import EncodedPayloads
from gateway.graphql.schema.subscription import Current, LiveContext
from gateway.live.hub import LiveConnection

log = logging.getLogger("caap.live")

Authenticate = Callable[[Sequence[str], Mapping[str, str]], Awaitable[Principal]]


def wants_event_stream(request: Request) -> bool:
    """True for a graphql-sse request (POST, ``Accept: text/event-stream``)."""
    accept = request.headers.get("accept", "")
    if "event-stream" not in accept.lower():  # the common case, without splitting the header
        return False
    return request.method == "POST" and any(
        part.split(";", 1)[0].strip().lower() == "text/event-stream" for part in accept.split(",")
    )


def client_key(principal: Principal, address: str | None) -> str:
    """Whom ``per_client`` counts: the token's client, else the caller's address."""
    if principal.client_id is not None:
        return f"client:{principal.client_id}"
    if principal.subject_hash is not None:
        return f"subject:{principal.subject_hash}"
    return f"address:{address or 'unknown'}"


Check = Callable[[str, Principal], Sequence[GraphQLError]]
"""Why a document is refused before it runs (the query limits: size, depth, aliases, cost;
validation), as for queries; empty when it may run."""


class _SubscriptionsOnly:
    """The schema, streaming subscriptions only, held to the query limits, with internal
    errors masked."""

    def __init__(self, schema: BaseSchema, check: Check) -> None:
        self._schema = schema
        self._check = check

    def __getattr__(self, name: str) -> Any:
        return getattr(self._schema, name)

    async def stream(self, query: str | None, **kwargs: Any) -> AsyncGenerator[Any, None]:
        context = kwargs.get("context_value")
        if isinstance(context, LiveContext):
            refused = self._check(query or "", context.principal)
            if refused:
                return _refusal(list(refused))
        kwargs["allowed_operation_types"] = (OperationType.SUBSCRIPTION,)
        results = await self._schema.stream(query, **kwargs)
        return _masked(results)


async def _refusal(errors: list[GraphQLError]) -> AsyncGenerator[Any, None]:
    yield PreExecutionError(data=None, errors=errors)


async def _masked(results: AsyncGenerator[Any, None]) -> AsyncGenerator[Any, None]:
    try:
        async for result in results:
            if isinstance(result, ExecutionResult) and result.errors:
                result.errors = [_mask(e) for e in result.errors]
            yield result
    finally:
        await results.aclose()


ONLY_SUBSCRIPTIONS = (
    "only subscriptions are served here; send queries to POST /graphql (GraphQL over HTTP)"
)


def _mask(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return error
    if isinstance(original, InvalidOperationTypeError):
        return GraphQLError(ONLY_SUBSCRIPTIONS, extensions={"code": ErrorCode.BAD_USER_INPUT.value})
    log.error("subscription failed", exc_info=original)
    return GraphQLError(
        "Internal server error",
        path=error.path,
        extensions={"code": ErrorCode.INTERNAL_SERVER_ERROR.value},
    )


class LiveEndpoint(GraphQL[LiveContext, None]):
    """strawberry's ASGI view, for subscriptions only."""

    def __init__(
        self,
        schema: BaseSchema,
        current: Current,
        authenticate: Authenticate,
        check: Check,
        *,
        init_timeout_s: float,
        per_connection: int,
    ) -> None:
        super().__init__(
            cast(BaseSchema, _SubscriptionsOnly(schema, check)),
            graphql_ide=None,
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_SSE_PROTOCOL),
            connection_init_wait_timeout=timedelta(seconds=init_timeout_s),
            max_subscriptions_per_connection=per_connection,
        )
        self._current = current
        self._authenticate = authenticate
        self.payloads = EncodedPayloads()
        """Each shared event's data encoded once (gateway/graphql/schema/shared_events.py)."""

    async def get_context(self, request: Request | WebSocket, response: Any) -> LiveContext:
        address = request.client.host if request.client else None
        context = LiveContext(self._current, LiveConnection(client_key(_anonymous, address)))
        if isinstance(request, WebSocket):
            context.connection_params = {}
            context.handshake_authorization = request.headers.getlist("authorization")
            context.address = address
            return context
        try:
            principal = await self._authenticate(
                request.headers.getlist("authorization"), request.query_params
            )
        except AuthError as exc:
            raise HTTPException(exc.status, exc.description) from None
        context.principal = principal
        context.connection.client = client_key(principal, address)
        return context

    async def on_ws_connect(self, context: LiveContext) -> UnsetType | dict[str, object] | None:
        params = context.connection_params
        given = params.get("Authorization", params.get("authorization"))
        authorization = [given] if isinstance(given, str) else context.handshake_authorization
        try:
            principal = await self._authenticate(authorization, {})
        except AuthError:
            raise ConnectionRejectionError from None
        context.principal = principal
        context.connection.client = client_key(principal, context.address)
        ack: UnsetType = UNSET  # connection_ack without a payload
        return ack

    def encode_json(self, data: object) -> str:
        return self.payloads.message(data)

    async def serve(self, request: Request) -> Response:
        """Answer one graphql-sse request (its body already received)."""
        try:
            return await self.run(request)
        except HTTPException as exc:
            return Response(exc.reason, status_code=exc.status_code, media_type="text/plain")


_anonymous = Principal()
