"""GraphQL over HTTP: the ``/graphql`` endpoint (POST and GET, media types, status codes).

Follows the GraphQL-over-HTTP draft: ``application/graphql-response+json`` by
default, ``application/json`` for legacy clients; request errors (bad JSON,
parse and validation failures) are 400 with no ``data``; GET runs queries only.
Browsers asking for HTML get GraphiQL.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import GraphQLError, OperationType
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.http.ides import get_graphql_ide_html

from gateway.auth import AuthError
from gateway.errors import ErrorCode
from gateway.graphql_exec import format_error, operation_type
from gateway.schema.context import RequestContext
from gateway.state import GatewayState

log = logging.getLogger("caap.http")

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
MAX_BODY_BYTES = 1_048_576


@dataclass(frozen=True, slots=True)
class GraphQLParams:
    """The three standard request parameters."""

    query: str
    variables: Mapping[str, Any] | None
    operation_name: str | None


class RequestProblem(Exception):
    """A request that is not a well-formed GraphQL-over-HTTP request."""

    def __init__(
        self,
        status: int,
        message: str,
        headers: Mapping[str, str] | None = None,
        code: ErrorCode | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.headers = dict(headers or {})
        self.code = code


async def graphql_endpoint(request: Request) -> Response:
    """Serve one GraphQL request."""
    state: GatewayState = request.app.state.gateway
    if request.method == "GET" and _wants_html(request) and "query" not in request.query_params:
        return HTMLResponse(get_graphql_ide_html())
    try:
        media_type = _negotiate(request)
        params = await _read_params(request)
    except RequestProblem as problem:
        return _problem_response(problem, GRAPHQL_RESPONSE)

    runtime, authenticator = state.runtime, state.authenticator
    if runtime is None or authenticator is None:
        return _problem_response(
            RequestProblem(503, "the federation is not loaded yet"), media_type
        )
    try:
        principal = await authenticator.authenticate(
            request.headers.getlist("authorization"), request.query_params
        )
    except AuthError as exc:
        refusal = RequestProblem(exc.status, exc.description, exc.headers, exc.code)
        return _problem_response(refusal, media_type)
    prepared = state.executor.prepare(params.query)
    if prepared.document is None:
        return _errors_response(prepared.errors, media_type)
    op = operation_type(prepared.document, params.operation_name)
    if op is None:
        return _errors_response(
            (GraphQLError("operationName does not select exactly one operation"),), media_type
        )
    if request.method == "GET" and op is not OperationType.QUERY:
        return _problem_response(
            RequestProblem(405, "only queries may be sent with GET; use POST", {"Allow": "POST"}),
            media_type,
        )

    context = RequestContext(
        runtime=runtime,
        cities=state.cities,
        principal=principal,
        metrics=state.metrics,
        deadline=time.monotonic() + runtime.federation.options.deadline_s,
    )
    result = await state.executor.execute(
        prepared.document, params.variables, params.operation_name, context
    )
    body: dict[str, Any] = {"data": result.data}
    errors = [format_error(e) for e in result.errors or ()] + context.city_errors
    if errors:
        body["errors"] = errors
    return Response(orjson.dumps(body), media_type=media_type)


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept


def _negotiate(request: Request) -> str:
    accept = request.headers.get("accept", "")
    if not accept.strip():
        return GRAPHQL_RESPONSE
    types = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    for candidate in types:
        if candidate in (GRAPHQL_RESPONSE, "application/*", "*/*"):
            return GRAPHQL_RESPONSE
        if candidate == JSON:
            return JSON
    raise RequestProblem(406, f"cannot answer with {accept!r}; accept {GRAPHQL_RESPONSE} or {JSON}")


async def _read_params(request: Request) -> GraphQLParams:
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
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            raise RequestProblem(413, f"request body larger than {MAX_BODY_BYTES} bytes")
        try:
            parsed = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise RequestProblem(400, f"request body is not valid JSON: {exc}") from None
        if not isinstance(parsed, dict):
            raise RequestProblem(400, "request body must be a JSON object with a 'query' string")
        data = parsed
    else:
        raise RequestProblem(405, "use GET or POST", {"Allow": "GET, POST"})
    query = data.get("query")
    if not isinstance(query, str) or not query.strip():
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
    return GraphQLParams(query, variables, operation_name)


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
    return Response(
        orjson.dumps(body),
        status_code=problem.status,
        media_type=media_type,
        headers=problem.headers,
    )


def _errors_response(errors: tuple[GraphQLError, ...], media_type: str) -> Response:
    status = 400 if media_type == GRAPHQL_RESPONSE else 200
    body = {"errors": [format_error(e) for e in errors]}
    return Response(orjson.dumps(body), status_code=status, media_type=media_type)


def _code(status: int) -> str:
    return ErrorCode.BAD_USER_INPUT.value if status < 500 else ErrorCode.UPSTREAM_UNAVAILABLE.value
