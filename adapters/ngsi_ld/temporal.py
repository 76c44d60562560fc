"""History from the NGSI-LD temporal API (GS CIM 009 clause 6.18): request and answer.

One ``GET .../temporal/entities?type=T&timerel=between&timeAt=A&endTimeAt=B``
(``id``, ``attrs``, ``lastN`` when asked), paged by ``limit``/``offset`` and
``Link: rel="next"`` (same origin only). The answer may come in any temporal
representation: normalized (arrays of instances), simplified (``values`` /
``objects`` pairs) or aggregated (``[value, start, end]`` triples). Aggregation
is asked of the broker when the city says it offers it, else computed here from
the values; both give the same periods. diwise accepts no ``options`` other than
``keyValues``, so it is asked for the normalized form.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import aiohttp

from adapters.contract import (
    Aggregation,
    EntityHistory,
    HistoryPoint,
    HistoryQuery,
    HistoryResult,
    JSONValue,
)
from adapters.errors import UnsupportedQuery, UpstreamError, UpstreamProtocolError
from adapters.ngsi_ld.config import NgsiLdConfig
from adapters.ngsi_ld.contexts import TermMap, term_map
from adapters.ngsi_ld.dialect import dialect_error
from adapters.ngsi_ld.mapping import parse_datetime, plain, simplify
from adapters.ngsi_ld.query import check_name, format_datetime
from adapters.ngsi_ld.transport import get_page
from adapters.sdk.aggregate import aggregate
from adapters.sdk.durations import iso_duration

Params = list[tuple[str, str]]
JSONLD_CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"
_SKIP = frozenset({"id", "@id", "type", "@type", "@context", "createdAt", "modifiedAt"})
_METHODS = {"avg", "min", "max", "sum", "totalCount"}


def history_params(query: HistoryQuery, config: NgsiLdConfig, terms: TermMap, limit: int) -> Params:
    """Parameters of one Query Temporal Evolution of Entities request."""
    check_name("entity type", query.entity_type)
    if query.after >= query.before:
        raise UnsupportedQuery("the history window is empty (after is not before 'before')")
    params: Params = [("type", query.entity_type)]
    if query.entity_id is not None:
        if not query.entity_id or any(c in query.entity_id for c in ", \t\r\n"):
            raise UnsupportedQuery(f"entity id {query.entity_id!r} is not a URI")
        params.append(("id", query.entity_id))
    if query.attrs is not None:
        for name in query.attrs:
            check_name("attribute", name)
        params.append(("attrs", ",".join(query.attrs)))
    params += [
        ("timerel", "between"),
        ("timeAt", format_datetime(query.after, ceil=False)),
        ("endTimeAt", format_datetime(query.before, ceil=True)),
    ]
    if query.last_n is not None:
        params.append(("lastN", str(query.last_n)))
    params += _representation(query.aggregation, config)
    params += [("limit", str(limit)), ("offset", "0"), ("count", "true")]
    return params


def _representation(aggregation: Aggregation | None, config: NgsiLdConfig) -> Params:
    if config.dialect == "diwise":
        return []
    pushed = config.temporal is not None and config.temporal.aggregation
    if aggregation is not None and pushed:
        if aggregation.method not in _METHODS:
            raise UnsupportedQuery(f"aggregation {aggregation.method!r} is not offered")
        period = "P0D" if aggregation.period_s is None else _period(aggregation.period_s)
        return [
            ("options", "aggregatedValues"),
            ("aggrMethods", aggregation.method),
            ("aggrPeriodDuration", period),
        ]
    return [("options", "temporalValues")]


def _period(seconds: float) -> str:
    if not seconds > 0:
        raise UnsupportedQuery(f"an aggregation period must be positive, not {seconds!r} s")
    try:
        return iso_duration(seconds)
    except ValueError as exc:
        raise UnsupportedQuery(str(exc)) from None


def entity_history(raw: object, terms: TermMap, query: HistoryQuery, index: int) -> EntityHistory:
    """One temporal entity of an answer, its series clipped, cut to ``lastN`` and aggregated."""
    if not isinstance(raw, dict):
        raise UpstreamProtocolError(f"temporal entity #{index} is not an object")
    entity_id, entity_type = raw.get("id", raw.get("@id")), raw.get("type", raw.get("@type"))
    if not isinstance(entity_id, str) or not entity_id:
        raise UpstreamProtocolError(f"temporal entity #{index} has no string 'id'")
    if isinstance(entity_type, list):
        entity_type = next((t for t in entity_type if isinstance(t, str)), None)
    if not isinstance(entity_type, str):
        raise UpstreamProtocolError(f"temporal entity #{index} ({entity_id}) has no 'type'")
    wanted = set(query.attrs) if query.attrs is not None else None
    series: dict[str, list[HistoryPoint]] = {}
    for key, value in raw.items():
        if key in _SKIP:
            continue
        name = terms.compact(key)
        if wanted is not None and name not in wanted:
            continue
        points = _finish(list(_points(value, terms)), query)
        if points:
            series[name] = points
    return EntityHistory(entity_id, terms.compact(entity_type), series)


def _finish(points: list[HistoryPoint], query: HistoryQuery) -> list[HistoryPoint]:
    if any(p.until is not None for p in points):  # aggregated by the broker
        return sorted(points, key=lambda p: p.at)
    kept = sorted((p for p in points if query.after <= p.at < query.before), key=lambda p: p.at)
    if query.last_n is not None:
        kept = kept[-query.last_n :] if query.last_n > 0 else []
    if query.aggregation is not None:
        start = query.after.replace(microsecond=0)  # as timeAt is sent: whole seconds
        return aggregate(kept, query.aggregation, start, query.before)
    return kept


def _points(value: Any, terms: TermMap) -> Iterator[HistoryPoint]:
    if isinstance(value, list):  # normalized: one object per instance
        for instance in value:
            yield from _instance(instance, terms)
        return
    if not isinstance(value, dict):
        return
    for member in ("values", "objects"):
        pairs = value.get(member)
        if isinstance(pairs, list):
            for pair in pairs:
                if isinstance(pair, list) and len(pair) >= 2:
                    at = parse_datetime(pair[1])
                    if at is not None:
                        yield HistoryPoint(at, plain(pair[0]))
            return
    for method in _METHODS & set(value):
        for triple in value[method] if isinstance(value[method], list) else ():
            if isinstance(triple, list) and len(triple) >= 3:
                start, end = parse_datetime(triple[1]), parse_datetime(triple[2])
                if start is not None:
                    yield HistoryPoint(start, plain(triple[0]), end or start)
        return
    yield from _instance(value, terms)


def _instance(instance: Any, terms: TermMap) -> Iterator[HistoryPoint]:
    if not isinstance(instance, Mapping):
        return
    at = parse_datetime(plain(instance.get("observedAt")))
    if at is not None:
        value: JSONValue = simplify(dict(instance), terms)
        yield HistoryPoint(at, value)


async def fetch_history(
    session: aiohttp.ClientSession,
    config: NgsiLdConfig,
    query: HistoryQuery,
    *,
    secrets: Iterable[str] = (),
) -> HistoryResult:
    """Page through the temporal API until ``query.limit`` entities or the end; ``secrets``
    are blanked out of what the broker says back (header values are anyway)."""
    if config.temporal is None:
        raise UnsupportedQuery("this city's broker keeps no history (temporal: false)")
    if query.limit < 0 or (query.last_n is not None and query.last_n < 0):
        raise UnsupportedQuery("limit and lastN must not be negative")
    settings = config.for_type(query.entity_type)
    terms = term_map(settings.context)
    base = config.temporal.url or config.url
    headers = {
        "Link": f'<{settings.context}>; rel="{JSONLD_CONTEXT_REL}"; type="application/ld+json"'
    }
    size = max(1, min(config.page_size, query.limit))
    url = (base / "temporal" / "entities").with_query(history_params(query, config, terms, size))
    found: list[EntityHistory] = []
    seen = 0
    while True:
        try:
            page = await get_page(
                session, url, headers, secrets=(*config.headers.values(), *secrets)
            )
        except UpstreamError as exc:
            raise dialect_error(exc, config.dialect) from None
        for raw in page.entities:
            if len(found) >= query.limit:
                return HistoryResult(found, truncated=True)
            found.append(entity_history(raw, terms, query, seen))
            seen += 1
        total = page.total_count
        more = page.next_url is not None or (total is not None and seen < total)
        if not page.entities or not more:
            return HistoryResult(found, truncated=False)
        if len(found) >= query.limit:
            return HistoryResult(found, truncated=True)
        if page.next_url is None:
            url = url.update_query(offset=str(seen))
        elif page.next_url.origin() != base.origin():
            raise UpstreamProtocolError(
                f"the next-page link points to another origin ({page.next_url.host}); not followed"
            )
        else:
            url = page.next_url
