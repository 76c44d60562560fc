"""Stellio (stellio-hub/stellio-context-broker): page sizes and the temporal instance cap.

- ``limit`` defaults to 30 and may be at most 100; a larger one is refused with 400
  BadRequestData ("You asked for N results, but the supported maximum limit is 100").
  Source: Stellio's configuration documentation (``APPLICATION_PAGINATION_LIMIT-DEFAULT=30``,
  ``APPLICATION_PAGINATION_LIMIT-MAX=100``) and its handler tests.
- Temporal answers hold at most ``application.pagination.temporal-limit`` instances per
  attribute (10 000 by default; Stellio's own tests set 5) and answer 206 Partial
  Content with ``Content-Range: date-time <start>-<end>/<size>`` beyond it. Source:
  ``TemporalEntityHandlerPaginationTests`` ("query temporal entities should return 206
  if pagination was triggered"). citysim: ``Broker.temporal_limit``.
"""

from __future__ import annotations

from aiohttp import web

from citysim.ngsi_ld.dialects import Rules, is_query, with_query
from citysim.ngsi_ld.problems import ngsi_problem

DEFAULT_LIMIT = 30
MAX_LIMIT = 100
TEMPORAL_LIMIT = 10_000


def _before(request: web.Request) -> web.Request:
    if not (is_query(request, temporal=False) or is_query(request, temporal=True)):
        return request
    query = dict(request.rel_url.query)
    text = query.get("limit")
    if text is None:
        query["limit"] = str(DEFAULT_LIMIT)
        return with_query(request, query)
    if text.isdigit() and int(text) > MAX_LIMIT:
        raise ngsi_problem(
            400,
            "BadRequestData",
            f"You asked for {text} results, but the supported maximum limit is {MAX_LIMIT}",
        )
    return request


RULES = Rules(before=_before)
