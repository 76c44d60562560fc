"""GraphQL over HTTP: the ``/graphql`` endpoint (POST and GET, media types, status codes).

Follows the GraphQL-over-HTTP draft: ``application/graphql-response+json`` by
default, ``application/json`` for legacy clients; request errors (bad JSON,
parse and validation failures) are 400 with no ``data``; GET runs queries only.
Browsers asking for HTML get GraphiQL (gateway/http/graphiql/, served with no CDN).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from gateway.auth import AuthError
from gateway.auth.principal import ANONYMOUS, Principal
from gateway.errors import ErrorCode
from gateway.federation.guards import QueryLimits
from gateway.graphql.pipeline import Kind, Operation, Outcome, RequestEnvironment, run_operation
from gateway.graphql.rate_limit import retry_after
from gateway.http.body import BodyTooLarge, BodyTooSlow, ClientWentAway, read_body, replaying
from gateway.http.disconnect import CLIENT_CLOSED
from gateway.http.graphiql import graphiql_page
from gateway.ops import error_codes
from gateway.process.state import GatewayState

log = logging.getLogger("caap.http")

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
_CLOSE = {"Connection": "close"}
_NO_QUERY: Mapping[str, str] = {}
"""The query parameters of a URL without a query string."""


class RequestProblem(Exception):
    """A request that is not a well-formed GraphQL-over-HTTP request."""

    def __init__(
        self,
        status: int,
        message: str,
        headers: Mapping[str, str] | None = None,
        code: ErrorCode | None = None,
        limit: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.headers = dict(headers or {})
        self.code = code
        self.limit = limit
        """The limit the request broke (body_bytes, batch), for metrics."""


async def receive_body(request: Request, body_timeout_s: float) -> Request | Response:
    """``request`` with its body received, bounded in size (``gateway.limits.body_bytes``)
    and time; or the answer refusing it. Called before the request counts as in flight, so
    a reload does not wait for a slow client (finding M5 of issue 13)."""
    if request.method != "POST":
        return request
    state: GatewayState = request.app.state.gateway
    limits = state.runtime.federation.options.limits if state.runtime else QueryLimits()
    try:
        body = await read_body(request, limits.body_bytes, body_timeout_s)
    except BodyTooLarge as exc:
        # the rest of the body is not read: the connection closes after the answer
        problem = RequestProblem(413, str(exc), _CLOSE, limit="body_bytes")
    except BodyTooSlow as exc:
        problem = RequestProblem(408, str(exc), _CLOSE, limit="body_seconds")
    except ClientWentAway:
        return Response(status_code=CLIENT_CLOSED)
    else:
        return replaying(request, body)
    state.metrics.refusals.labels(problem.limit).inc()
    return _problem_response(problem, GRAPHQL_RESPONSE)


async def graphql_endpoint(request: Request) -> Response:
    """Serve one GraphQL request."""
    state: GatewayState = request.app.state.gateway
    if request.method == "GET" and _wants_html(request) and "query" not in request.query_params:
        return HTMLResponse(graphiql_page())
    limits = state.runtime.federation.options.limits if state.runtime else QueryLimits()
    try:
        media_type = _negotiate(request)
        batch = await _read_params(request, limits)
    except RequestProblem as problem:
        if problem.limit is not None:
            state.metrics.refusals.labels(problem.limit).inc()
        return _problem_response(problem, GRAPHQL_RESPONSE)

    runtime, authenticator, cities = state.runtime, state.authenticator, state.cities
    if runtime is None or authenticator is None:
        return _problem_response(
            RequestProblem(503, "the federation is not loaded yet"), media_type
        )
    protection = state.guards.current(runtime.federation)
    address = request.client.host if request.client else None
    authorization = request.headers.getlist("authorization")
    charged = authenticator.costly(authorization)
    if charged:  # an unknown opaque token: the address pays before the issuer is asked
        limited = _rate_limited(state, await protection.limiter.wait(ANONYMOUS, address))
        if limited is not None:
            return _problem_response(limited, media_type)
    try:
        query = request.query_params if request.scope["query_string"] else _NO_QUERY
        principal = await authenticator.authenticate(authorization, query)
    except AuthError as exc:
        refusal = RequestProblem(exc.status, exc.description, exc.headers, exc.code)
        if charged:
            return _problem_response(refusal, media_type)
        wait = await protection.limiter.wait(ANONYMOUS, address)  # failed tokens count too
        return _problem_response(_rate_limited(state, wait) or refusal, media_type)
    limited = _rate_limited(state, await protection.limiter.wait(principal, address, len(batch)))
    if limited is not None:
        return _problem_response(limited, media_type)

    serving = RequestEnvironment(state.executor, protection, runtime, cities, state.metrics)
    outcomes = [await run_operation(serving, p, principal, request.method) for p in batch]
    if isinstance(batch, list):
        joined = b"[" + b",".join(o.body for o in outcomes) + b"]"
        return Response(joined, media_type=media_type)
    response = _outcome_response(outcomes[0], media_type)
    if request.method == "GET":
        ttl_s = int(protection.federation.options.response_cache.ttl_s)
        response.headers["Cache-Control"] = cache_control(principal, outcomes[0], ttl_s)
    return response


def cache_control(principal: Principal, outcome: Outcome, ttl_s: int) -> str:
    """``Cache-Control`` of a GET answer: a complete anonymous answer may be kept as long as
    the gateway's own response cache keeps it (``gateway.response_cache.ttl_s``); any other
    answer (a caller's own, one with errors or stale parts) by no cache at all."""
    if principal.anonymous and outcome.complete and ttl_s >= 1:
        return f"public, max-age={ttl_s}"
    return "private, no-store"


def _rate_limited(state: GatewayState, wait_s: float) -> RequestProblem | None:
    if wait_s <= 0:
        return None
    state.metrics.refusals.labels("rate_limited").inc()
    headers = {"Retry-After": retry_after(wait_s)}
    message = f"rate limit exceeded: retry after {headers['Retry-After']} s"
    return RequestProblem(429, message, headers, ErrorCode.RATE_LIMITED)


def _outcome_response(outcome: Outcome, media_type: str) -> Response:
    if outcome.kind is Kind.NOT_A_QUERY:
        problem = RequestProblem(
            405, "only queries may be sent with GET; use POST", {"Allow": "POST"}
        )
        return _problem_response(problem, media_type)
    status = 400 if outcome.kind is Kind.REFUSED and media_type == GRAPHQL_RESPONSE else 200
    return Response(outcome.body, status_code=status, media_type=media_type)


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept


def _negotiate(request: Request) -> str:
    """The response media type. No ``Accept`` or ``*/*`` gets ``application/json``, as the
    GraphQL-over-HTTP spec asks until its watershed; ask for the new type by name."""
    accept = request.headers.get("accept", "")
    media_type = _media_type(accept)
    if media_type is None:
        raise RequestProblem(
            406, f"cannot answer with {accept!r}; accept {GRAPHQL_RESPONSE} or {JSON}"
        )
    return media_type


@functools.lru_cache(maxsize=256)
def _media_type(accept: str) -> str | None:
    """What ``_negotiate`` answers to ``accept`` (None: neither type), remembered: clients
    send the same few headers again and again."""
    if not accept.strip():
        return JSON
    for candidate in _accepted(accept):
        if candidate in (GRAPHQL_RESPONSE, "application/*"):
            return GRAPHQL_RESPONSE
        if candidate in (JSON, "*/*"):
            return JSON
    return None


def _accepted(accept: str) -> list[str]:
    """The media ranges of an ``Accept`` header, most preferred first, refused (q=0) left out."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, media.lower()))
    return [media for _, _, media in sorted(ranked)]


async def _read_params(request: Request, limits: QueryLimits) -> tuple[Operation] | list[Operation]:
    """One operation (a tuple), or a batch of them (a list, from a JSON-array body)."""
    if request.method == "GET":
        raw: Mapping[str, Any] = dict(request.query_params)
        variables = _json_param(raw.get("variables"), "variables")
        extensions = _json_param(raw.get("extensions"), "extensions")
        data: dict[str, Any] = {**raw, "variables": variables, "extensions": extensions}
    elif request.method == "POST":
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != JSON:
            raise RequestProblem(
                415, f"send the request as {JSON}, not {content_type or 'nothing'}"
            )
        body = await request.body()  # received already: see receive_body
        try:
            parsed = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise RequestProblem(400, f"request body is not valid JSON: {exc}") from None
        if isinstance(parsed, list):
            return [_params(_batched(item)) for item in _batch(parsed, limits.batch)]
        if not isinstance(parsed, dict):
            raise RequestProblem(400, "request body must be a JSON object with a 'query' string")
        data = parsed
    else:
        raise RequestProblem(405, "use GET or POST", {"Allow": "GET, POST"})
    return (_params(data),)


def _batch(items: list[Any], most: int) -> list[Any]:
    if most == 0:
        raise RequestProblem(400, "batching is off: send one operation per request", limit="batch")
    if not items or len(items) > most:
        message = f"a batch holds 1 to {most} operations, not {len(items)}"
        raise RequestProblem(400, message, limit="batch")
    return items


def _batched(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise RequestProblem(400, "each operation of a batch must be a JSON object")
    return item


def _params(data: Mapping[str, Any]) -> Operation:
    """The parameters of one operation, checked."""
    query = data.get("query")
    persisted = isinstance(data.get("extensions"), dict) and "persistedQuery" in data["extensions"]
    if query is None and persisted:
        pass  # the document comes from the persisted queries
    elif not isinstance(query, str) or not query.strip():
        raise RequestProblem(400, "'query' must be a non-empty string")
    variables = data.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise RequestProblem(400, "'variables' must be a JSON object or null")
    operation_name = data.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise RequestProblem(400, "'operationName' must be a string or null")
    extensions = data.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise RequestProblem(400, "'extensions' must be a JSON object or null")
    return Operation(query, variables, operation_name, extensions)


def _json_param(value: Any, name: str) -> Any:
    if value is None or value == "":
        return None
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        raise RequestProblem(400, f"'{name}' is not valid JSON") from None


def _problem_response(problem: RequestProblem, media_type: str) -> Response:
    code = problem.code.value if problem.code is not None else _code(problem.status)
    body = {"errors": [{"message": str(problem), "extensions": {"code": code}}]}
    error_codes.note(body["errors"])
    return Response(
        orjson.dumps(body),
        status_code=problem.status,
        media_type=media_type,
        headers=problem.headers,
    )


def _code(status: int) -> str:
    return ErrorCode.BAD_USER_INPUT.value if status < 500 else ErrorCode.UPSTREAM_UNAVAILABLE.value
