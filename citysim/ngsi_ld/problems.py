"""RFC 7807 ProblemDetails with the NGSI-LD error types (ETSI GS CIM 009, clause 6.3.2)."""

from __future__ import annotations

import orjson
from aiohttp import web

ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"
PROBLEM_JSON = "application/problem+json"

_TITLES = {
    "BadRequestData": "The request includes input data which does not meet the requirements "
    "of the operation",
    "InvalidRequest": "The request associated to the operation is syntactically invalid or "
    "includes wrong content",
    "ResourceNotFound": "The referred resource has not been found",
    "AlreadyExists": "The referred element already exists",
    "OperationNotSupported": "The operation is not supported",
    "LdContextNotAvailable": "A remote JSON-LD @context referenced in a request cannot be "
    "retrieved by the NGSI-LD Broker and expansion or compaction cannot be performed",
}

LD_CONTEXT_NOT_AVAILABLE_STATUS = 503
"""GS CIM 009 up to v1.8 (whose core context citysim serves) says 503; v1.9.1 says 504."""


class Problem(Exception):
    """An error answer: status, ProblemDetails type, title and a detail naming what is wrong."""

    def __init__(self, status: int, error_type: str, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.error_type = error_type
        self.title = title
        self.detail = detail

    def response(self) -> web.Response:
        """The answer: ``application/problem+json`` (RFC 7807; never a Link header)."""
        body = {"type": self.error_type, "title": self.title, "status": self.status}
        body["detail"] = self.detail
        return web.Response(status=self.status, body=orjson.dumps(body), content_type=PROBLEM_JSON)


def ngsi_problem(status: int, kind: str, detail: str) -> Problem:
    """A Problem of NGSI-LD error type ``kind`` (e.g. ``BadRequestData``)."""
    return Problem(status, ERRORS + kind, _TITLES[kind], detail)


def bad_request(parameter: str, detail: str) -> Problem:
    """400 BadRequestData about one parameter; the detail starts with its name."""
    return ngsi_problem(400, "BadRequestData", f"{parameter}: {detail}")


def invalid_request(parameter: str, detail: str) -> Problem:
    """400 InvalidRequest: a parameter value outside what the API defines (GS CIM 009 v1.8.1
    clause 6.3.2, e.g. an unknown ``options`` or ``format`` value); the detail names it."""
    return ngsi_problem(400, "InvalidRequest", f"{parameter}: {detail}")


def not_found(detail: str) -> Problem:
    """404 ResourceNotFound."""
    return ngsi_problem(404, "ResourceNotFound", detail)


def context_not_available(url: str) -> Problem:
    """LdContextNotAvailable: the Link header names a context this broker cannot load."""
    return ngsi_problem(
        LD_CONTEXT_NOT_AVAILABLE_STATUS,
        "LdContextNotAvailable",
        f"Link header: @context {url!r} cannot be retrieved (this broker only knows its "
        "shipped contexts)",
    )


def not_acceptable(accept: str, offered: tuple[str, ...]) -> Problem:
    """406: none of the media types the client accepts is offered; lists those that are."""
    return Problem(
        406,
        "about:blank",
        "Not Acceptable",
        f"Accept: {accept!r} matches none of the available representations: {', '.join(offered)}",
    )
