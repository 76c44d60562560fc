"""The requests the bench sends: one GraphQL query, and the NGSI-LD query the adapter makes of it.

Every row asks for the same thing, the latest ``WeatherObserved`` entities,
with variables choosing the cities, the page size and the time window. A
``@T@`` time in ``observedAfter`` (see ``bench.wrk``) makes each request a new
question that no cache can answer, yet one that matches every entity: the
timestamps lie years before any simulated observation.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from yarl import URL

from adapters.contract import SourceQuery
from adapters.ngsi_ld.config import validate_config
from adapters.ngsi_ld.query import entity_params
from adapters.ngsi_ld.transport import JSONLD_CONTEXT_REL
from bench.wrk import CITY_SLOT, TIME_SLOT, RequestSpec

ENTITY_TYPE = "WeatherObserved"
GRAPHQL_PATH = "/graphql"
GRAPHQL_RESPONSE = "application/graphql-response+json"
MAX_ENTITIES_PER_CITY = 10_000
"""What the planner asks of each city (the federation's default ``max_entities_per_city``)."""

QUERY = """query Bench($t: DateTime, $cities: [ID!], $first: Int) {
  entities(type: "WeatherObserved", first: $first, filter: {cities: $cities, observedAfter: $t}) {
    nodes { id type city { id } observedAt location { lat lon } attributes }
    pageInfo { hasNextPage endCursor }
    totalCount
    coverage { city { id } status count }
  }
}"""

_FRESH_BASE = datetime(1990, 1, 1, tzinfo=UTC)
_fresh = itertools.count()


def fresh_time() -> str:
    """A time window for a request sent once, outside wrk (checks, the B5 floor).

    Each call gives another one, before any ``@T@`` time: no cache has seen it.
    """
    moment = _FRESH_BASE + timedelta(seconds=next(_fresh))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def graphql_body(variables: Mapping[str, Any]) -> str:
    """The JSON body of a POST of ``QUERY`` with ``variables`` (which may hold slots)."""
    return orjson.dumps({"query": QUERY, "variables": dict(variables)}).decode()


def graphql_spec(
    *,
    first: int,
    unique: bool,
    cities: tuple[str, ...] | None = None,
    rotate: tuple[str, ...] = (),
    cycle: int = 0,
) -> RequestSpec:
    """A POST of ``QUERY``.

    ``unique``: a new ``observedAfter`` per request (never cached), or, with ``cycle``,
    one of ``cycle`` time windows in turn. ``cities``: the filter (None: every city).
    ``rotate``: one city per request, in turn.
    """
    variables: dict[str, Any] = {"first": first}
    if unique:
        variables["t"] = TIME_SLOT
    if rotate:
        variables["cities"] = [CITY_SLOT]
    elif cities is not None:
        variables["cities"] = list(cities)
    return RequestSpec(
        method="POST",
        path=GRAPHQL_PATH,
        headers={"Content-Type": "application/json", "Accept": GRAPHQL_RESPONSE},
        body=graphql_body(variables),
        cities=rotate,
        cycle=cycle,
    )


def filled(template: str, *, time: str | None = None, city: str = "") -> str:
    """``template`` with its slots filled once (``time`` None: a ``fresh_time``)."""
    return template.replace(TIME_SLOT, time or fresh_time()).replace(CITY_SLOT, city)


def upstream_url(base_url: str, *, observed_after: datetime, page_size: int = 100) -> URL:
    """The first-page URL the NGSI-LD adapter sends for ``QUERY`` to the city at ``base_url``.

    Built by the adapter's own functions from the ``SourceQuery`` the planner makes
    of a public query: the entity type, the time window, ``max_entities_per_city``.
    """
    config = validate_config({"url": base_url, "page_size": page_size})
    settings = config.for_type(ENTITY_TYPE)
    query = SourceQuery(
        entity_type=ENTITY_TYPE, observed_after=observed_after, limit=MAX_ENTITIES_PER_CITY
    )
    return config.entities_url.with_query(
        entity_params(query, settings, min(config.page_size, query.limit))
    )


def upstream_headers() -> dict[str, str]:
    """The headers the adapter sends with it (``Accept`` and the ``@context`` link)."""
    context = validate_config({"url": "http://127.0.0.1"}).for_type(ENTITY_TYPE).context
    return {
        "Accept": "application/json",
        "Link": f'<{context}>; rel="{JSONLD_CONTEXT_REL}"; type="application/ld+json"',
    }


def direct_spec(base_url: str) -> RequestSpec:
    """A GET of the NGSI-LD query that the gateway sends for a one-city ``QUERY``.

    The time in ``q`` is a ``@T@`` slot, like the gateway's ``observedAfter``.
    """
    sample = datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC)
    url = upstream_url(base_url, observed_after=sample)
    text = sample.strftime("%Y-%m-%dT%H:%M:%SZ")
    path = f"{url.raw_path}?{url.raw_query_string}"
    if text not in path:
        raise RuntimeError(f"cannot find the time window in the adapter's query {path!r}")
    return RequestSpec(method="GET", path=path.replace(text, TIME_SLOT), headers=upstream_headers())
